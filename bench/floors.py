"""The floors a page is measured against, served by the same gunicorn command as the dashboard (bench/load.py):

- `bare`: a WSGI callable answering a short text, nothing else: what gunicorn itself costs a request;
- `hello`: Django with the middleware `startproject` writes and one view answering a short text: what
  Django itself costs (this module is its settings module), and at /template/ a 10 KB page from a Jinja2
  template.

Every path answers, so the login page's address does too.
"""

SECRET_KEY = "benchmark-floor-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.floors"
USE_TZ = True
DATABASES: dict[str, dict[str, str]] = {}
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.jinja2.Jinja2", "DIRS": [], "OPTIONS": {}}]
# What a 10 KB page of the dashboard is made of, roughly: a head, a list of links, a table.
PAGE = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>{{ title }}</title></head><body>"
        "<ul>{% for i in range(80) %}<li><a href=\"/db/{{ name }}{{ i }}/\">{{ name }} {{ i }}</a></li>"
        "{% endfor %}</ul>"
        "<table>{% for i in range(120) %}<tr><td>{{ i }}</td><td>{{ name }}</td><td>{{ title }}</td></tr>{% endfor %}"
        "</table></body></html>")


def bare(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def hello_view(request):
    from django.http import HttpResponse

    return HttpResponse("hello", content_type="text/plain")


def template_view(request):
    from django.http import HttpResponse
    from django.template import engines

    return HttpResponse(engines["jinja2"].from_string(PAGE).render({"title": "floor", "name": "database"}, request))


def _urlpatterns():
    from django.urls import re_path

    return [re_path(r"^template/$", template_view), re_path(r"", hello_view)]


_django = None


def hello(environ, start_response):
    """Django: /template/ answers the 10 KB page, any other path the short text."""
    global _django, urlpatterns
    if _django is None:
        import os

        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floors"
        from django.core.wsgi import get_wsgi_application

        urlpatterns = _urlpatterns()
        _django = get_wsgi_application()
    return _django(environ, start_response)


urlpatterns: list[object] = []
