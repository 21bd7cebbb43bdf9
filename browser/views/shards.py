"""Shard pages (being built for issue 14)."""

from django.http import Http404


def database_shards(request, db):
    raise Http404("not built yet")


def document_shard(request, db, docid):
    raise Http404("not built yet")
