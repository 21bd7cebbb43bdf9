"""Login and logout through CouchDB's /_session."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from browser.auth import logged_in_user, public, remember_login
from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchUnavailable, Unauthorized
from browser.couch.session import login, logout
from browser.forms import LoginForm
from browser.views.responses import safe_next


@public
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = CouchClient()
        try:
            user = login(client, form.cleaned_data["username"], form.cleaned_data["password"])
        except Unauthorized:
            form.add_error(None, "The user name or password is incorrect.")
        except CouchUnavailable as exc:
            form.add_error(None, f"CouchDB at {exc.url} cannot be reached: {exc.reason}.")
        except CouchError as exc:
            form.add_error(None, f"CouchDB refused the login: {exc.message}")
        else:
            remember_login(request, client.token, user)
            return redirect(safe_next(request, reverse("browser:databases")))
    context = {"form": form, "next": safe_next(request, ""), "current": logged_in_user(request.session)}
    return render(request, "browser/login.html", context, status=400 if form.errors else 200)


@public
@require_POST
def logout_view(request):
    if request.couch.token:
        try:
            logout(request.couch)
        except (CouchError, CouchUnavailable):
            pass  # The dashboard forgets the session either way.
    request.session.flush()
    return redirect("browser:login")
