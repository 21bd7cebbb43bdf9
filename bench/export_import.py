"""Benchmark: export and import N small documents through the dashboard, against CouchDB's own streaming.

    .venv/bin/python -m bench.export_import [--docs 1000000]

Fills a database with N small documents (straight to CouchDB, _bulk_docs of 10,000), then:
- direct export: GET /{db}/_all_docs?include_docs=true read to the end as a stream;
- dashboard export: GET /db/{db}/export/?format=ndjson through gunicorn (one sync worker), read to the end;
- direct import: the NDJSON file sent to a fresh database as _bulk_docs of 500 (what the dashboard sends);
- dashboard import: the same file uploaded to the dashboard's import page (streamed multipart), page read to the end.
Reports documents per second, the dashboard/direct time ratios, and the worker's peak resident memory (VmHWM).
"""

import argparse
import json
import re
import tempfile
import uuid
from pathlib import Path

from bench.attachments_transfer import (
    MultipartFile,
    peak_and_current_kib,
    start_dashboard,
    worker_pid,
)
from bench.common import admin_http, benchmark_server, dashboard_session, timed

FILL_BATCH = 10_000
IMPORT_BATCH = 500
CHUNK = 1024 * 1024


def small_document(i):
    return {"_id": f"doc-{i:08d}", "n": i, "name": f"name {i}", "price": i / 100, "tags": ["a", "b"],
            "active": i % 2 == 0}


def fill(couch, url, db, count):
    for start in range(0, count, FILL_BATCH):
        docs = [small_document(i) for i in range(start, min(count, start + FILL_BATCH))]
        couch.post(f"{url}{db}/_bulk_docs", json={"docs": docs}, timeout=600).raise_for_status()


def read_to_end(response):
    size = 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
    return size


def direct_import(couch, url, db, path):
    batch = []
    with open(path, "rb") as lines:
        for line in lines:
            batch.append(line.rstrip(b"\n"))
            if len(batch) == IMPORT_BATCH:
                _post_batch(couch, url, db, batch)
                batch = []
    if batch:
        _post_batch(couch, url, db, batch)


def _post_batch(couch, url, db, lines):
    # Documents without _rev, as the dashboard sends them.
    docs = [json.loads(line) for line in lines]
    for doc in docs:
        doc.pop("_rev", None)
    couch.post(f"{url}{db}/_bulk_docs", json={"docs": docs}, timeout=600).raise_for_status()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    args = parser.parse_args()
    count = args.docs

    with tempfile.TemporaryDirectory() as scratch, benchmark_server() as (url, name, password):
        couch = admin_http(name, password)
        tag = uuid.uuid4().hex[:8]
        source, direct_target, dash_target = (f"bench-exim-{tag}-{k}" for k in ("source", "direct", "dash"))
        for db in (source, direct_target, dash_target):
            couch.put(url + db).raise_for_status()
        fill(couch, url, source, count)
        dashboard, dash_url = start_dashboard(url)
        try:
            http, csrf = dashboard_session(dash_url, name, password)
            pid = worker_pid(dashboard.pid)
            _, rss_before = peak_and_current_kib(pid)
            _, direct_export = timed(lambda: read_to_end(couch.get(
                f"{url}{source}/_all_docs", params={"include_docs": "true"}, stream=True, timeout=600)))
            path = Path(scratch) / "export.ndjson"

            def export_via_dashboard():
                response = http.get(f"{dash_url}/db/{source}/export/", params={"format": "ndjson"}, stream=True,
                                    timeout=3600)
                response.raise_for_status()
                with open(path, "wb") as out:
                    for chunk in response.iter_content(CHUNK):
                        out.write(chunk)

            _, dash_export = timed(export_via_dashboard)
            exported = sum(1 for _ in open(path, "rb"))
            _, direct_import_s = timed(lambda: direct_import(couch, url, direct_target, path))

            def import_via_dashboard():
                body = MultipartFile(path, {"kind": "ndjson"}, field_name="file", filename="export.ndjson")
                response = http.post(f"{dash_url}/db/{dash_target}/import/", data=body, stream=True, timeout=3600,
                                     headers={"Content-Type": body.content_type, "X-CSRFToken": csrf,
                                              "Referer": dash_url + "/"})
                response.raise_for_status()
                return b"".join(response.iter_content(CHUNK)).decode()

            page, dash_import = timed(import_via_dashboard)
            peak, _ = peak_and_current_kib(pid)
            stored = int(re.search(r'data-testid="import-stored">(\d+)<', page).group(1))
            counts = [couch.get(url + db).json()["doc_count"] for db in (direct_target, dash_target)]
        finally:
            dashboard.terminate()
            dashboard.wait()
            for db in (source, direct_target, dash_target):
                couch.delete(url + db)

    assert exported == count and stored == count and counts == [count, count], (exported, stored, counts)
    print(f"{count:,} small documents; dashboard worker RSS before {rss_before / 1024:.0f} MiB")
    for label, direct, dash in (("export", direct_export, dash_export), ("import", direct_import_s, dash_import)):
        print(f"  {label}  direct {count / direct:9,.0f} docs/s ({direct:.1f} s)   dashboard {count / dash:9,.0f} "
              f"docs/s ({dash:.1f} s)   dashboard/direct time {dash / direct:.2f}x")
    print(f"  dashboard worker peak RSS: {peak / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
