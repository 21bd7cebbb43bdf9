"""Deleted documents (being built for issue 17)."""

from django.http import Http404


def deleted_list(request, db):
    raise Http404("not built yet")


def deleted_document(request, db, docid):
    raise Http404("not built yet")
