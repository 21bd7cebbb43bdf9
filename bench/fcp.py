"""First contentful paint, cold, in Chromium: the databases page against a minimal static page.

    .venv/bin/python -m bench.fcp [--runs 21] [--databases 20] [--split] [--trace FILE] [--static-from-finders]

Runs the dashboard under gunicorn exactly as the Dockerfile's CMD does (bench/common.py reads the line;
only the address becomes 127.0.0.1 on a free port), against the benchmark server (BENCH_COUCHDB_URL,
BENCH_COUCHDB_USER, BENCH_COUCHDB_PASSWORD, or an embedded pouchdb-server), with static files served the
production way: `collectstatic` (as the Dockerfile's build step runs it) into a temporary
COUCHADMIN_STATIC_ROOT, whitenoise serving its hashed, gzipped copies. `--static-from-finders` serves
static/ straight instead, as the tests and bench/load.py do (no hashed names, no .gz).

The baseline is a minimal static HTML page (a heading and a sentence, no CSS, no script), served two ways,
neither of which changes the project: by the same gunicorn, as a file written into the temporary
STATIC_ROOT after collectstatic (whitenoise serves /static/bench-fcp/minimal.html: same origin, same
server, same load on it: the fair baseline), and from a thread of this process on another port of
127.0.0.1 (http.server: what Chromium alone costs for a cold page; with --static-from-finders the only one).

Logs in as the server's admin through the login form in Playwright (Debian's Chromium, launched as
tests/browser/conftest.py launches it), then loads each page --runs times, interleaved (the order
alternates each round), each load in a new browser context (empty cache, new connections) with the
session cookie copied in for the dashboard's pages. FCP is
`performance.getEntriesByName('first-contentful-paint')[0].startTime`. Also measured: the login page (same
<head>, no CouchDB call), to tell the HTML's own time from its CSS and scripts. Then, from the same loads,
where the databases page's time goes: navigation timing (time to the first byte, the HTML's last byte)
and resource timing for each stylesheet and script (when each was fetched, whether it was
render-blocking, its transfer size), and each static file's Content-Encoding and Cache-Control.
--split also loads copies of the databases page's HTML as served, with and without its scripts and its
stylesheet, from the same gunicorn (whitenoise, like the minimal page): what the HTML alone, the
stylesheet and the scripts each add to the paint. --trace records one more cold load under Chrome's
performance timeline and prints the renderer's main-thread work before the first contentful paint.
"""

import argparse
import gzip
import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from bench.common import (
    PROJECT,
    admin_http,
    benchmark_server,
    dockerfile_command,
    percentile,
    start_dashboard,
    stop_dashboard,
)
from embedded.pouchdb import free_port
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

MINIMAL_PAGE = (b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>minimal</title></head>'
                b"<body><h1>Databases</h1><p>A minimal static page.</p></body></html>")

SAME_SERVER = "minimal page, same gunicorn (whitenoise)"
HTTP_SERVER = "minimal page, http.server thread"

# Waits for the paint entry (it may come after `load`); answers null after 10 s without one.
MEASURE = """() => new Promise(resolve => {
  const answer = () => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    if (!paint) return false;
    const nav = performance.getEntriesByType('navigation')[0];
    resolve({
      fcp: paint.startTime,
      nav: {requestStart: nav.requestStart, responseStart: nav.responseStart, responseEnd: nav.responseEnd,
            domInteractive: nav.domInteractive, domContentLoaded: nav.domContentLoadedEventEnd,
            transferSize: nav.transferSize, encodedBodySize: nav.encodedBodySize,
            decodedBodySize: nav.decodedBodySize},
      resources: performance.getEntriesByType('resource').map(r => ({
        name: r.name, type: r.initiatorType, start: r.startTime, responseStart: r.responseStart,
        end: r.responseEnd, blocking: r.renderBlockingStatus, transferSize: r.transferSize,
        encodedBodySize: r.encodedBodySize, decodedBodySize: r.decodedBodySize})),
    });
    return true;
  };
  if (answer()) return;
  new PerformanceObserver((list, observer) => { if (answer()) observer.disconnect(); })
    .observe({type: 'paint', buffered: true});
  setTimeout(() => resolve(null), 10000);
})"""


