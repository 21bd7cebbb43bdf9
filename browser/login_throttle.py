"""Failed logins counted per client address in the session store, before they reach CouchDB.

CouchDB 3 locks an account for everybody who comes from the same address after 5 failures, and every
login comes from the dashboard's address: without this, anyone could lock anyone out."""

import hashlib

from django.conf import settings
from django.core.cache import cache


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
    return f"login-fail:{client}:{user}", f"login-fail:{client}"


def refused(address, username):
    """Whether this client has failed too often, for this user or for all, to ask CouchDB again now."""
    per_user, per_client = _keys(address, username)
    counts = cache.get_many([per_user, per_client])
    return (counts.get(per_user, 0) >= settings.LOGIN_FAILURES_PER_USER
            or counts.get(per_client, 0) >= settings.LOGIN_FAILURES_PER_CLIENT)


def failed(address, username):
    for key in _keys(address, username):
        if not cache.add(key, 1, settings.LOGIN_THROTTLE_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, settings.LOGIN_THROTTLE_SECONDS)


def succeeded(address, username):
    cache.delete(_keys(address, username)[0])
