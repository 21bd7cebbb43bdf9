"""Active tasks page (being built for issue 13)."""

from django.http import Http404


def active_task_list(request):
    raise Http404("not built yet")
