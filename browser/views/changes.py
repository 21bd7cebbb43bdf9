"""Changes feed page (being built for issue 13)."""

from django.http import Http404


def changes_feed(request, db):
    raise Http404("not built yet")
