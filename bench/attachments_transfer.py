"""Benchmark: upload and download a large file through the dashboard and directly to CouchDB.

    .venv/bin/python -m bench.attachments_transfer [--size-mb 1024]

Runs the dashboard under gunicorn (one sync worker) against the benchmark server, sends the file
as a streamed multipart upload (as a browser does), downloads it back, and compares each with the
same transfer straight to CouchDB. Reports throughput, the ratio, and the growth of the worker's
peak resident memory (VmHWM) over its size before the transfers.
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench.common import admin_http, benchmark_server, dashboard_session, timed
from embedded.pouchdb import free_port

PROJECT = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024


class MultipartFile:
    """A multipart/form-data body streamed from a file, with a known length (no chunked encoding)."""

    def __init__(self, path, fields, field_name="files", filename="big.bin"):
        self.boundary = uuid.uuid4().hex
        head = "".join(f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                       for k, v in fields.items())
        head += (f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; "
                 f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        self._parts = [head.encode(), None, f"\r\n--{self.boundary}--\r\n".encode()]
        self._path = path
        self._length = len(self._parts[0]) + os.path.getsize(path) + len(self._parts[2])
        self._file = None
        self._stage = 0

    @property
    def content_type(self):
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self):
        return self._length

    def read(self, size=-1):
        while self._stage < 3:
            if self._stage == 1:
                self._file = self._file or open(self._path, "rb")  # noqa: SIM115
                data = self._file.read(CHUNK)
                if data:
                    return data
                self._file.close()
            else:
                part = self._parts[self._stage]
                self._stage += 1
                return part
            self._stage += 1
        return b""


def peak_and_current_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return (int(re.search(r"VmHWM:\s+(\d+)", status).group(1)), int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))


def worker_pid(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return int(children[0])


def start_dashboard(couch_url):
    port = free_port()
    env = {**os.environ, "COUCHDB_URL": couch_url, "DEBUG": "0", "SECRET_KEY": uuid.uuid4().hex * 2,
           "ALLOWED_HOSTS": "127.0.0.1", "COOKIES_SECURE": "0", "SECURE_SSL_REDIRECT": "0",
           "COUCHADMIN_STATIC_FROM_FINDERS": "1", "MAX_UPLOAD_BYTES": str(8 * 1024 ** 3)}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "couchadmin.wsgi:application", "--workers", "1",
                                "--timeout", "900", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                               cwd=PROJECT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url + "/healthz", timeout=1)
            return process, url
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def sha256_of(response):
    digest = hashlib.sha256()
    for chunk in response.iter_content(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_mb * 1024 * 1024

    with tempfile.TemporaryDirectory() as scratch, benchmark_server() as (couch_url, name, password):
        path = Path(scratch) / "big.bin"
        digest = hashlib.sha256()
        with open(path, "wb") as out:
            block = os.urandom(CHUNK)
            for i in range(args.size_mb):
                chunk = block[i % 251:] + block[:i % 251]
                digest.update(chunk)
                out.write(chunk)
        expected = digest.hexdigest()

        couch = admin_http(name, password)
        db = f"bench-att-{uuid.uuid4().hex[:8]}"
        couch.put(couch_url + db).raise_for_status()
        rev = couch.put(f"{couch_url}{db}/direct", json={}).json()["rev"]
        rev_dash = couch.put(f"{couch_url}{db}/viadash", json={}).json()["rev"]
        dashboard, dash_url = start_dashboard(couch_url)
        try:
            http, csrf = dashboard_session(dash_url, name, password)
            pid = worker_pid(dashboard.pid)
            _, rss_before = peak_and_current_kib(pid)

            started = time.perf_counter()
            with open(path, "rb") as body:
                couch.put(f"{couch_url}{db}/direct/big.bin", params={"rev": rev}, data=body,
                          headers={"Content-Type": "application/octet-stream"}, timeout=1800).raise_for_status()
            direct_up = time.perf_counter() - started

            body = MultipartFile(path, {"rev": rev_dash})
            started = time.perf_counter()
            answer = http.post(f"{dash_url}/db/{db}/upload/viadash", data=body, timeout=1800,
                               headers={"Content-Type": body.content_type, "Accept": "application/json",
                                        "X-CSRFToken": csrf, "Referer": dash_url + "/"})
            answer.raise_for_status()
            dash_up = time.perf_counter() - started

            def download_direct():
                # identity, as the dashboard asks: on-the-fly gzip would slow the direct side unfairly.
                return sha256_of(couch.get(f"{couch_url}{db}/direct/big.bin", stream=True, timeout=1800,
                                           headers={"Accept-Encoding": "identity"}))

            def download_via_dashboard():
                return sha256_of(http.get(f"{dash_url}/db/{db}/attachment/viadash", params={"name": "big.bin"},
                                          stream=True, timeout=1800))

            # Each download runs twice and the second is timed, so both read from a warm server.
            download_direct(), download_via_dashboard()
            direct_digest, direct_down = timed(download_direct)
            dash_digest, dash_down = timed(download_via_dashboard)
            peak, _ = peak_and_current_kib(pid)
        finally:
            dashboard.terminate()
            dashboard.wait()
            couch.delete(couch_url + db)

    assert direct_digest == expected and dash_digest == expected, "a download differs from the upload"
    mib = size / 1024 / 1024
    print(f"{mib:.0f} MiB file; dashboard worker RSS before {rss_before / 1024:.0f} MiB")
    for label, direct, dash in (("upload", direct_up, dash_up), ("download", direct_down, dash_down)):
        print(f"  {label:8s} direct {mib / direct:7.1f} MiB/s   dashboard {mib / dash:7.1f} MiB/s   "
              f"dashboard/direct time {dash / direct:.2f}x")
    print(f"  dashboard worker peak memory growth: {(peak - rss_before) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
