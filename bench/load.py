"""Load benchmark: N logged-in users at once, through the dashboard and straight to CouchDB.

    .venv/bin/python -m bench.load [--users 50] [--rate 1] [--seconds 60] [--saturation-users 16]

Runs the dashboard under gunicorn exactly as the Dockerfile's CMD does (its flags are read from the
Dockerfile; only the address becomes 127.0.0.1 on a free port), against the benchmark server
(BENCH_COUCHDB_URL, BENCH_COUCHDB_USER, BENCH_COUCHDB_PASSWORD, or an embedded pouchdb-server).
Every user is a session of its own, logged in as that server's admin; "CouchDB" is the same requests
each dashboard page makes to CouchDB, sent straight to it with an AuthSession cookie. Three phases, each
run on both sides, each bounded by --seconds and --most-requests:

1. one user, one page after another: p50 per page type (databases, 20 and 500 documents, a document,
   the 52-field form editor, a text edit saved); and the dashboard's floor: the login form, a page
   that makes no CouchDB request, which with CouchDB's answer gives each page's least possible ratio;
2. --users users with think time (--rate pages per second each): browse the databases, the document
   list and documents, edit their own document, and edit one shared document in which each user sets
   a member of its own; a 409 is resolved as a person would (the dashboard's three-way merge, or for
   CouchDB a fresh GET and PUT). Reports throughput, p50/p95 per page type, errors, 409s met and lost
   updates (a user's last saved value missing from the shared document at the end);
3. saturation: --saturation-users users without think time: pages per second on each side, and the cores
   the load generator, the dashboard and the rest of the machine (CouchDB, when it runs here) used.
"""

import argparse
import collections
import concurrent.futures
import html
import json
import os
import random
import re
import threading
import time
import uuid

import requests

from bench.common import (
    admin_http,
    benchmark_server,
    client_session,
    dashboard_session,
    dockerfile_command,
    percentile,
    start_dashboard,
    stop_dashboard,
    timed,
)
from bench.cpu_use import CpuUse, dashboard_seconds

# --- the two sides: each action is a page through the dashboard, or the CouchDB requests behind it ---------

class Dashboard:
    """One person logged in to the dashboard."""

    def __init__(self, url, name, password):
        self.url, (self.http, _) = url, dashboard_session(url, name, password)
        # A browser sends these on its own pages: HTML comes back gzipped, as a browser would receive it.
        self.http.headers.update({"Accept-Encoding": "gzip", "Sec-Fetch-Site": "same-origin"})

    def get(self, path):
        answer = self.http.get(self.url + path, timeout=60)
        return answer.status_code == 200

    def databases(self, db):
        return self.get("/")

    def documents(self, db, size=20):
        return self.get(f"/db/{db}/" + (f"?size={size}" if size != 20 else ""))

    def document(self, db, docid):
        return self.get(f"/db/{db}/doc/{docid}")

    def form_editor(self, db, docid):
        return self.get(f"/db/{db}/edit/{docid}")

    def edit(self, db, docid, change):
        """Open the text editor, change the body, save; on a 409 save the offered three-way merge.
        Answers (saved, conflicts met)."""
        edit_url = f"{self.url}/db/{db}/edit/{docid}"
        conflicts = 0
        for _ in range(MAX_TRIES):
            page = self.http.get(edit_url, params={"mode": "text"}, timeout=60)
            if page.status_code != 200:
                return False, conflicts
            base_rev = re.search(r'name="base_rev" value="([^"]*)"', page.text).group(1)
            text = html.unescape(re.search(r'<textarea name="text"[^>]*>(.*?)</textarea>', page.text, re.S).group(1))
            fields = {"mode": "text", "base_rev": base_rev, "text": json.dumps(change(json.loads(text)))}
            answer = self._post(edit_url, fields)
            while answer.status_code == 409:
                conflicts += 1
                theirs = re.search(r'name="merge_theirs_rev" value="([^"]+)"', answer.text)
                if not theirs or conflicts >= MAX_TRIES:
                    break
                answer = self._post(edit_url, {**fields, "merge_theirs_rev": theirs.group(1)})
            if answer.status_code == 302:
                return True, conflicts
            if answer.status_code != 409:
                return False, conflicts
        return False, conflicts

    def _post(self, url, fields):
        return self.http.post(url, data=fields, allow_redirects=False, timeout=60,
                              headers={"X-CSRFToken": self.http.cookies.get("csrftoken"), "Referer": url})