class MinimalPage(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(MINIMAL_PAGE)))
        self.end_headers()
        self.wfile.write(MINIMAL_PAGE)

    def log_message(self, *args):
        pass


def serve_minimal_page():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), MinimalPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def split_copies(static_root, html):
    """Copies of the databases page's HTML, as served, without its scripts and/or its stylesheet, written
    (with .gz twins, as collectstatic makes) where whitenoise serves them: which part costs the paint."""
    scripts = re.compile(r"<script [^>]*></script>")
    style = re.compile(r'<link rel="stylesheet"[^>]*>')
    copies = {"copy of the databases page": html, "  copy without its scripts": scripts.sub("", html),
              "  copy without its stylesheet": style.sub("", html),
              "  copy without both (the HTML alone)": style.sub("", scripts.sub("", html))}
    paths = {}
    for number, (label, text) in enumerate(copies.items()):
        path = Path(static_root) / "bench-fcp" / f"copy-{number}.html"
        path.write_text(text)
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(text.encode()))
        paths[label] = f"/static/bench-fcp/{path.name}"
    return paths


def collect_static(static_root):
    """collectstatic as the Dockerfile's build step runs it, into static_root."""
    env = {**os.environ, "SECRET_KEY": "build-only-not-secret", "DEBUG": "0", "ALLOWED_HOSTS": "localhost",
           "COUCHADMIN_STATIC_FROM_FINDERS": "0", "COUCHADMIN_STATIC_ROOT": str(static_root)}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=PROJECT, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def log_in(browser, url, name, password):
    """The session cookies of a login through the form."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/login/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    cookies = context.cookies()
    context.close()
    if not any(cookie["name"] == "sessionid" for cookie in cookies):
        raise RuntimeError("login through the form failed")
    return cookies


def cold_load(browser, url, cookies, expect_title):
    """One load in a new context (empty cache, no open connection): the page's timings."""
    context = browser.new_context()
    try:
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        page.goto(url, wait_until="load")
        title = page.title()
        if expect_title not in title:
            raise RuntimeError(f"{url} answered {title!r}, not the expected page")
        measured = page.evaluate(MEASURE)
        if measured is None:
            raise RuntimeError(f"{url}: no first-contentful-paint entry")
        return measured
    finally:
        context.close()


def ms(value):
    return f"{value:7.1f} ms"


def report_resources(loads):
    """Median timings per stylesheet and script of the databases page, and its HTML's."""
    print("\nWhere the databases page's time goes (medians over the runs, ms from navigation start):")
    nav = {key: statistics.median(load["nav"][key] for load in loads) for key in loads[0]["nav"]}
    print(f"  HTML: request sent {nav['requestStart']:.1f}, first byte {nav['responseStart']:.1f}, "
          f"last byte {nav['responseEnd']:.1f}; {nav['transferSize']:.0f} B transferred "
          f"({nav['decodedBodySize']:.0f} B decoded); DOM interactive {nav['domInteractive']:.1f}, "
          f"DOMContentLoaded {nav['domContentLoaded']:.1f}")
    names = sorted({r["name"] for load in loads for r in load["resources"]})
    for name in names:
        rows = [r for load in loads for r in load["resources"] if r["name"] == name]
        med = {key: statistics.median(r[key] for r in rows) for key in
               ("start", "responseStart", "end", "transferSize", "decodedBodySize")}
        print(f"  {name.split('/static/')[-1]:42s} {rows[0]['type']:6s} {rows[0]['blocking'] or '?':12s} "
              f"fetch {med['start']:6.1f} -> first byte {med['responseStart']:6.1f} -> done {med['end']:6.1f}; "
              f"{med['transferSize']:.0f} B transferred ({med['decodedBodySize']:.0f} B decoded)")
    print(f"  first contentful paint {statistics.median(load['fcp'] for load in loads):.1f}")
    return names


