"""The databases page as the server holds more databases: 100, 1,000 and 10,000 (issue 26, "keep flat").

    BENCH_COUCHDB_URL=http://127.0.0.1:15984/ BENCH_COUCHDB_USER=admin BENCH_COUCHDB_PASSWORD=password \\
      .venv/bin/python -m bench.databases_scale [--counts 100,1000,10000] [--pages 40]

Creates databases named bench-scale-NNNNN (8 at once) up to each count, then measures, interleaved, the
dashboard's first page of databases (gunicorn as the Dockerfile runs it, one user) against the requests it makes,
sent straight to CouchDB (`_all_dbs?limit=21` and `_dbs_info` of the first 20), p50 of --pages each. The
databases this created are deleted at the end.
"""

import argparse
from concurrent.futures import ThreadPoolExecutor

from bench.common import (
    admin_http,
    benchmark_server,
    dashboard_session,
    percentile,
    start_dashboard,
    stop_dashboard,
    timed,
)
from bench.load import Direct

PREFIX = "bench-scale-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100,1000,10000")
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args()
    counts = sorted(int(count) for count in args.counts.split(","))
    with benchmark_server() as (couch_url, name, password):
        admin = admin_http(name, password)
        dashboard, dash_url = start_dashboard(couch_url)
        made = 0
        try:
            http, _ = dashboard_session(dash_url, name, password)
            http.headers.update({"Accept-Encoding": "gzip", "Sec-Fetch-Site": "same-origin"})
            direct = Direct(couch_url, name, password)
            others = len(admin.get(couch_url + "_all_dbs", timeout=60).json())
            print(f"{others} databases on the server before; page p50, dashboard / CouchDB direct:")
            for count in counts:
                with ThreadPoolExecutor(8) as pool:
                    list(pool.map(lambda i: admin.put(f"{couch_url}{PREFIX}{i:05d}", timeout=120),
                                  range(made, count)))
                made = count
                times = {"dashboard": [], "CouchDB": []}
                for _ in range(args.pages + 3):
                    times["dashboard"].append(timed(lambda: http.get(dash_url + "/", timeout=60).raise_for_status())[1])
                    times["CouchDB"].append(timed(lambda: direct.databases(None))[1])
                dash, couch = (percentile(values[3:], .5) for values in times.values())
                print(f"  {count + others:6d} databases: {dash * 1000:6.1f} ms / {couch * 1000:6.1f} ms"
                      f" = {dash / couch:.2f}x")
        finally:
            stop_dashboard(dashboard)
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda i: admin.delete(f"{couch_url}{PREFIX}{i:05d}", timeout=120), range(made)))


if __name__ == "__main__":
    main()
