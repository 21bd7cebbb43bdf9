"""Login and logout through CouchDB's /_session."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from browser.auth import logged_in_user, public, remember_login, remember_own_password_right
from browser.couch.errors import CouchError, CouchUnavailable
from browser.couch.session import logout
from browser.couch.users import can_change_own_password
from browser.forms.auth import LoginForm
from browser.login_throttle import LoginRefused, checked_login, client_address
from browser.responses import safe_next
from browser.session_store import session_store


@public
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "GET":
        session_store().ping()  # unreachable: the page says so before anybody types a password
    if request.method == "POST" and form.is_valid():
        try:
            user, client = checked_login(client_address(request), form.cleaned_data["username"],
                                         form.cleaned_data["password"])
        except LoginRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            remember_login(request, client.token, user)
            remember_own_password_right(request, user.name and can_change_own_password(client, user.name))
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