def report_headers(names, cookies):
    print("\nStatic files as served (Accept-Encoding: gzip, br):")
    jar = {cookie["name"]: cookie["value"] for cookie in cookies}
    for name in names:
        answer = requests.get(name, headers={"Accept-Encoding": "gzip, br"}, cookies=jar, timeout=30)
        print(f"  {name.split('/static/')[-1]:42s} {answer.status_code} "
              f"Content-Encoding: {answer.headers.get('Content-Encoding', '-'):5s} "
              f"Cache-Control: {answer.headers.get('Cache-Control', '-')}")


GENERIC_TASK = re.compile(r"RunTask|DoWork|SequenceManager|ThreadPool|TaskAnnotator")
TIMELINE_WORK = ("ParseHTML", "ParseAuthorStyleSheet", "UpdateLayoutTree", "Layout", "PrePaint", "Paint",
                 "EvaluateScript", "FunctionCall")


def record_trace(browser, url, cookies, path):
    """One more cold load of the databases page under Chrome's performance timeline (open it in DevTools'
    Performance panel): prints the renderer main thread's work before the first contentful paint, each piece
    with the task it ran in, so what delays the paint shows by name."""
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    browser.start_tracing(page=page, path=path, screenshots=True,
                          categories=["devtools.timeline", "loading", "blink", "v8.execute"])
    page.goto(url, wait_until="load")
    page.evaluate(MEASURE)
    browser.stop_tracing()
    context.close()
    print(f"\nChrome performance trace of one cold load of the databases page: {path}")
    with open(path) as trace:
        events = json.load(trace)["traceEvents"]
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
               if e.get("ph") == "M" and e.get("name") == "thread_name"}
    paint = next(e for e in events if e.get("name") == "firstContentfulPaint")
    main = sorted((e for e in events if e.get("ph") == "X" and e.get("pid") == paint["pid"]
                   and threads.get((e["pid"], e["tid"])) == "CrRendererMain"), key=lambda e: e["ts"])
    start = main[0]["ts"]
    print("  renderer main thread before the first contentful paint (ms from the renderer's first event; "
          "wall / thread time; the task it ran in):")
    for event in main:
        if event["ts"] >= paint["ts"] or event["name"] not in TIMELINE_WORK or event.get("dur", 0) < 1000:
            continue
        outer = [e for e in main if e["ts"] <= event["ts"] and e["ts"] + e.get("dur", 0) >= event["ts"] + event["dur"]
                 and e.get("dur", 0) > event["dur"] and not GENERIC_TASK.search(e["name"])]
        detail = event.get("args", {}).get("data", {}) or event.get("args", {}).get("beginData", {})
        what = detail.get("url") or detail.get("styleSheetUrl") or detail.get("elementCount") or ""
        print(f"    {(event['ts'] - start) / 1000:7.1f} {event['dur'] / 1000:6.1f} / "
              f"{event.get('tdur', 0) / 1000:5.1f}  {event['name']} {str(what)[-40:]}  <- "
              + (" > ".join(e["name"] for e in outer[:2]) or "(top level)"))
    print(f"    {(paint['ts'] - start) / 1000:7.1f}  first contentful paint")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="cold loads of each page")
    parser.add_argument("--warm-up", type=int, default=3, help="rounds loaded first and not counted")
    parser.add_argument("--databases", type=int, default=20, help="databases created for the page to list")
    parser.add_argument("--static-from-finders", action="store_true",
                        help="serve static/ without collectstatic, as the tests and bench/load.py do")
    parser.add_argument("--split", action="store_true",
                        help="also load copies of the databases page without its scripts and/or stylesheet")
    parser.add_argument("--trace", help="also write a Chrome performance trace of one cold databases page")
    args = parser.parse_args()

    with benchmark_server() as (couch_url, name, password), tempfile.TemporaryDirectory() as static_root:
        admin = admin_http(name, password)
        prefix = f"bench-fcp-{uuid.uuid4().hex[:6]}-"
        created = [f"{prefix}{i:02d}" for i in range(args.databases)]
        if args.static_from_finders:
            static = {"COUCHADMIN_STATIC_FROM_FINDERS": "1"}
        else:
            collect_static(static_root)
            (Path(static_root) / "bench-fcp").mkdir()
            (Path(static_root) / "bench-fcp" / "minimal.html").write_bytes(MINIMAL_PAGE)
            static = {"COUCHADMIN_STATIC_FROM_FINDERS": "0", "COUCHADMIN_STATIC_ROOT": static_root}
        secret = {"SECRET_KEY": uuid.uuid4().hex * 2}  # the same across a restart: the login stays valid
        dashboard, url = start_dashboard(couch_url, **static, **secret)
        minimal, minimal_url = serve_minimal_page()
        try:
            for db in created:
                admin.put(couch_url + db, timeout=60).raise_for_status()
            print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
                  f"gunicorn as the Dockerfile runs it: {dockerfile_command()}")
            print(f"CouchDB at {couch_url}; static files "
                  + ("from static/ (finders)" if args.static_from_finders else "collected (collectstatic)"))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                print(f"Chromium {browser.version}, {args.runs} cold loads of each page, interleaved")
                cookies = log_in(browser, url, name, password)
                copies = {}
                if args.split and not args.static_from_finders:
                    # whitenoise reads STATIC_ROOT at start-up: the copies need a restart to be served.
                    jar = {cookie["name"]: cookie["value"] for cookie in cookies}
                    html = requests.get(url + "/", cookies=jar, timeout=60).text
                    copies = split_copies(static_root, html)
                    stop_dashboard(dashboard)
                    dashboard, url = start_dashboard(couch_url, **static, **secret)
                pages = {"databases page /": (url + "/", cookies, "Databases"),
                         "login page /login/ (no CouchDB)": (url + "/login/", None, "Log in")}
                for label, path in copies.items():
                    pages[label] = (url + path, None, "Databases")
                if not args.static_from_finders:
                    pages[SAME_SERVER] = (url + "/static/bench-fcp/minimal.html", None, "minimal")
                pages[HTTP_SERVER] = (minimal_url, None, "minimal")
                loads = {label: [] for label in pages}
                for round_ in range(args.warm_up + args.runs):
                    order = list(pages) if round_ % 2 == 0 else list(reversed(pages))
                    for label in order:
                        measured = cold_load(browser, *pages[label])
                        if round_ >= args.warm_up:
                            loads[label].append(measured)
                print(f"\n  {'page':40s} {'FCP p50':>10s} {'FCP p95':>10s} {'first byte p50':>15s}")
                for label, runs in loads.items():
                    fcps = [load["fcp"] for load in runs]
                    ttfb = statistics.median(load["nav"]["responseStart"] for load in runs)
                    print(f"  {label:40s} {ms(statistics.median(fcps))} {ms(percentile(fcps, .95))} {ms(ttfb):>15s}")
                for baseline in (SAME_SERVER, HTTP_SERVER):
                    if baseline not in loads:
                        continue
                    base = statistics.median(load["fcp"] for load in loads[baseline])
                    for label in ("databases page /", "login page /login/ (no CouchDB)", *copies):
                        print(f"  FCP p50 ratio, {label.strip()} / {baseline}: "
                              f"{statistics.median(load['fcp'] for load in loads[label]) / base:.2f}")
                names = report_resources(loads["databases page /"])
                report_headers(names, cookies)
                if args.trace:
                    record_trace(browser, url + "/", cookies, args.trace)
                browser.close()
            print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            minimal.shutdown()
            stop_dashboard(dashboard)
            for db in created:
                admin.delete(couch_url + db, timeout=60)


if __name__ == "__main__":
    main()
