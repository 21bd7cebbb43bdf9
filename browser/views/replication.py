"""Replication pages (being built for issue 13)."""

from django.http import Http404


def replication_list(request):
    raise Http404("not built yet")


def replication_start(request):
    raise Http404("not built yet")


def replication_doc(request, docid):
    raise Http404("not built yet")


def replication_job(request, job_id):
    raise Http404("not built yet")
