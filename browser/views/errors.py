"""Django's own error pages, in the dashboard's layout."""

from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "404.html", {"reason": "There is no page at this address."}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or ""), "permission": ""}, status=403)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)
