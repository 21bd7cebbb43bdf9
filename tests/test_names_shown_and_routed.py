"""Names and ids are shown so that nothing hides in them, and database-name URLs take only database names."""

import pytest
from django.urls import reverse

from browser.visible_text import visible
from tests.conftest import RUN_ID, put_document


@pytest.mark.parametrize("path", ["/db/_node/doc/_local/_config", "/db/_node/", "/db/_stats/", "/db/_config/",
                                  "/db/_system/", "/db/_all_dbs/", "/db/_session/", "/db/Upper/",
                                  "/db/_utils/"])
def test_a_database_url_that_names_no_database_is_not_found(admin_client, path):
    assert admin_client.get(path).status_code == 404


@pytest.mark.parametrize("system", ["_users", "_replicator"])
def test_system_databases_still_open(admin_client, system, couch_server):
    response = admin_client.get(f"/db/{system}/")
    assert response.status_code == 200


@pytest.mark.parametrize("hidden, shown", [
    ("ad\u200bmin", "ad⟦U+200B⟧min"),
    ("\u202eevil.exe", "⟦U+202E⟧evil.exe"),
    ("tab\there", "tab⟦U+0009⟧here"),
    ("plain é 名前", "plain é 名前"),
])
def test_invisible_and_direction_changing_characters_are_shown(hidden, shown):
    assert visible(hidden) == shown


def test_a_user_named_like_admin_reads_differently_in_the_user_list_and_the_audit_log(admin_client, couch_server):
    name = f"ad\u200bmin-{RUN_ID}"
    http = couch_server.admin_http()
    doc_url = f"{couch_server.url}_users/org.couchdb.user:{name}"
    http.put(doc_url, json={"name": name, "password": "x", "roles": [], "type": "user"}).raise_for_status()
    try:
        users = admin_client.get(reverse("browser:users"), {"start": f"ad\u200bmin-{RUN_ID}"}).content.decode()
        assert f"ad⟦U+200B⟧min-{RUN_ID}" in users
        admin_client.post(reverse("browser:user-edit", kwargs={"name": name}), {"action": "roles", "roles": "x"})
        audit = admin_client.get(reverse("browser:audit"), {"target": name}).content.decode()
        assert f"ad⟦U+200B⟧min-{RUN_ID}" in audit
    finally:
        current = http.get(doc_url).json()
        http.delete(doc_url, params={"rev": current["_rev"]})


def test_a_document_id_with_a_direction_override_shows_it(admin_client, make_database, couch_server):
    db = make_database()
    docid = "invoice-\u202egpj.exe"
    put_document(couch_server, db, docid, {"v": 1})
    listing = admin_client.get(reverse("browser:database", kwargs={"db": db})).content.decode()
    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": docid})).content.decode()
    for html in (listing, page):
        assert "invoice-⟦U+202E⟧gpj.exe" in html


@pytest.mark.parametrize("hidden, shown", [
    (" leading-space", "⟦U+0020⟧leading-space"),
    ("trailing-space ", "trailing-space⟦U+0020⟧"),
    ("  two ", "⟦U+0020⟧⟦U+0020⟧two⟦U+0020⟧"),
    ("\u00a0no-break", "⟦U+00A0⟧no-break"),
    ("inner space", "inner space"),
])
def test_white_space_at_either_end_is_shown(hidden, shown):
    assert visible(hidden) == shown


@pytest.mark.parametrize("emoji", ["🛋️", "👩‍💻", "👩🏽‍💻", "🏳️‍🌈", "1️⃣", "❤️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "sofa-🛋️-x"])
def test_what_belongs_to_an_emoji_keeps_its_look(emoji):
    assert visible(emoji) == emoji


@pytest.mark.parametrize("hidden, shown", [
    ("a\ufe0f", "a⟦U+FE0F⟧"),            # a selector after a letter changes nothing a reader sees
    ("ad\u200dmin", "ad⟦U+200D⟧min"),    # a joiner between letters
    ("👩\u200d", "👩⟦U+200D⟧"),          # a joiner with nothing to join
    ("👩\u200b💻", "👩⟦U+200B⟧💻"),      # a zero-width space is never an emoji's
    ("🛋️\u202e", "🛋️⟦U+202E⟧"),          # nor a bidi override
    ("x\U000e0067", "x⟦U+E0067⟧"),       # tag characters outside a flag
])
def test_hidden_characters_near_emoji_are_still_shown(hidden, shown):
    assert visible(hidden) == shown


def test_an_id_with_spaces_at_its_ends_reads_apart_and_purge_takes_it_as_shown(admin_client, make_database,
                                                                              couch_server):
    db = make_database()
    put_document(couch_server, db, " leading-space", {"v": 1})
    put_document(couch_server, db, "leading-space", {"v": 2})
    listing = admin_client.get(reverse("browser:database", kwargs={"db": db})).content.decode()
    assert ">⟦U+0020⟧leading-space<" in listing and ">leading-space<" in listing
    if not couch_server.is_apache_couchdb:
        return  # pouchdb-server has no _purge: the rest is CouchDB's
    purge = reverse("browser:document-purge", kwargs={"db": db, "docid": " leading-space"})
    page = admin_client.get(purge).content.decode()
    assert "⟦U+0020⟧leading-space" in page
    seen = [line.split('value="')[1].split('"')[0] for line in page.split("\n") if 'name="seen"' in line]
    answer = admin_client.post(purge, {"scope": "all", "seen": seen, "confirm_id": "⟦U+0020⟧leading-space"})
    assert answer.status_code == 200 and "What you typed is not" not in answer.content.decode()
    gone = couch_server.admin_http().get(f"{couch_server.url}{db}/%20leading-space", timeout=10)
    assert gone.status_code == 404
    assert couch_server.admin_http().get(f"{couch_server.url}{db}/leading-space", timeout=10).status_code == 200
