"""Partition pages: what partitions are and a form to open one by name; one partition's counts, documents
(paged by key), a Mango query and the views that run within it."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from browser.capabilities import needs
from browser.couch.databases import database_info
from browser.couch.documents import Listing
from browser.couch.partitions import partition_documents, partition_info, partition_problem, partition_views
from browser.forms.documents import DocumentListForm
from browser.forms.mango import MangoForm
from browser.forms.partitions import PartitionOpenForm


@needs("has_partitions")
@require_GET
def partition_home(request, db):
    form = PartitionOpenForm(request.GET if "partition" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("browser:partition", db=db, partition=form.cleaned_data["partition"])
    return _home(request, db, form, status=400 if form.errors else 200)


def _home(request, db, form, status=200, problem=""):
    context = {"db": db, "form": form, "info": database_info(request.couch, db), "problem": problem}
    return render(request, "browser/partitions.html", context, status=status)


@needs("has_partitions")
@require_GET
def partition_detail(request, db, partition):
    problem = partition_problem(partition)
    if problem:
        form = PartitionOpenForm({"partition": partition})
        return _home(request, db, form, status=400, problem=f"“{partition}” is not a partition name: {problem}")
    info = database_info(request.couch, db)
    if not info.partitioned:
        return _home(request, db, PartitionOpenForm(initial={"partition": partition}), status=400)
    options = DocumentListForm(request.GET).values()
    listing = Listing(limit=options["limit"], start=options["start"], before=options["before"])
    context = {"db": db, "partition": partition, "info": info,
               "partition_info": partition_info(request.couch, db, partition),
               "page": partition_documents(request.couch, db, partition, listing),
               "views": partition_views(request.couch, db),
               "mango_form": MangoForm(initial={"partition": partition})}
    return render(request, "browser/partition.html", context)
