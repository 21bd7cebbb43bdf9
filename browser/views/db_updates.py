"""Server-wide database updates (being built for issue 17)."""

from django.http import Http404


def database_updates(request):
    raise Http404("not built yet")
