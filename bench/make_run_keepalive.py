"""`make run`'s server over a kept-alive connection, as a browser uses it, against a new connection each time.

    .venv/bin/python -m bench.make_run_keepalive [--pages 40]

Starts `manage.py runserver --noreload` as `make run` does (DEBUG=1), against the benchmark server
(BENCH_COUCHDB_URL, BENCH_COUCHDB_USER, BENCH_COUCHDB_PASSWORD, or an embedded pouchdb-server), logs in as its
admin, then times a document page --pages times over one kept-alive connection and over a new connection each
time: p50 of each. Python's HTTP server writes an answer in several small sends; without TCP_NODELAY each one
after the first waited for the client's delayed acknowledgement (~40 ms).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import uuid

from bench.common import (
    PROJECT,
    admin_http,
    benchmark_server,
    client_session,
    dashboard_session,
    median_seconds,
    wait_until_answering,
)
from embedded.pouchdb import free_port


def start_runserver(couch_url, var_dir):
    port = free_port()
    env = {**os.environ, "COUCHDB_URL": couch_url, "DEBUG": "1", "COUCHADMIN_VAR_DIR": var_dir}
    process = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                               cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_answering(process, url, "manage.py runserver", subprocess.Popen.kill)
    return process, url


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="document pages timed each way")
    args = parser.parse_args()
    with benchmark_server() as (couch_url, name, password), tempfile.TemporaryDirectory() as var_dir:
        admin = admin_http(name, password)
        db = f"bench-keepalive-{uuid.uuid4().hex[:8]}"
        admin.put(couch_url + db).raise_for_status()
        admin.put(f"{couch_url}{db}/doc", json={"name": "a document", "n": 1}).raise_for_status()
        process, url = start_runserver(couch_url, var_dir)
        try:
            kept, _ = dashboard_session(url, name, password)
            page = f"{url}/db/{db}/doc/doc"

            def kept_alive():
                kept.get(page, timeout=30).raise_for_status()

            def new_connection():
                with client_session() as fresh:
                    fresh.cookies.update(kept.cookies)
                    fresh.get(page, timeout=30).raise_for_status()
            print(f"manage.py runserver as make run starts it; document page p50 over {args.pages} loads:")
            for label, load in (("one kept-alive connection: ", kept_alive),
                                ("a new connection each time:", new_connection)):
                print(f"  {label} {median_seconds(load, args.pages, warm_up=5) * 1000:6.1f} ms")
        finally:
            process.terminate()
            process.wait(timeout=10)
            admin.delete(couch_url + db)


if __name__ == "__main__":
    main()
