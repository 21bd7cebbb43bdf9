"""The fast document links of long lists are the very links {% url %} writes, for every hostile id."""

import pytest
from django.urls import reverse

from browser.rendering.links import database_prefix, db_path, doc_path, url_prefix
from tests.support.data import HOSTILE

IDS = [*HOSTILE["document_ids"], ".", "..", "~..", "a/./b", "a/../b", "%2e%2e", "/lead", "trail/", "x//y",
       "名前 ? # % & +", "line\nbreak", "_design/x/y", "_local/.."]


@pytest.mark.parametrize("name", ["browser:document", "browser:document-conflicts", "browser:document-revisions"])
@pytest.mark.parametrize("db", ["plain", "team/orders"])
def test_doc_path_writes_what_reverse_writes(name, db):
    prefix = url_prefix(name, db)
    for docid in IDS:
        assert doc_path(docid, prefix) == reverse(name, kwargs={"db": db, "docid": docid}), docid


def test_under_a_sub_path_too(settings):
    from django.urls import set_script_prefix

    set_script_prefix("/dash/")
    try:
        prefix = url_prefix("browser:document", "db")
        assert prefix.startswith("/dash/")
        assert doc_path("a/..", prefix) == reverse("browser:document", kwargs={"db": "db", "docid": "a/.."})
    finally:
        set_script_prefix("/")


def test_db_path_writes_what_reverse_writes():
    prefix = database_prefix()
    for name in [*HOSTILE["database_names"], "plain", "team/orders", "a$b(c)+d-e_f", "_users", "_replicator"]:
        assert db_path(name, prefix) == reverse("browser:database", kwargs={"db": name}), name
