"""Benchmark: the dashboard's own memory while a 1 GiB file goes up and down through it.

    .venv/bin/python -m bench.dashboard_memory [--size-mb 1024]

CouchDB is replaced here by bench/couch_sink.py, which stores nothing, so the figures are the
dashboard's alone (gunicorn, one sync worker): its peak resident memory growth and its
throughput. For the comparison with real CouchDB, see bench/attachments_transfer.py.
"""

import argparse
import hashlib
import os
import tempfile
import time
from pathlib import Path

from bench.attachments_transfer import (
    CHUNK,
    MultipartFile,
    peak_and_current_kib,
    start_dashboard,
    worker_pid,
)
from bench.common import dashboard_session
from bench.couch_sink import Sink, block


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    sink = Sink()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "big.bin"
        expected = hashlib.sha256()
        with open(path, "wb") as out:
            for i in range(args.size_mb):
                expected.update(block(i))
                out.write(block(i))
        os.environ["FILE_UPLOAD_TEMP_DIR"] = scratch
        dashboard, url = start_dashboard(sink.url)
        try:
            http, csrf = dashboard_session(url, "admin", "unused")
            pid = worker_pid(dashboard.pid)
            _, before = peak_and_current_kib(pid)
            body = MultipartFile(path, {"rev": "1-x"})
            started = time.perf_counter()
            http.post(f"{url}/db/sink/upload/doc", data=body, timeout=3600,
                      headers={"Content-Type": body.content_type, "Accept": "application/json",
                               "X-CSRFToken": csrf, "Referer": url + "/"}).raise_for_status()
            up = time.perf_counter() - started
            assert sink.stored["big.bin"] == (args.size_mb * CHUNK, expected.hexdigest()), "upload differs"
            started, got = time.perf_counter(), hashlib.sha256()
            for chunk in http.get(f"{url}/db/sink/attachment/doc", params={"name": "big.bin"}, stream=True,
                                  timeout=3600).iter_content(CHUNK):
                got.update(chunk)
            down = time.perf_counter() - started
            assert got.hexdigest() == expected.hexdigest(), "download differs"
            peak, _ = peak_and_current_kib(pid)
        finally:
            dashboard.terminate()
            dashboard.wait()
            sink.close()
    print(f"{args.size_mb} MiB through the dashboard (CouchDB replaced by a sink); "
          f"worker {before / 1024:.0f} MiB before")
    print(f"  upload {args.size_mb / up:7.1f} MiB/s, download {args.size_mb / down:7.1f} MiB/s")
    print(f"  dashboard worker peak memory growth: {(peak - before) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
