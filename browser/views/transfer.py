"""Export and import (being built for issue 14)."""

from django.http import Http404


def export_page(request, db):
    raise Http404("not built yet")


def import_page(request, db):
    raise Http404("not built yet")
