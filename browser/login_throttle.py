"""Every password the dashboard hands to CouchDB goes through here first: the login form's, and those the
replication form forwards for this same server.

CouchDB 3 locks an account for everybody who comes from the same address after 5 failures, and every login
comes from the dashboard's address: the dashboard names the person's address to CouchDB (X-Forwarded-For),
and counts failures itself in the session store, so that nobody can lock anybody out.

The choice, against an attacker who shares the victim's address (behind NAT, or a proxy whose
X-Forwarded-For is not trusted):
- Per client address and user name, attempts are *reserved* atomically before CouchDB is asked (INCR in Redis,
  a locked file otherwise). A reservation past LOGIN_FAILURES_PER_USER is refused without asking CouchDB; a
  reservation is given back when CouchDB could not say (unreachable, its own lockout, another error), and
  the count starts again after a right password. Forty concurrent wrong logins for one name reach CouchDB
  at most LOGIN_FAILURES_PER_USER times (a check, then an increment afterwards, let 16 of 40 through).
- Per client address, failures under any name are counted too; past LOGIN_FAILURES_PER_CLIENT, a login from
  that address waits LOGIN_SLOWDOWN_SECONDS (at most SLOWDOWN_MOST) before CouchDB is asked. It is never
  refused: a right password is never refused for failures made under other names. Name spraying is slowed
  down; one person spraying costs the others at their address a second per login, no more.
- The audit writer's name (AUDIT_WRITER_NAME) is reserved: it is refused with the words of a wrong password,
  never sent to CouchDB and never counted, so that nobody can lock the audit writer out through the
  dashboard."""

import hashlib
import time

from django.conf import settings

from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchSlow, CouchUnavailable, Forbidden, Unauthorized
from browser.couch.session import login
from browser.session_store import session_store

SLOWDOWN_MOST = 5.0
WRONG = "The user name or password is incorrect."
LOCKED = ("CouchDB has locked this account for logins from your address after repeated failures. Wait a few "
          "minutes (5 by default), then try again.")


class LoginRefused(Exception):
    """A login that did not happen, with the words the person reads."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


def client_address(request):
    """The address of the person's browser (the last X-Forwarded-For hop behind a trusted proxy)."""
    if settings.TRUST_X_FORWARDED_FOR:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def _keys(address, username):
    user = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    client = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"login:{client}:{user}", f"login:{client}"


def too_many():
    minutes = -(-settings.LOGIN_THROTTLE_SECONDS // 60)
    return f"Too many failed logins from your address. Wait {minutes} minutes, then try again."


def checked_login(address, name, password):
    """POST /_session as `name`, naming the client's `address`, within the limits above: (user, client holding
    the new token), or LoginRefused. StoreUnavailable when the counts cannot be kept."""
    if name == settings.AUDIT_WRITER_NAME:
        raise LoginRefused(WRONG)
    store, (per_user, per_client) = session_store(), _keys(address, name)
    if store.incr(per_user, settings.LOGIN_THROTTLE_SECONDS) > settings.LOGIN_FAILURES_PER_USER:
        store.release(per_user)
        raise LoginRefused(too_many())
    if store.count(per_client) >= settings.LOGIN_FAILURES_PER_CLIENT:
        time.sleep(min(settings.LOGIN_SLOWDOWN_SECONDS, SLOWDOWN_MOST))
    client = CouchClient()
    try:
        user = login(client, name, password, client_address=address)
    except Unauthorized:
        store.incr(per_client, settings.LOGIN_THROTTLE_SECONDS)  # the reservation stays: a failure
        raise LoginRefused(WRONG) from None
    except (CouchError, CouchUnavailable) as exc:
        store.release(per_user)
        raise LoginRefused(_not_asked(exc)) from None
    store.reset(per_user)
    return user, client


def _not_asked(exc):
    """Why CouchDB did not say whether the password is right (the internal URL is never shown)."""
    if isinstance(exc, Forbidden):  # CouchDB 3's lockout: 403 after repeated failures for this user and address
        return LOCKED
    if isinstance(exc, CouchSlow):
        return (f"CouchDB is taking longer than {exc.seconds:g} seconds to answer the login: it is busy, not down. "
                "Try again in a moment.")
    if isinstance(exc, CouchUnavailable):
        return f"CouchDB cannot be reached: {exc.reason}."
    return f"CouchDB refused the login ({exc.status} {exc.error})."
