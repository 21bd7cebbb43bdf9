"""Shard pages: where each range of a database lives (and which nodes are down), and which range holds a document."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from browser.capabilities import needs
from browser.couch.databases import database_info
from browser.couch.partitions import partition_problem
from browser.couch.shards import document_exists, membership, shard_map
from browser.couch.shards import document_shard as shard_of
from browser.forms.shards import ShardLookupForm


@needs("has_shards")
@require_GET
def database_shards(request, db):
    lookup = ShardLookupForm(request.GET if "docid" in request.GET else None)
    if lookup.is_bound and lookup.is_valid():
        return redirect("browser:document-shard", db=db, docid=lookup.cleaned_data["docid"])
    info = database_info(request.couch, db)
    nodes = membership(request.couch)
    context = {"db": db, "info": info, "lookup": lookup, "membership": nodes,
               "shards": shard_map(request.couch, db, nodes)}
    return render(request, "browser/shards.html", context, status=400 if lookup.errors else 200)


@needs("has_shards")
@require_GET
def document_shard(request, db, docid):
    nodes = membership(request.couch)
    info = database_info(request.couch, db)
    context = {"db": db, "docid": docid, "lookup": ShardLookupForm(initial={"docid": docid}),
               "shard": shard_of(request.couch, db, docid), "membership": nodes, "info": info,
               "exists": document_exists(request.couch, db, docid),
               "partition": _partition_of(docid) if info.partitioned else None}
    return render(request, "browser/shards_document.html", context)


def _partition_of(docid):
    partition, colon, _ = docid.partition(":")
    return partition if colon and not partition_problem(partition) else None
