"""HTML pages are gzipped when this site's own pages ask for them; never a page another site's request caused
(BREACH), never a download."""

import gzip
import re

import pytest
from django.urls import reverse

from tests.conftest import put_document

OWN = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br", "HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def listed_database(make_database, couch_server):
    db = make_database()
    for i in range(20):
        # w=3: on a cluster every copy has it before the page lists _all_docs from one copy of each shard.
        put_document(couch_server, db, f"doc-{i:02d}", {"name": f"row {i}", "tags": ["a", "b"], "n": i}, w=3)
    return db


def test_a_page_comes_back_gzipped_with_a_fresh_csrf_mask(admin_client, listed_database):
    url = reverse("browser:database", kwargs={"db": listed_database})
    first, second = admin_client.get(url, **OWN), admin_client.get(url, **OWN)
    assert first.status_code == 200
    assert first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first["Vary"] and "Sec-Fetch-Site" in first["Vary"]
    page = gzip.decompress(first.content).decode()
    assert "doc-19" in page
    assert int(first["Content-Length"]) == len(first.content) < len(page.encode())
    # The CSRF token in the page is masked afresh for every response, so it never repeats between bodies.
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', gzip.decompress(r.content).decode()).group(1)
              for r in (first, second)]
    assert tokens[0] != tokens[1]


def test_a_typed_address_is_gzipped_too(admin_client):
    response = admin_client.get(reverse("browser:databases"), **{**OWN, "HTTP_SEC_FETCH_SITE": "none"})
    assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("site", ["cross-site", "same-site", None])
def test_a_page_another_site_caused_is_not_compressed(admin_client, listed_database, site):
    headers = {"HTTP_ACCEPT_ENCODING": "gzip"} | ({"HTTP_SEC_FETCH_SITE": site} if site else {})
    response = admin_client.get(reverse("browser:database", kwargs={"db": listed_database}), **headers)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "doc-19" in response.content.decode()
    assert "Sec-Fetch-Site" in response["Vary"]


def test_without_accept_encoding_nothing_is_compressed(admin_client):
    response = admin_client.get(reverse("browser:databases"), HTTP_SEC_FETCH_SITE="same-origin")
    assert not response.has_header("Content-Encoding")


def test_attachment_downloads_are_never_compressed(admin_client, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "with-file", {})
    body = ("<html><body>" + "compressible text " * 2000 + "</body></html>").encode()
    couch_server.admin_http().put(f"{couch_server.url}{db}/with-file/page.html", params={"rev": rev}, data=body,
                                  headers={"Content-Type": "text/html"}, timeout=10).raise_for_status()
    response = admin_client.get(reverse("browser:attachment", kwargs={"db": db, "docid": "with-file"}),
                                {"name": "page.html"}, **OWN)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert b"".join(response.streaming_content) == body

