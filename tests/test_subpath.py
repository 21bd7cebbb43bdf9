"""CouchDB served under a sub-path (http://host/couch/), as behind a reverse proxy."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.test import override_settings

from tests.conftest import log_in

PREFIX = "/couch"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


@pytest.fixture(scope="module")
def subpath_proxy(couch_server):
    upstream = couch_server.url.rstrip("/")

    class Proxy(BaseHTTPRequestHandler):
        def _forward(self):
            if not self.path.startswith(PREFIX + "/"):
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
            answer = requests.request(self.command, upstream + self.path[len(PREFIX):], data=body,
                                      headers=headers, timeout=10, allow_redirects=False)
            self.send_response(answer.status_code)
            for key, value in answer.raw.headers.items():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{PREFIX}/"
    server.shutdown()


def test_the_dashboard_works_with_couchdb_under_a_sub_path(client, personas, subpath_proxy, make_database):
    db = make_database()
    with override_settings(COUCHDB_URL=subpath_proxy):
        log_in(client, personas["admin"])
        listing = client.get("/", {"prefix": db})
        page = client.get(f"/db/{db}/")
        health = client.get("/healthz")
    assert f'data-db="{db}"' in listing.content.decode()
    assert page.status_code == 200
    assert health.status_code == 200
