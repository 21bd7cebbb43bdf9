"""Start and stop pouchdb-server from node_modules, bound to 127.0.0.1, with an admin and CORS off."""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
POUCHDB_SERVER = PROJECT_DIR / "node_modules" / ".bin" / "pouchdb-server"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class EmbeddedCouch:
    def __init__(self, data_dir, port, admin_name, admin_password):
        self.data_dir = Path(data_dir)
        self.port = port
        self.admin_name = admin_name
        self.admin_password = admin_password
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def admin_http(self):
        http = requests.Session()
        if self.admin_name:
            http.auth = (self.admin_name, self.admin_password)
        http.headers["Accept"] = "application/json"
        return http

    def start(self, timeout=60):
        if not POUCHDB_SERVER.exists():
            raise RuntimeError(f"{POUCHDB_SERVER} is missing: run `npm ci` first.")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "config.json"
        # The plain password is hashed by pouchdb-server when it starts; CORS off, logs to a file.
        # An embedded server without an admin name is in "admin party" (used only by the tests).
        admins = {self.admin_name: self.admin_password} if self.admin_name else {}
        config.write_text(json.dumps({
            "admins": admins,
            "httpd": {"enable_cors": False, "bind_address": "127.0.0.1"},
            "log": {"file": str(self.data_dir / "pouchdb-server.log"), "level": "warning"},
        }))
        config.chmod(0o600)
        log = open(self.data_dir / "stdout.log", "ab")  # noqa: SIM115 - kept open for the child's life
        self.process = subprocess.Popen(
            [str(POUCHDB_SERVER), "--port", str(self.port), "--host", "127.0.0.1",
             "--dir", str(self.data_dir), "--config", str(config), "--no-stdout-logs", "--no-color"],
            cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._wait_until_up(timeout)
        self._harden_and_prepare()
        return self

    def _wait_until_up(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pouchdb-server exited with {self.process.returncode}; "
                                   f"see {self.data_dir / 'stdout.log'}")
            try:
                requests.get(self.url, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"pouchdb-server did not answer on {self.url} within {timeout} s")

    def _harden_and_prepare(self):
        http = self.admin_http()
        # pouchdb-server allows any origin with credentials unless told otherwise.
        http.put(self.url + "_config/httpd/enable_cors", data='"false"', timeout=10)
        for name in ("_users", "_replicator"):
            if http.head(self.url + name, timeout=10).status_code == 404:
                http.put(self.url + name, timeout=10).raise_for_status()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