class Direct:
    """The same person's requests straight to CouchDB: what each dashboard page asks CouchDB for."""

    def __init__(self, url, name, password):
        self.url, self.http = url, client_session()
        self.http.headers["Accept"] = "application/json"
        self.http.post(url + "_session", data={"name": name, "password": password}, timeout=60).raise_for_status()

    def databases(self, db):
        names = self.http.get(self.url + "_all_dbs", params={"limit": 21}, timeout=60)
        info = self.http.post(self.url + "_dbs_info", json={"keys": names.json()[:20]}, timeout=60)
        return names.ok and info.ok

    def documents(self, db, size=20):
        info = self.http.get(self.url + db, timeout=60)
        rows = self.http.get(f"{self.url}{db}/_all_docs",
                             params={"include_docs": "true", "conflicts": "true", "limit": size + 1}, timeout=60)
        return info.ok and rows.ok

    def document(self, db, docid):
        return self.http.get(f"{self.url}{db}/{docid}", params={"revs_info": "true", "conflicts": "true"},
                             timeout=60).ok

    def form_editor(self, db, docid):
        return self.http.get(f"{self.url}{db}/{docid}", timeout=60).ok

    def edit(self, db, docid, change):
        """GET, change, PUT; on a 409 read again and retry, as the dashboard's merge does."""
        conflicts = 0
        for _ in range(MAX_TRIES):
            got = self.http.get(f"{self.url}{db}/{docid}", timeout=60)
            if not got.ok:
                return False, conflicts
            put = self.http.put(f"{self.url}{db}/{docid}", json=change(got.json()), timeout=60)
            if put.status_code == 409:
                conflicts += 1
                continue
            return put.ok, conflicts
        return False, conflicts


MAX_TRIES = 8
SEED_DOCS = 600
BROWSING = (("databases", 20), ("documents", 25), ("document", 30), ("edit own", 15), ("edit shared", 10))


class Fixture:
    """The database the users browse: SEED_DOCS small documents, a 52-field one, one per user, one shared."""

    def __init__(self, couch_url, admin, users):
        self.couch_url, self.admin = couch_url, admin
        self.db = f"bench-load-{uuid.uuid4().hex[:8]}"
        admin.put(couch_url + self.db, timeout=60).raise_for_status()
        docs = [{"_id": f"doc-{i:04d}", "name": f"row {i}", "price": 12.5 + i, "tags": ["a", "b"], "paid": i % 2 == 0}
                for i in range(SEED_DOCS)]
        fields = {f"field{i:02d}": i if i % 3 == 0 else f"text {i}" if i % 3 == 1 else [i, {"k": i}] for i in range(52)}
        docs.append({"_id": "form-52", **fields})
        docs += [{"_id": f"own-{u:03d}", "count": 0} for u in range(users)]
        docs.append({"_id": "team-doc"})
        admin.post(f"{couch_url}{self.db}/_bulk_docs", json={"docs": docs}, timeout=300).raise_for_status()

    def reset_shared(self):
        doc = self.admin.get(f"{self.couch_url}{self.db}/team-doc", timeout=60).json()
        self.admin.put(f"{self.couch_url}{self.db}/team-doc", json={"_id": "team-doc", "_rev": doc["_rev"]},
                       timeout=60).raise_for_status()

    def shared(self):
        return self.admin.get(f"{self.couch_url}{self.db}/team-doc", timeout=60).json()

    def drop(self):
        self.admin.delete(self.couch_url + self.db, timeout=60)


