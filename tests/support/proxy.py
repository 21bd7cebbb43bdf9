"""A small HTTP proxy in front of the test server: serves CouchDB under a sub-path, records exactly what
the dashboard sends (to check, for example, that no number was rounded on the way), and can hold requests
of some methods until the test lets them go (a CouchDB slow to store)."""

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from browser.couch.client import ExactUrlSession

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    body: bytes


class RecordingProxy:
    def __init__(self, upstream, prefix="/couch"):
        self.upstream = upstream.rstrip("/")
        self.prefix = prefix
        self.sent = []
        self.held = set()  # methods that wait for release() before going on to CouchDB
        self._go = threading.Event()
        self.http = ExactUrlSession()  # forwards paths as they came, %2E included
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_port}{self.prefix}/"

    def bodies(self, method):
        return [s.body.decode("utf-8", "replace") for s in self.sent if s.method == method]

    def hold(self, *methods):
        self._go.clear()
        self.held = set(methods)

    def release(self):
        self.held = set()
        self._go.set()

    def close(self):
        self.release()
        self._server.shutdown()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                if not self.path.startswith(proxy.prefix + "/"):
                    self.send_error(404)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.sent.append(Sent(self.command, self.path[len(proxy.prefix):], body))
                if self.command in proxy.held:
                    proxy._go.wait(30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                answer = proxy.http.request(self.command, proxy.upstream + self.path[len(proxy.prefix):],
                                            data=body or None, headers=headers, timeout=30, allow_redirects=False)
                relay(self, answer)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_COPY = _forward

            def log_message(self, *args):
                pass

        return Handler


def relay(handler, answer):
    """Send an upstream answer back through a BaseHTTPRequestHandler, hop-by-hop headers left out."""
    handler.send_response(answer.status_code)
    for key, value in answer.raw.headers.items():
        if key.lower() not in HOP_BY_HOP:
            handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(answer.content)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(answer.content)
