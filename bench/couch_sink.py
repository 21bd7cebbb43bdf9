"""A stand-in for CouchDB's attachment endpoints, for measuring only the dashboard with huge files.

It answers the few requests an upload and a download through the dashboard make (log in, read the
document, PUT and GET one attachment), keeps no file (only its length and SHA-256) and serves back
the same deterministic bytes the benchmark wrote. It is not CouchDB: figures taken with it measure
the dashboard's own memory and throughput, never CouchDB's.
"""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

CHUNK = 1024 * 1024


def block(i, seed=b"couchadmin-bench"):
    """The i-th mebibyte of the benchmark file: cheap to make, the same on both sides."""
    head = hashlib.sha256(seed + i.to_bytes(8, "big")).digest()
    return (head * (CHUNK // len(head)))[:CHUNK]


class Sink:
    def __init__(self):
        self.rev = 1
        self.stored = {}  # name -> (length, sha256 hex)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/"

    def close(self):
        self.server.shutdown()

    def _handler(self):
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _json(self, status, body, extra=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path).path.strip("/").split("/")
                if parts == [""]:
                    return self._json(200, {"couchdb": "Welcome", "version": "sink"})
                if parts == ["_session"]:
                    return self._json(200, {"ok": True, "userCtx": {"name": "admin", "roles": ["_admin"]}})
                if len(parts) == 2:
                    stubs = {n: {"length": size, "stub": True} for n, (size, _) in sink.stored.items()}
                    return self._json(200, {"_id": parts[1], "_rev": f"{sink.rev}-x", "_attachments": stubs})
                size = sink.stored.get(parts[2], (0, ""))[0]
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                for i in range(size // CHUNK):
                    self.wfile.write(block(i))

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._json(200, {"ok": True, "name": "admin", "roles": ["_admin"]},
                           [("Set-Cookie", "AuthSession=sink; Path=/; HttpOnly")])

            def do_PUT(self):  # noqa: N802
                name = urlsplit(self.path).path.strip("/").split("/", 2)[2]
                remaining, digest = int(self.headers["Content-Length"]), hashlib.sha256()
                size = remaining
                while remaining:
                    chunk = self.rfile.read(min(CHUNK, remaining))
                    digest.update(chunk)
                    remaining -= len(chunk)
                sink.stored[name] = (size, digest.hexdigest())
                sink.rev += 1
                self._json(201, {"ok": True, "rev": f"{sink.rev}-x"})

            def log_message(self, *args):
                pass

        return Handler
