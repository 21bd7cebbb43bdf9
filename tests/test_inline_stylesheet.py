"""The stylesheet comes inside a page opened from outside the dashboard (no second request before the first
paint), allowed by the Content-Security-Policy through its hash alone: no other inline style may run. A page
reached from one of the dashboard's own links it instead: the first page had the browser fetch it."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.templatetags.static import static

STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def policy_of(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


OPENED_FROM_OUTSIDE = ({}, {"HTTP_SEC_FETCH_SITE": "none"}, {"HTTP_SEC_FETCH_SITE": "cross-site"},
                       {"HTTP_SEC_FETCH_SITE": "same-site"})
LINK = re.compile(r'<link rel="(stylesheet|prefetch)" href="([^"]+)">')


@pytest.mark.parametrize("headers", OPENED_FROM_OUTSIDE)
def test_a_page_opened_from_outside_carries_the_stylesheet_and_the_policy_its_hash(client, admin_client, headers):
    for response in (client.get("/login/", **headers), admin_client.get("/", **headers),
                     admin_client.get("/no/such/page/", **headers)):
        page = response.content.decode()
        styles = STYLE.findall(page)
        assert styles == [(Path(__file__).parents[1] / "static/css/app.css").read_text()]
        digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
        assert policy_of(response)["style-src"] == f"'self' 'sha256-{digest}'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert LINK.findall(page) == [("prefetch", static("css/app.css"))]


def test_a_page_reached_from_the_dashboard_links_the_stylesheet_the_first_one_fetched(client, admin_client):
    inside = {"HTTP_SEC_FETCH_SITE": "same-origin"}
    for response in (client.get("/login/", **inside), admin_client.get("/", **inside),
                     admin_client.get("/no/such/page/", **inside)):
        page = response.content.decode()
        assert not STYLE.findall(page)
        assert LINK.findall(page) == [("stylesheet", static("css/app.css"))]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "Sec-Fetch-Site" in response["Vary"]
    assert client.get(static("css/app.css")).status_code == 200


def test_deployed_with_collectstatic_s_output_only(monkeypatch, tmp_path):
    from django.core.files.storage import FileSystemStorage

    from browser import stylesheet

    (tmp_path / "css").mkdir()
    source = Path(__file__).parents[1] / "static/css/app.css"
    (tmp_path / "css/app.css").write_text(source.read_text())
    monkeypatch.setattr(stylesheet.finders, "find", lambda path: None)
    monkeypatch.setattr(stylesheet, "staticfiles_storage", FileSystemStorage(location=tmp_path))
    text, source_hash = stylesheet.page_stylesheet.__wrapped__()
    assert text == source.read_text() and source_hash.startswith("'sha256-")
