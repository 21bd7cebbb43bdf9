"""Someone who can write to or read the session store (Redis, or the folder of files) attacks the dashboard
through it, against real gunicorn copies: a crafted pickle runs no code, and a dump of every key yields no
CouchDB token and no session cookie that CouchDB or the dashboard would accept."""

import hashlib
import json
import os
import pickle
import uuid

import pytest
import redis
import requests
from django.test import override_settings

from browser.login_throttle import _keys as counter_keys
from browser.session_backend import storage_name, unseal
from browser.session_store import FileStore
from tests.test_shared_sessions import (  # noqa: F401 - fixtures
    COPY_SECRET_KEY,
    logged_in,
    post_form,
    redis_server,
    redis_url,
    start_copy,
    stop_copy,
)

SESSION_KEY = "a" * 16 + uuid.uuid4().hex[:16]


class RunsCode:
    """Unpickling this runs a shell command that creates the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def crafted(marker):
    return pickle.dumps(RunsCode(marker))


def old_cache_file(var_dir, key):
    """Where Django's FileBasedCache (the login counters until now) kept a key: its first pickle is loaded."""
    return var_dir / "cache" / (hashlib.md5(f":1:{key}".encode(), usedforsecurity=False).hexdigest() + ".djcache")


def plant(store_kind, var_dir, url, name, marker):
    """A crafted pickle under the browser's session key and under the login counters of (127.0.0.1, name):
    where this dashboard keeps them, and where Django's cache kept them until now."""
    payload = crafted(marker)
    ours = [storage_name(SESSION_KEY), *counter_keys("127.0.0.1", name)]
    old_counters = [key.replace("login:", "login-fail:", 1) for key in counter_keys("127.0.0.1", name)]
    if store_kind == "redis":
        client = redis.Redis.from_url(url)
        for key in [*ours, f":1:django.contrib.sessions.cache{SESSION_KEY}", *(f":1:{k}" for k in old_counters)]:
            client.set(key, payload)
        return
    store = FileStore(var_dir / "store")
    store.folder.mkdir(parents=True, exist_ok=True)
    for key in ours:
        store.path(key).write_bytes(payload)
    for key in old_counters:
        old_cache_file(var_dir, key).parent.mkdir(parents=True, exist_ok=True)
        old_cache_file(var_dir, key).write_bytes(payload)


@pytest.mark.parametrize("store_kind", ["files", "redis"])
def test_a_crafted_pickle_in_the_store_runs_no_code_and_answers_normally(store_kind, couch_server, personas,
                                                                        tmp_path, request):
    url = request.getfixturevalue("redis_url") if store_kind == "redis" else ""
    marker, var_dir, name = tmp_path / "pwned", tmp_path / "var", f"ca-nobody-{uuid.uuid4().hex[:8]}"
    process, base = start_copy(couch_server.url, var_dir, url)
    try:
        plant(store_kind, var_dir, url, name, marker)
        browser = requests.Session()
        browser.cookies.set("sessionid", SESSION_KEY)
        page = browser.get(f"{base}/server/", allow_redirects=False, timeout=10)
        assert page.status_code == 302 and page.headers["Location"].startswith("/login/")  # logged out
        wrong = post_form(browser, f"{base}/login/", {"username": name, "password": "wrong"})
        assert wrong.status_code == 400 and "user name or password is incorrect" in wrong.text
        member = personas["member"]
        right = post_form(browser, f"{base}/login/", {"username": member.name, "password": member.password})
        assert right.status_code == 302 and logged_in(browser, base)
    finally:
        stop_copy(process)
    assert not marker.exists()


def leaves(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)


def accepted_by_couchdb(couch_server, candidate):
    try:
        answer = requests.get(couch_server.url + "_session", headers={"Cookie": f"AuthSession={candidate}",
                                                                       "Accept": "application/json"}, timeout=10)
    except (requests.RequestException, ValueError, UnicodeError):
        return False  # not even sendable as a cookie
    return answer.status_code == 200 and (answer.json().get("userCtx") or {}).get("name") is not None


def test_a_dump_of_redis_after_a_login_holds_no_usable_token_or_session_cookie(couch_server, personas, tmp_path,
                                                                             redis_url):  # noqa: F811
    process, base = start_copy(couch_server.url, tmp_path / "var", redis_url)
    try:
        browser, admin = requests.Session(), personas["admin"]
        assert post_form(browser, f"{base}/login/", {"username": admin.name,
                                                     "password": admin.password}).status_code == 302
        assert logged_in(browser, base)
        cookie = browser.cookies.get("sessionid")
        client = redis.Redis.from_url(redis_url)
        dump = {key: client.get(key) for key in client.scan_iter("*") if client.type(key) == b"string"}
        candidates = dumped_strings(dump)
        # Nor does the dashboard take any of them as its session cookie.
        for candidate in candidates:
            stranger = requests.Session()
            stranger.cookies.set("sessionid", candidate)
            assert not logged_in(stranger, base)
    finally:
        stop_copy(process)
    # The test, holding the copy's SECRET_KEY, can open the session: the token is in it, and CouchDB takes it.
    with override_settings(SECRET_KEY=COPY_SECRET_KEY):
        token = unseal(json.loads(dump[storage_name(cookie).encode()]), storage_name(cookie))["couch_token"]
    assert accepted_by_couchdb(couch_server, token)
    raw = b"\n".join([*dump.keys(), *dump.values()])
    assert token.encode() not in raw and cookie.encode() not in raw
    assert not [candidate for candidate in candidates if accepted_by_couchdb(couch_server, candidate)]


def dumped_strings(dump):
    """Every key and value of a dump as text, and every string inside the values that are JSON."""
    found = {blob.decode("latin-1") for blob in [*dump.keys(), *dump.values()]}
    for blob in dump.values():
        try:
            found.update(leaves(json.loads(blob)))
        except ValueError:
            pass
    return found
