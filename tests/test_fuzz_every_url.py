"""Every URL pattern, with hostile and malformed values in every parameter (path, query string, form
fields, htmx headers), as anonymous, outsider, member, database admin and server admin: never a 500, and
never a 502 (which means CouchDB failed; here it always answers)."""

import itertools
import json
from collections import Counter

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from browser.urls import urlpatterns
from tests.conftest import TEAM, log_in, put_document

PARAMS = ["rev", "mode", "start", "before", "prefix", "limit", "jump", "columns", "descending", "name", "history",
          "bookmark", "key", "keys", "startkey", "endkey", "startkey_docid", "scanned", "preview", "download",
          "inline", "op", "switch", "text", "selector", "sort", "fields", "use_index", "action", "docid", "value",
          "section", "kind", "seen", "keep", "merged", "base_rev", "attachments", "overwrite_rev", "destination",
          "new_name", "roles", "password", "confirm", "target", "who", "group_level", "reduce", "include_docs",
          "next", "merge_theirs_rev", "path-1", "take-1", "f:r:t", "f:r.0:k", "f:r.0:t", "f:r.0:v", "f:r.²:k",
          "view-²-name", "index", "ddoc", "type", "partial_filter_selector", "execution_stats", "skip", "q", "n",
          "partitioned", "username", "selected", "compact", "cleanup", "order", "id_prefix", "filter", "since",
          "live", "top", "below", "after", "arrived", "partition", "view", "run"]
DEEP = "[" * 10_000 + "]" * 10_000
VALUES = ["", "²", "-1", "abc", "99999999999999999999", "[{}]", '[{"a":"asc","b":"asc"}]', "null", '{"a":1}',
          "\x00", "%", "../..", "skip:x", "1e400", "[" * 600 + "]" * 600, DEEP, "x" * 5000, "_design/",
          '{"$regex": "("}', "true"]
PERSONAS = ["anonymous", "outsider", "member", "dbadmin", "admin"]


def path_values(db, docid, writing):
    """Path arguments by converter: real and hostile ones. Posts stay inside the test's own database, so the
    fuzz never changes anything else on the server (users, passwords, other databases)."""
    return {"dbname": [db] if writing else [db, "_users", "no-such-db", "a/b"],
            "docid": [docid, "..", "missing/one", "_design/none", "_local/x", "a\nb", "名前 ? # %"]}


# Posts to these would change things outside the test database, or end the fuzzing client's session.
NOT_POSTED = {"logout", "own-password", "users", "user-edit", "database-create", "database-open"}


def every_pattern(patterns):
    """Every pattern, those of included modules too."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from every_pattern(pattern.url_patterns)
        else:
            assert isinstance(pattern, URLPattern)
            yield pattern


def urls_for(db, docid, writing):
    values = path_values(db, docid, writing)
    for pattern in every_pattern(urlpatterns):
        converters = pattern.pattern.converters
        if writing and (pattern.name in NOT_POSTED or (pattern.name != "login" and not converters)):
            continue
        if pattern.name == "logout":
            continue
        names = list(converters)
        kinds = ["dbname" if type(converters[n]).__name__.startswith("Database") else "docid" for n in names]
        for combo in itertools.islice(itertools.product(*[values[k] for k in kinds]), 6):
            yield reverse(f"browser:{pattern.name}", kwargs=dict(zip(names, combo, strict=True)))


@pytest.fixture
def target(make_database, couch_server):
    db = make_database(security=TEAM)
    put_document(couch_server, db, "doc", {"v": 1, "nested": {"a": [1, 2]}})
    put_document(couch_server, db, "_design/d", {"views": {"v": {"map": "function (doc) { emit(doc.v, 1); }",
                                                                 "reduce": "_count"}}})
    put_document(couch_server, db, "_local/couchadmin-queries", {"saved": [1, {"x": None}], "history": ["x", 5]})
    return db, "doc"


def clients(personas):
    """One client per persona, each from an address of its own (failed logins are counted per address)."""
    made = {"anonymous": Client(raise_request_exception=False, REMOTE_ADDR="10.77.0.1")}
    for i, key in enumerate(PERSONAS[1:], start=2):
        made[key] = log_in(Client(raise_request_exception=False, REMOTE_ADDR=f"10.77.0.{i}"), personas[key])
    return made


def _pouchdb_crashes_on(couch_server, url):
    # pouchdb-server answers a non-admin's request for _users' local documents with a 500 JavaScript
    # TypeError ("reading 'getSecurity'"), which the dashboard rightly shows as the server failing (502).
    # Apache CouchDB answers 403 there, and the same fuzz on CouchDB counts any 502 as a failure.
    return not couch_server.is_apache_couchdb and url.startswith("/db/_users/")


def test_no_input_gives_a_500_or_a_502(target, personas, couch_server):
    db, docid = target
    failures, sent = [], 0
    for who, client in clients(personas).items():
        for method, writing in ((client.get, False), (client.post, True)):
            for i, url in enumerate(dict.fromkeys(urls_for(db, docid, writing))):
                for j, value in enumerate(VALUES):
                    params = {p: value for p in PARAMS} if j % 2 == 0 else {PARAMS[(i + j) % len(PARAMS)]: value}
                    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": value[:300]} if j % 3 == 0 else {}
                    response = method(url, params, **headers)
                    sent += 1
                    if response.status_code == 502 and _pouchdb_crashes_on(couch_server, url):
                        continue
                    if response.status_code in (500, 502):
                        failures.append((response.status_code, who, method.__name__, url, json.dumps(params)[:160]))
    print(f"fuzz: {sent} requests")
    kinds = Counter((status, who, method, url.replace(db, "DB")) for status, who, method, url, _ in failures)
    examples = {(s, w, m, u.replace(db, "DB")): p for s, w, m, u, p in failures}
    report = "\n".join(f"{n} x {kind}: e.g. {examples[kind]}" for kind, n in kinds.most_common(40))
    assert not failures, f"{len(failures)} of {sent} requests failed:\n{report}"
