"""Login and logout through CouchDB's /_session."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from browser import login_throttle
from browser.auth import logged_in_user, public, remember_login, remember_own_password_right
from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchUnavailable, Forbidden, Unauthorized
from browser.couch.session import login, logout
from browser.couch.users import can_change_own_password
from browser.forms import LoginForm
from browser.login_throttle import client_address
from browser.views.responses import safe_next


@public
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, client = _log_in(request, form)
        if user:
            remember_login(request, client.token, user)
            remember_own_password_right(request, user.name and can_change_own_password(client, user.name))
            return redirect(safe_next(request, reverse("browser:databases")))
    context = {"form": form, "next": safe_next(request, ""), "current": logged_in_user(request.session)}
    return render(request, "browser/login.html", context, status=400 if form.errors else 200)


def _log_in(request, form):
    """Ask CouchDB, unless this client has failed too often; answers (user or None, client)."""
    name, address, client = form.cleaned_data["username"], client_address(request), CouchClient()
    minutes = -(-settings.LOGIN_THROTTLE_SECONDS // 60)
    if login_throttle.refused(address, name):
        form.add_error(None, f"Too many failed logins from your address. Wait {minutes} minutes, then try again.")
        return None, client
    try:
        user = login(client, name, form.cleaned_data["password"], client_address=address)
    except Unauthorized:
        login_throttle.failed(address, name)
        form.add_error(None, "The user name or password is incorrect.")
    except Forbidden:
        # CouchDB 3's lockout: 403 after repeated failures for this user from this address.
        form.add_error(None, "CouchDB has locked this account for logins from your address after repeated "
                             "failures. Wait a few minutes (5 by default), then try again.")
    except CouchUnavailable as exc:
        form.add_error(None, f"CouchDB at {exc.url} cannot be reached: {exc.reason}.")
    except CouchError as exc:
        form.add_error(None, f"CouchDB refused the login ({exc.status} {exc.error}).")
    else:
        login_throttle.succeeded(address, name)
        return user, client
    return None, client


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
