"""Benchmark: the document list's first page and a deep page, beside the raw _all_docs requests.

    .venv/bin/python -m bench.documents_paging [--docs 100000] [--runs 15] [--page 20]

Seeds N documents through _bulk_docs into a fresh database, then reports the median time of
the dashboard's first page, of a page deep inside the database (reached the way the rel=next
link does: by key) and of the raw CouchDB `_all_docs` request for the same rows, as ratios.
For contrast it also times a raw skip-based request for the same deep page.
"""

import argparse
import json
import uuid

from bench.common import admin_http, benchmark_server, configure_django, logged_in_client, median_seconds

BATCH = 5000


def seed(http, db_url, count):
    http.put(db_url).raise_for_status()
    for start in range(0, count, BATCH):
        docs = [{"_id": f"doc-{i:08d}", "n": i, "type": "bench", "name": f"Document {i}",
                 "tags": ["a", "b"], "nested": {"x": i % 7}} for i in range(start, min(start + BATCH, count))]
        http.post(f"{db_url}/_bulk_docs", json={"docs": docs}, timeout=300).raise_for_status()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--page", type=int, default=20)
    parser.add_argument("--steps", type=int, default=500, help="how many pages deep the deep page is")
    args = parser.parse_args()

    with benchmark_server() as (url, name, password):
        configure_django(url)
        http = admin_http(name, password)
        db = f"bench-docs-{uuid.uuid4().hex[:8]}"
        db_url = url + db
        seed(http, db_url, args.docs)
        try:
            client = logged_in_client(name, password)
            deep_index = min(args.steps * args.page, args.docs - args.page)
            deep_id = f"doc-{deep_index:08d}"
            page_url = f"/db/{db}/"

            def dashboard_first():
                assert client.get(page_url, {"size": args.page}).status_code == 200

            def dashboard_deep():
                assert client.get(page_url, {"size": args.page, "start": deep_id}).status_code == 200

            def raw_first():
                http.get(f"{db_url}/_all_docs", params={"include_docs": "true", "conflicts": "true",
                                                        "limit": args.page + 1}).raise_for_status()

            def raw_deep():
                http.get(f"{db_url}/_all_docs", params={"include_docs": "true", "conflicts": "true",
                                                        "limit": args.page + 1,
                                                        "startkey": json.dumps(deep_id)}).raise_for_status()

            def raw_deep_by_skip():
                http.get(f"{db_url}/_all_docs", params={"include_docs": "true", "limit": args.page + 1,
                                                        "skip": deep_index}).raise_for_status()

            results = {label: median_seconds(action, args.runs) for label, action in (
                ("dashboard first page", dashboard_first), ("raw _all_docs first page", raw_first),
                ("dashboard deep page", dashboard_deep), ("raw _all_docs deep page (startkey)", raw_deep),
                ("raw _all_docs deep page (skip, for contrast)", raw_deep_by_skip))}
        finally:
            http.delete(db_url)

    print(f"{args.docs} documents, page size {args.page}, deep page = document #{deep_index} "
          f"({args.steps} pages in), median of {args.runs} runs")
    for label, seconds in results.items():
        print(f"  {label:48s} {seconds * 1000:8.1f} ms")
    first, deep = results["dashboard first page"], results["dashboard deep page"]
    print(f"  dashboard / raw, first page: {first / results['raw _all_docs first page']:.2f}x")
    print(f"  dashboard / raw, deep page:  {deep / results['raw _all_docs deep page (startkey)']:.2f}x")
    print(f"  dashboard deep / dashboard first: {deep / first:.2f}x")


if __name__ == "__main__":
    main()
