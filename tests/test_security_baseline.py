"""Headers, cookies, CSRF and Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import Client

from tests.conftest import log_in

REPO = Path(__file__).resolve().parents[1]


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


def test_pages_forbid_framing_and_sniffing(client):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_and_samesite_lax(client, personas):
    response = client.post("/login/", {"username": personas["member"].name, "password": personas["member"].password})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_login_without_a_csrf_token_is_refused():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"username": "a", "password": "b"}).status_code == 403


def test_htmx_posts_need_the_csrf_header_too(personas):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/login/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert strict.post("/login/", {"username": personas["member"].name, "password": personas["member"].password},
                       headers={"HX-Request": "true"}).status_code == 403
    response = strict.post("/login/", {"username": personas["member"].name, "password": personas["member"].password},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302


def test_base_html_sends_the_csrf_token_with_every_htmx_request(client, personas):
    log_in(client, personas["admin"])
    page = client.get("/").content.decode()
    assert '<body hx-headers=\'{"X-CSRFToken": "' in page
    assert '"allowEval": false' in page and '"historyRestoreAsHxRequest": false' in page
    assert "django_htmx/htmx-2.min.js" in page


def test_no_template_has_inline_script_or_event_handlers():
    for path in (REPO / "templates").rglob("*.html"):
        text = path.read_text()
        for line in text.splitlines():
            stripped = line.strip()
            if "<script" in stripped:
                assert " src=" in stripped, f"{path}: inline script: {stripped}"
            assert " onclick=" not in stripped and " onload=" not in stripped, f"{path}: {stripped}"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    test_only = ("DEBUG", "COOKIES_SECURE", "SECURE_", "DJANGO_ALLOW_ASYNC")
    env = {k: v for k, v in os.environ.items() if not k.startswith(test_only)}
    env.update({
        "DJANGO_SETTINGS_MODULE": "couchadmin.settings",
        "DEBUG": "0",
        "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40 + "-with-enough-variety-1234567890",
        "ALLOWED_HOSTS": "couchadmin.example.com",
        "COUCHADMIN_VAR_DIR": str(tmp_path),
        "COUCHADMIN_STATIC_FROM_FINDERS": "0",
    })
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
