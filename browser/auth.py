"""What the Django session remembers of the CouchDB login: the AuthSession token and the userCtx."""

import time

from browser.couch.session import UserContext

TOKEN_KEY = "couch_token"
USER_KEY = "couch_user"
RECENT_KEY = "recent_databases"
LOGIN_AT_KEY = "login_at"
OWN_PASSWORD_KEY = "may_change_own_password"


def remember_login(request, token, user):
    """A new session for this login: nothing of an earlier one (another person's recent databases) carries over."""
    request.session.flush()
    request.session[TOKEN_KEY] = token
    request.session[USER_KEY] = {"name": user.name, "roles": list(user.roles)}
    request.session[LOGIN_AT_KEY] = int(time.time())


def remember_own_password_right(request, allowed):
    request.session[OWN_PASSWORD_KEY] = bool(allowed)


def may_change_own_password(session):
    return session.get(OWN_PASSWORD_KEY) is True


def login_expired(session, lifetime):
    """Whether this login is older than `lifetime` seconds, however active it has been."""
    started = session.get(LOGIN_AT_KEY)
    return not isinstance(started, int) or time.time() - started > lifetime


def logged_in_user(session):
    data = session.get(USER_KEY)
    if not data:
        return None
    return UserContext(name=data.get("name"), roles=tuple(data.get("roles") or ()))


def remember_recent_database(request, name, keep):
    current = request.session.get(RECENT_KEY, [])
    recent = [name, *(n for n in current if n != name)][:keep]
    if recent != current:  # an unchanged session is not written again
        request.session[RECENT_KEY] = recent


def recent_databases(session):
    return list(session.get(RECENT_KEY, []))


def public(view):
    """Mark a view as reachable without a CouchDB login."""
    view.couch_login_not_required = True
    return view


def session_not_needed(view):
    """Mark a view that answers even while the session store is unreachable (it reads no session)."""
    view.session_not_needed = True
    return view
