"""The stylesheet comes inside each page (no second request before the first paint), allowed by the
Content-Security-Policy through its hash alone: no other inline style may run."""

import base64
import hashlib
import re
from pathlib import Path

STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def policy_of(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def test_every_page_carries_the_stylesheet_and_the_policy_its_hash(client, admin_client):
    for response in (client.get("/login/"), admin_client.get("/"), admin_client.get("/no/such/page/")):
        styles = STYLE.findall(response.content.decode())
        assert styles == [(Path(__file__).parents[1] / "static/css/app.css").read_text()]
        digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
        assert policy_of(response)["style-src"] == f"'self' 'sha256-{digest}'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert '<link rel="stylesheet"' not in response.content.decode()


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