class Run:
    """Latencies per page type, errors and the shared document's saves, for one side and one phase."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times = collections.defaultdict(list)
        self.errors = collections.Counter()
        self.saved_shared = {}  # user -> the last value that user saved into the shared document
        self.conflicts = 0
        self.gave_up = 0
        self.requests = 0
        self.elapsed = 0.0

    def record(self, kind, seconds, ok):
        with self.lock:
            self.times[kind].append(seconds)
            self.requests += 1
            if not ok:
                self.errors[kind] += 1

    def pages_per_second(self):
        return self.requests / self.elapsed if self.elapsed else 0.0


def act(side, kind, user, step, fixture, run, rng):
    db = fixture.db
    started = time.perf_counter()
    if kind == "databases":
        ok = side.databases(db)
    elif kind == "documents":
        ok = side.documents(db)
    elif kind == "documents 500":
        ok = side.documents(db, 500)
    elif kind == "document":
        ok = side.document(db, f"doc-{rng.randrange(SEED_DOCS):04d}")
    elif kind == "form editor 52":
        ok = side.form_editor(db, "form-52")
    elif kind == "edit own":
        ok, _ = side.edit(db, f"own-{user:03d}", lambda body: {**body, "count": body.get("count", 0) + 1})
    else:
        key = f"u{user:03d}"
        ok, conflicts = side.edit(db, "team-doc", lambda body: {**body, key: step})
        with run.lock:
            run.conflicts += conflicts
            if ok:
                run.saved_shared[key] = step
            elif conflicts >= MAX_TRIES - 1:
                run.gave_up += 1  # still conflicting after MAX_TRIES tries: a refused save, not a lost one
                ok = True
    run.record(kind, time.perf_counter() - started, ok)


def user_loop(side_factory, user, fixture, run, deadline, budget, interval, kinds, seed):
    rng = random.Random(seed)
    side = side_factory()
    step = 0
    population = [k for k, _ in kinds]
    weights = [w for _, w in kinds]
    next_at = time.perf_counter() + (rng.random() * interval if interval else 0)
    while time.perf_counter() < deadline and budget.take():
        if interval:
            time.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += rng.expovariate(1 / interval)  # think time: about one page per `interval` seconds
        step += 1
        try:
            act(side, rng.choices(population, weights)[0], user, step, fixture, run, rng)
        except (requests.RequestException, AttributeError, ValueError) as exc:
            run.record(type(exc).__name__, 0.0, False)


class Budget:
    def __init__(self, most):
        self.left, self.lock = most, threading.Lock()

    def take(self):
        with self.lock:
            self.left -= 1
            return self.left >= 0


def run_phase(side_factory, fixture, users, seconds, most_requests, interval, kinds, seed=1):
    """`users` threads, each its own logged-in session, for at most `seconds` or `most_requests` pages."""
    fixture.reset_shared()
    run, budget = Run(), Budget(most_requests)
    sides = [None] * users

    def make(i):
        sides[i] = side_factory()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:  # log everyone in before the clock starts
        list(pool.map(make, range(users)))
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=user_loop,
                                args=(lambda i=i: sides[i], i, fixture, run, deadline, budget, interval, kinds,
                                      seed * 1000 + i)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.elapsed = time.perf_counter() - started
    shared = fixture.shared()
    run.lost = sum(1 for key, value in run.saved_shared.items() if shared.get(key) != value)
    return run


def summary(label, run):
    lines = [f"{label}: {run.requests} pages in {run.elapsed:.1f} s = {run.pages_per_second():.1f} pages/s; "
             f"errors {sum(run.errors.values())} {dict(run.errors) or ''}; shared document: "
             f"{run.conflicts} conflicts (409) met, {run.gave_up} edits given up after {MAX_TRIES} tries, "
             f"{len(run.saved_shared)} users' last saves all kept? lost updates {run.lost}"]
    for kind, times in sorted(run.times.items()):
        lines.append(f"    {kind:15s} n={len(times):5d}  p50 {percentile(times, .5) * 1000:8.1f} ms"
                     f"  p95 {percentile(times, .95) * 1000:8.1f} ms")
    return "\n".join(lines)


def side_by_side(title, dash, direct):
    print(f"\n{title}\n  {'page':15s} {'dashboard p50/p95':>22s} {'CouchDB p50/p95':>22s} {'p50 ratio':>10s}")
    for kind in sorted(set(dash.times) | set(direct.times)):
        d, c = dash.times.get(kind, []), direct.times.get(kind, [])
        dp50, cp50 = percentile(d, .5), percentile(c, .5)
        print(f"  {kind:15s} {dp50 * 1000:9.1f} / {percentile(d, .95) * 1000:7.1f} ms"
              f" {cp50 * 1000:9.1f} / {percentile(c, .95) * 1000:7.1f} ms {dp50 / cp50:9.2f}x")


def print_floor(dash_url, couch_url, direct, pages, dashboard_group):
    """The floors, through the same gunicorn command, requests interleaved: a bare WSGI callable, a Django hello
    view (startproject's middleware), Django with a 10 KB Jinja2 page (bench/floors.py), and the dashboard's
    login form, the shell every page shares without a CouchDB request. A page that asks CouchDB costs at least
    a floor plus the answer it waits for: (floor + CouchDB p50) / CouchDB p50 is the least ratio it can reach.
    Answers the login form's CPU a request."""
    anonymous = client_session()
    anonymous.headers.update({"Accept-Encoding": "gzip", "Sec-Fetch-Site": "same-origin"})
    servers = {"bare": start_dashboard(couch_url, "bench.floors:bare"),
               "hello": start_dashboard(couch_url, "bench.floors:hello")}
    try:
        floors = {"bare WSGI": (servers["bare"], "/"), "Django hello view": (servers["hello"], "/login/"),
                  "Django, 10 KB page": (servers["hello"], "/template/"),
                  "login form": ((None, dash_url), "/login/"), "static file": ((None, dash_url), "/static/favicon.svg")}
        times = {label: [] for label in floors}
        cpu = dict.fromkeys(floors, 0.0)
        for round_ in range(pages + 5):
            for label, ((process, url), path) in floors.items():
                group = process.pid if process else dashboard_group
                before = dashboard_seconds(group)
                _, seconds = timed(lambda address=url + path: anonymous.get(address, timeout=60).raise_for_status())
                if round_ >= 5:
                    times[label].append(seconds)
                    cpu[label] += dashboard_seconds(group) - before
    finally:
        for process, _ in servers.values():
            stop_dashboard(process)
    print("  floors, interleaved through the same gunicorn command (p50 wall; server CPU a request):")
    for label in floors:
        p50 = percentile(times[label], .5)
        print(f"    {label:19s} p50 {p50 * 1000:6.2f} ms; CPU {cpu[label] / pages * 1000:5.2f} ms")
    print(f"  login form CPU / Django hello view CPU: {cpu['login form'] / max(cpu['Django hello view'], 1e-9):.2f}"
          " (target at most 1.5)")
    floor, hello = percentile(times["login form"], .5), percentile(times["Django hello view"], .5)
    print("  the least ratio each page could reach, (floor + CouchDB p50) / CouchDB p50, with the login form and "
          "with Django's hello view as the floor:")
    for kind, cp in sorted(direct.times.items()):
        print(f"    {kind:15s} {1 + floor / percentile(cp, .5):5.2f}x {1 + hello / percentile(cp, .5):5.2f}x")
    return cpu["login form"] / pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent users at --rate pages per second each")
    parser.add_argument("--rate", type=float, default=1.0, help="pages per second per user (think time between)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the loaded and saturated phases")
    parser.add_argument("--single-pages", type=int, default=60, help="pages of each kind for the single user")
    parser.add_argument("--saturation-users", type=int, default=16, help="users without think time")
    parser.add_argument("--most-requests", type=int, default=100_000, help="cap per phase and side")
    args = parser.parse_args()

    with benchmark_server() as (couch_url, name, password):
        admin = admin_http(name, password)
        fixture = Fixture(couch_url, admin, max(args.users, args.saturation_users))
        dashboard, dash_url = start_dashboard(couch_url)
        try:
            print(f"{os.cpu_count()} cores; gunicorn as the Dockerfile runs it: {dockerfile_command()}")
            print(f"CouchDB at {couch_url}; database {fixture.db} ({SEED_DOCS} documents)")
            sides = {"dashboard": lambda: Dashboard(dash_url, name, password),
                     "CouchDB": lambda: Direct(couch_url, name, password)}
            singles, page_cpu = {}, {}
            for label, factory in sides.items():
                runs = []
                for kind in ("databases", "documents", "documents 500", "document", "form editor 52", "edit own"):
                    before = dashboard_seconds(dashboard.pid)
                    runs.append(run_phase(factory, fixture, 1, args.seconds, args.single_pages, 0, [(kind, 1)]))
                    if label == "dashboard":
                        page_cpu[kind] = (dashboard_seconds(dashboard.pid) - before) / len(runs[-1].times[kind])
                merged = Run()
                for run in runs:
                    merged.times.update(run.times)
                    merged.errors.update(run.errors)
                singles[label] = merged
            side_by_side("One user, one page after another (warm)", singles["dashboard"], singles["CouchDB"])
            page_cpu["login form"] = print_floor(dash_url, couch_url, singles["CouchDB"], args.single_pages,
                                                 dashboard.pid)
            print("  the dashboard's own CPU a page, one user (gunicorn's processes, ms): " + "; ".join(
                f"{kind} {seconds * 1000:.1f}" for kind, seconds in page_cpu.items()))

            loaded = {label: run_phase(factory, fixture, args.users, args.seconds, args.most_requests,
                                       1 / args.rate, BROWSING) for label, factory in sides.items()}
            print(f"\n{args.users} users, {args.rate:g} page/s each (think time), {args.seconds:g} s:")
            for label, run in loaded.items():
                print(summary("  " + label, run))
            side_by_side("Under load, side by side", loaded["dashboard"], loaded["CouchDB"])
            for kind in ("databases", "documents", "document"):
                single = percentile(singles["dashboard"].times[kind], .5)
                print(f"  {kind}: loaded p95 / single-user p50 = "
                      f"{percentile(loaded['dashboard'].times[kind], .95) / single:.2f}")

            saturated, cpu = {}, {}
            for label, factory in sides.items():
                with CpuUse(dashboard.pid) as cpu[label]:
                    saturated[label] = run_phase(factory, fixture, args.saturation_users, args.seconds,
                                                 args.most_requests, 0, BROWSING)
            print(f"\nSaturation: {args.saturation_users} users without think time, {args.seconds:g} s:")
            for label, run in saturated.items():
                print(summary("  " + label, run))
                print(cpu[label].line(run.pages_per_second()))
            print(f"  dashboard / CouchDB throughput: "
                  f"{saturated['dashboard'].pages_per_second() / saturated['CouchDB'].pages_per_second():.2f}")
        finally:
            stop_dashboard(dashboard)
            fixture.drop()


if __name__ == "__main__":
    main()
