"""A real CouchDB made slow: a proxy in front of the test server that, for the requests a test names, waits
before passing them on (CouchDB is busy and starts the work late) or passes them on at once and waits before
giving the answer back (CouchDB did the work, and is slow to say so). Either way the work really happens in
CouchDB, after the dashboard has stopped waiting, as it does with a 200 MB attachment or a query that reads
every document."""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from browser.couch.client import ExactUrlSession
from tests.support.proxy import HOP_BY_HOP, relay


@dataclass
class Slowness:
    method: str
    path_part: str  # a piece of the path, e.g. "/_find" or the document's id
    before: float = 0.0  # seconds before CouchDB is asked
    after: float = 0.0  # seconds between CouchDB's answer and passing it on


class SlowCouchDB:
    def __init__(self, upstream):
        self.upstream = upstream.rstrip("/")
        self.rules = []
        self.done = []  # (method, path, status) of what CouchDB answered, when it answered
        self._lock = threading.Condition()
        self.http = ExactUrlSession()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_port}/"

    def slow(self, method, path_part, before=0.0, after=0.0):
        """Make the next matching requests slow (until cleared)."""
        self.rules.append(Slowness(method, path_part, before, after))

    def clear(self):
        self.rules = []

    def wait_until_done(self, method, path_part, timeout=30):
        """Block until CouchDB has answered a matching request (the work the dashboard gave up on is done)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not any(m == method and path_part in p for m, p, _ in self.done):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"CouchDB never answered {method} …{path_part}…")
                self._lock.wait(left)

    def close(self):
        self.clear()
        self._server.shutdown()
        self._server.server_close()

    def rewrite(self, method, path, body):
        """The path and body CouchDB is asked for, given those the dashboard sent (a subclass may change them)."""
        return path, body

    def _rule_for(self, method, path):
        return next((r for r in self.rules if r.method == method and r.path_part in path), None)

    def _finished(self, method, path, status):
        with self._lock:
            self.done.append((method, path, status))
            self._lock.notify_all()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rule = proxy._rule_for(self.command, self.path)
                if rule and rule.before:
                    time.sleep(rule.before)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                path, body = proxy.rewrite(self.command, self.path, body)
                answer = proxy.http.request(self.command, proxy.upstream + path, data=body or None,
                                            headers=headers, timeout=120, allow_redirects=False)
                proxy._finished(self.command, self.path, answer.status_code)
                if rule and rule.after:
                    time.sleep(rule.after)
                try:
                    relay(self, answer)
                except OSError:
                    self.close_connection = True  # the dashboard stopped waiting and closed its end

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_COPY = _forward

            def log_message(self, *args):
                pass

        return Handler
