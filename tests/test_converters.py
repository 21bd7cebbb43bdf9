"""Document ids in our URLs: every id comes back unchanged and no link holds a dot segment."""

import itertools
from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse

from browser.converters import DocumentIdConverter
from tests.conftest import log_in
from tests.support.data import HOSTILE

# What the WHATWG URL standard treats as "." or ".." in a path, compared case-insensitively.
DOT_SEGMENTS = {".", "%2e", "..", ".%2e", "%2e.", "%2e%2e"}
DOT_IDS = [".", "..", "./dot", "a/../b", "...", "%2e", "%2E%2e", "a/%2E%2E/b", "x/.", "/..", "../", "./.",
           ".%2e", "%2e.", "a/./b/../c"]
ESCAPE_IDS = ["~", "~.", "~..", "~~..", "~...", "a/~./b", "~/~", "x/~~.", "~%2e", ".~", "~.~"]
PIECES = ["", ".", "..", "...", "~", "~.", "~..", "~~.", ".~", "%2e", "%2E.", "a", "\n", "?#", " "]
COMBINED_IDS = ["/".join(parts) for n in (1, 2, 3) for parts in itertools.product(PIECES, repeat=n) if any(parts)]
URL_NAMES = ["document", "document-edit", "document-copy", "document-delete", "document-revisions",
             "document-conflicts", "attachment-list", "attachment", "attachment-upload", "attachment-delete",
             "attachment-rename"]


def _document_url(docid, name="document"):
    return reverse(f"browser:{name}", kwargs={"db": "x", "docid": docid})


def _routed_id(url):
    # What WSGI hands Django: the path with every %XX decoded.
    return resolve(unquote(url, errors="strict")).kwargs["docid"]


def _dot_segments_in(url):
    return [segment for segment in url.split("/") if segment.lower() in DOT_SEGMENTS]


@pytest.mark.parametrize("docid", HOSTILE["document_ids"] + DOT_IDS + ESCAPE_IDS)
def test_every_id_comes_back_from_its_url_unchanged(docid):
    for name in URL_NAMES:
        assert _routed_id(_document_url(docid, name)) == docid


def test_every_combination_of_dots_escapes_and_slashes_round_trips_without_a_dot_segment():
    for docid in COMBINED_IDS:
        url = _document_url(docid)
        assert _routed_id(url) == docid, url
        assert _dot_segments_in(url) == [], url


@pytest.mark.parametrize("docid", HOSTILE["document_ids"] + DOT_IDS + ESCAPE_IDS)
def test_no_url_holds_a_dot_segment_in_any_spelling(docid):
    assert _dot_segments_in(_document_url(docid)) == []


def test_the_converter_round_trips_on_its_own():
    converter = DocumentIdConverter()
    for docid in COMBINED_IDS + DOT_IDS + ESCAPE_IDS:
        assert converter.to_python(converter.to_url(docid)) == docid


@pytest.mark.parametrize("docid, path", [
    ("plain", "plain"), ("slash/inside/id", "slash/inside/id"), ("...", "..."), (".x", ".x"), ("x.", "x."),
    ("~tilde", "~tilde"), ("a~b", "a~b"), ("_design/ddoc", "_design/ddoc"),
    (".", "~."), ("..", "~.."), ("a/../b", "a/~../b"), ("x/.", "x/~."), ("~..", "~~.."), ("~.", "~~."),
])
def test_ordinary_ids_read_as_they_are_and_only_dot_segments_gain_a_tilde(docid, path):
    assert DocumentIdConverter().to_url(docid) == path


def test_percent_encoded_dots_in_an_id_reach_the_browser_double_encoded():
    assert _document_url("a/%2E%2E/b").endswith("/doc/a/%252E%252E/b")


def test_user_names_with_dot_segments_get_their_own_page_url():
    assert resolve(reverse("browser:user-edit", kwargs={"name": ".."})).kwargs["name"] == ".."
    assert reverse("browser:user-edit", kwargs={"name": ".."}).endswith("/~..")


def test_after_login_the_next_page_of_a_dot_id_is_that_document(client, personas):
    doc_url = _document_url("a/../b")
    to_login = client.get(doc_url)["Location"]
    assert to_login.startswith("/login/?next=")
    answer = client.post(to_login, {"username": personas["admin"].name, "password": personas["admin"].password})
    assert answer["Location"] == doc_url


def test_a_next_link_written_with_raw_dots_is_rebuilt_through_the_converter(client, personas):
    log_in(client, personas["admin"])
    answer = client.post("/login/", {"username": personas["admin"].name, "password": personas["admin"].password,
                                     "next": "/db/x/doc/a/../b?mode=text"})
    assert answer["Location"] == _document_url("a/../b") + "?mode=text"


def test_a_next_link_outside_the_dashboard_stays_as_it_is(client, personas):
    answer = client.post("/login/", {"username": personas["admin"].name, "password": personas["admin"].password,
                                     "next": "/healthz"})
    assert answer["Location"] == "/healthz"
