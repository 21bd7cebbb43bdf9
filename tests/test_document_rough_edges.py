"""Small ways a write went wrong or a page said something untrue: the id typed as "_id", "_deleted"
in the editor, the stored document's JSON, revisions really available, partitioned ids."""

from html import unescape

import pytest
from django.urls import reverse

from browser.forms.document import NewDocumentForm
from tests.conftest import fetch_document, put_document
from tests.support.compaction import compact_until_gone
from tests.support.eventually import eventually


@pytest.fixture
def db(make_database):
    return make_database()


def new_url(db):
    return reverse("browser:document-new", kwargs={"db": db})


def test_an_id_typed_as__id_in_the_json_is_the_new_documents_id(admin_client, db, couch_server):
    response = admin_client.post(new_url(db), {"docid": "", "mode": "text", "text": '{"_id": "typed/one", "x": 1}'})
    assert response.status_code == 302
    assert response["Location"] == reverse("browser:document", kwargs={"db": db, "docid": "typed/one"})
    assert fetch_document(couch_server, db, "typed/one")["x"] == 1


def test_two_different_ids_are_refused_and_the_text_is_kept(admin_client, db, couch_server):
    text = '{"_id": "from-json", "x": 1}'
    response = admin_client.post(new_url(db), {"docid": "from-field", "mode": "text", "text": text})
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "The JSON says “_id”: “from-json”, but this field says “from-field”" in page
    assert text in page
    assert "error" in fetch_document(couch_server, db, "from-json")


@pytest.mark.parametrize("text", ['{"_id": 5}', '{"_id": "_bad"}'])
def test_an__id_that_is_not_a_valid_id_is_refused(admin_client, db, text):
    response = admin_client.post(new_url(db), {"docid": "", "mode": "text", "text": text})
    assert response.status_code == 400


def test__deleted_true_in_the_editor_deletes_nothing_and_says_how_to_delete(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "keep", {"v": 1})
    text = '{"v": 1, "_deleted": true}'
    response = admin_client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": "keep"}),
                                 {"mode": "text", "base_rev": rev, "text": text})
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "would delete the document" in page and text in page
    assert fetch_document(couch_server, db, "keep")["_rev"] == rev
    created = admin_client.post(new_url(db), {"docid": "born-dead", "mode": "text", "text": '{"_deleted": true}'})
    assert created.status_code == 400


def test_the_json_shown_is_the_stored_document(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "plain", {"v": 1})
    put_document(couch_server, db, "plain", {"_rev": rev, "v": 2})
    url = reverse("browser:document", kwargs={"db": db, "docid": "plain"})
    page = admin_client.get(url).content.decode()
    shown = page[page.index('data-testid="document-json"'):page.index("</pre>", page.index("document-json"))]
    assert "_revs_info" not in shown and "_conflicts" not in shown and "&#34;v&#34;: 2" in shown
    download = admin_client.get(url, {"download": "json"}).content.decode()
    assert "_revs_info" not in download


def test_revisions_available_counts_only_revisions_whose_body_is_still_there(admin_client, db, couch_server):
    rev = first = put_document(couch_server, db, "old", {"v": 0})
    for v in range(1, 4):
        rev = put_document(couch_server, db, "old", {"_rev": rev, "v": v})
    url = reverse("browser:document", kwargs={"db": db, "docid": "old"})
    assert '<dt>Revisions available</dt><dd>4</dd>' in admin_client.get(url).content.decode()
    # On a cluster the copies compact one by one, and the page's read (a quorum of copies) says what they
    # have: wait for what the person would see once compaction is done everywhere.
    assert compact_until_gone(couch_server, db, "old", first), "compaction did not finish"
    page = eventually(lambda: admin_client.get(url).content.decode(),
                      until=lambda html: '<dt>Revisions available</dt><dd>1</dd>' in html)
    assert '<dt>Revisions available</dt><dd>1</dd>' in page


def test_a_partitioned_database_asks_for_partition_colon_id():
    assert not NewDocumentForm({"docid": ""}, partitioned=True).is_valid()
    assert not NewDocumentForm({"docid": "no-colon"}, partitioned=True).is_valid()
    assert not NewDocumentForm({"docid": "_p:x"}, partitioned=True).is_valid()
    for ok in ("sensor-1:reading-42", "_design/by-day", "_local/x"):
        assert NewDocumentForm({"docid": ok}, partitioned=True).is_valid(), ok
    typed = NewDocumentForm({"docid": ""}, partitioned=True, typed_id="p:from-json")
    assert typed.is_valid() and typed.cleaned_data["docid"] == "p:from-json"
    assert NewDocumentForm({"docid": ""}).is_valid()


@pytest.mark.couchdb3
def test_new_documents_in_a_partitioned_database_get_a_partition_id(admin_client, couch_server,
                                                                   drop_database_afterwards):
    from tests.conftest import RUN_ID

    name = f"ca-{RUN_ID}-parted"
    drop_database_afterwards(name)
    couch_server.admin_http().put(f"{couch_server.url}{name}", params={"partitioned": "true"}).raise_for_status()
    page = unescape(admin_client.get(new_url(name)).content.decode())
    assert "This database is partitioned: give “partition:id”" in page
    refused = admin_client.post(new_url(name), {"docid": "", "mode": "text", "text": "{}"})
    assert refused.status_code == 400 and "partition:id" in unescape(refused.content.decode())
    created = admin_client.post(new_url(name), {"docid": "sensor-1:r1", "mode": "text", "text": '{"t": 20}'})
    assert created.status_code == 302
    assert fetch_document(couch_server, name, "sensor-1:r1")["t"] == 20
