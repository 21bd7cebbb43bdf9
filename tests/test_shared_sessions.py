"""Two dashboard copies behind one address share their sessions: a login on one serves the other, and a
logout on either ends it on both. Run as real processes (gunicorn, as the Dockerfile runs it), with the
embedded file store on a shared folder and with Redis."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from embedded.pouchdb import free_port

PROJECT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"
REDIS_SERVER = "/usr/bin/redis-server"


def wait_for_port(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port}")


COPY_SECRET_KEY = "shared-secret-for-both-copies"


def start_copy(couch_url, var_dir, store_url="", workers=1, threads=1, **settings):
    """A dashboard copy under gunicorn; `settings` are more environment variables (e.g. LOGIN_SLOWDOWN_SECONDS)."""
    port = free_port()
    env = {**os.environ, "COUCHDB_URL": couch_url, "DEBUG": "0", "SECRET_KEY": COPY_SECRET_KEY,
           "ALLOWED_HOSTS": "127.0.0.1", "COOKIES_SECURE": "0", "SECURE_SSL_REDIRECT": "0",
           "COUCHADMIN_STATIC_FROM_FINDERS": "1", "COUCHADMIN_VAR_DIR": str(var_dir),
           "SESSION_STORE_URL": store_url, **{name: str(value) for name, value in settings.items()}}
    process = subprocess.Popen([str(GUNICORN), "couchadmin.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                "--workers", str(workers), "--threads", str(threads)], cwd=PROJECT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process)
    return process, f"http://127.0.0.1:{port}"


def stop_copy(process):
    process.terminate()
    process.wait(10)


class RedisServer:
    """A redis-server of a test's own, without persistence, on a free port; stop() and start() again."""

    def __init__(self, folder):
        self.folder, self.port, self.process = folder, free_port(), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    return redis_server.url


def post_form(browser, url, data):
    page = browser.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(url, data={**data, "csrfmiddlewaretoken": token}, allow_redirects=False, timeout=10)


def logged_in(browser, base):
    answer = browser.get(f"{base}/server/", allow_redirects=False, timeout=10)
    return answer.status_code == 200 and 'data-testid="who"' in answer.text


@pytest.mark.parametrize("store", ["files", "redis"])
def test_a_login_on_one_copy_serves_the_other_and_a_logout_ends_both(store, couch_server, personas, tmp_path,
                                                                      request):
    store_url = request.getfixturevalue("redis_url") if store == "redis" else ""
    common = tmp_path / "common-store"
    copies = [start_copy(couch_server.url, common if store == "files" else tmp_path / f"copy{i}", store_url)
              for i in range(2)]
    try:
        (_, first), (_, second) = copies
        browser = requests.Session()
        member = personas["member"]
        answer = post_form(browser, f"{first}/login/", {"username": member.name, "password": member.password})
        assert answer.status_code == 302, answer.text[:300]
        assert logged_in(browser, first) and logged_in(browser, second)
        # The logout goes to the other copy; the first one must forget the session too.
        page = browser.get(f"{second}/server/", timeout=10).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        session_cookie = browser.cookies.get("sessionid")
        browser.post(f"{second}/logout/", data={"csrfmiddlewaretoken": token}, allow_redirects=False, timeout=10)
        assert not logged_in(browser, first) and not logged_in(browser, second)
        replayed = requests.Session()  # someone who kept a copy of the cookie
        replayed.cookies.set("sessionid", session_cookie)
        assert not logged_in(replayed, first) and not logged_in(replayed, second)
    finally:
        for process, _ in copies:
            stop_copy(process)
