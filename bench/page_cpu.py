"""The dashboard's own CPU for one page, in process: Django, the forms, the templates and the CouchDB client,
without gunicorn, the network or CouchDB's own time (time.process_time around Django's test client).

    BENCH_COUCHDB_URL=http://127.0.0.1:15984/ BENCH_COUCHDB_USER=admin BENCH_COUCHDB_PASSWORD=password \\
      .venv/bin/python -m bench.page_cpu [--runs 15]

Run it from two checkouts (say, before and after a change; PYTHONPATH set to the checkout) and compare the
lines: the same pages, the same data, the same CouchDB. Pages: the login form (the shell every page shares),
a database's first 20 documents and its first 500, a document, and the form editor of a 52-field document.
"""

import argparse
import os
import statistics
import time
import uuid

import django
import requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    url = os.environ.get("BENCH_COUCHDB_URL", "http://127.0.0.1:15984/")
    name, password = os.environ.get("BENCH_COUCHDB_USER", "admin"), os.environ.get("BENCH_COUCHDB_PASSWORD", "")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "couchadmin.settings", "DEBUG": "0",
                       "SECRET_KEY": uuid.uuid4().hex * 2, "COUCHDB_URL": url, "ALLOWED_HOSTS": "testserver",
                       "SECURE_SSL_REDIRECT": "0", "COOKIES_SECURE": "0", "COUCHADMIN_STATIC_FROM_FINDERS": "1"})
    django.setup()
    from django.test import Client

    admin = requests.Session()
    admin.auth = (name, password)
    db = f"bench-page-cpu-{uuid.uuid4().hex[:8]}"
    admin.put(url + db).raise_for_status()
    try:
        docs = [{"_id": f"d{i:04d}", "n": i, "name": f"name {i}"} for i in range(500)]
        admin.post(f"{url}{db}/_bulk_docs", json={"docs": docs}).raise_for_status()
        admin.put(f"{url}{db}/form", json={f"field{i}": f"text {i}" if i % 3 else i * 1.5 for i in range(52)})
        client = Client(HTTP_SEC_FETCH_SITE="same-origin")
        assert client.post("/login/", {"username": name, "password": password}).status_code == 302
        pages = {"login form": "/login/", "documents": f"/db/{db}/", "documents 500": f"/db/{db}/?size=500",
                 "document": f"/db/{db}/doc/d0001", "form editor 52": f"/db/{db}/edit/form"}
        for label, path in pages.items():
            client.get(path)
            times = []
            for _ in range(args.runs):
                started = time.process_time()
                response = client.get(path)
                times.append(time.process_time() - started)
                assert response.status_code == 200, (path, response.status_code)
            print(f"  {label:15s} CPU p50 {statistics.median(times) * 1000:5.1f} ms")
    finally:
        admin.delete(url + db)


if __name__ == "__main__":
    main()
