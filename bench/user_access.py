"""Benchmark: "which databases grant this user access" over N databases (issue 26), and CouchDB's own floor.

    .venv/bin/python -m bench.user_access [--databases 10000] [--runs 3] [--project DIR [--project DIR2]]

Creates N databases named zz-bench-access-<run>-<number> (after the test suite's ca-… names), 16 PUTs at a time
as the server's admin, with the server's default q and n; pouchdb-server's are then made admins-only, as CouchDB 3
makes them. A fresh user (role bench-role) is granted five of them: by name, by role, as an admin by name and by
role, and one public. Then, --runs times, the whole scan through the dashboard under gunicorn as the Dockerfile
runs it (bench/common.py's start_dashboard), logged in as the admin: the page, then each request the last answer
asks for with hx-trigger="load", one after another with HX-Request, as htmx sends them. The five grants must be
found; the cores each part of the machine used say where the time went (bench/cpu_use.py: "a page" is a
database there). --project names a checkout to time (default: this one); given more than once, e.g. with the
checkout before a change, the checkouts' scans take turns on the same databases. Beside them, the floor: the same
_security reads sent straight to CouchDB with the admin's AuthSession cookie, one after another and as many at a
time as the dashboard sends them (READS_AT_ONCE). The databases and the user are deleted at the end, whatever
happened.
"""

import argparse
import os
import re
import statistics
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path
from urllib.parse import quote, urljoin

from requests.adapters import HTTPAdapter

from bench.common import (
    PROJECT,
    admin_http,
    benchmark_server,
    client_session,
    dashboard_session,
    start_dashboard,
    stop_dashboard,
)
from bench.cpu_use import CpuUse
from browser.couch.client import READS_AT_ONCE

AT_ONCE = 16  # the benchmark's own PUTs and DELETEs
ADMINS_ONLY = {"members": {"roles": ["_admin"]}, "admins": {"roles": ["_admin"]}}
NEXT_REQUEST = re.compile(r'<[^>]*\bhx-get="([^"]+)"[^>]*\bhx-trigger="load"')
ROLE = "bench-role"


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def pooled(http):
    adapter = HTTPAdapter(pool_maxsize=AT_ONCE * 2)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def each(action, items, at_once=AT_ONCE):
    with ThreadPoolExecutor(at_once) as pool:
        return list(pool.map(action, items))


def seed(http, url, names, user, is_apache_couchdb):
    """Create the databases, and grant `user` five of them: {database: how the page says it}."""
    def create(name):
        http.put(url + name, timeout=120).raise_for_status()
        if not is_apache_couchdb:  # pouchdb-server makes new databases public
            http.put(f"{url}{name}/_security", json=ADMINS_ONLY, timeout=120).raise_for_status()

    each(create, names)
    nobody = {"names": [], "roles": []}
    grants = [
        ({"members": {"names": [user], "roles": []}, "admins": nobody}, "member by name"),
        ({"members": {"names": [], "roles": [ROLE]}, "admins": nobody}, f"member by role “{ROLE}”"),
        ({"members": {"names": [], "roles": ["_admin"]}, "admins": {"names": [user], "roles": []}}, "admin by name"),
        ({"members": {"names": [], "roles": ["_admin"]}, "admins": {"names": [], "roles": [ROLE]}},
         f"admin by role “{ROLE}”"),
        ({"members": nobody, "admins": nobody}, "member, because the database is public"),
    ]
    granted = {}
    for place, (security, said) in enumerate(grants):
        name = names[place * (len(names) - 1) // (len(grants) - 1)]
        http.put(f"{url}{name}/_security", json=security, timeout=60).raise_for_status()
        granted[name] = said
    return granted


def scan_through_dashboard(dashboard_url, name, password, user):
    """The whole scan as a browser runs it: (seconds, requests, rows {database: its text})."""
    http, _ = dashboard_session(dashboard_url, name, password)
    http.headers.update({"Accept-Encoding": "gzip", "Sec-Fetch-Site": "same-origin"})
    page_url = f"{dashboard_url}/users/access/{quote(user, safe='')}"
    started = time.perf_counter()
    answer = http.get(page_url, timeout=600)
    bodies = [answer.text]
    while answer.status_code == 200 and (found := NEXT_REQUEST.search(answer.text)):
        answer = http.get(urljoin(page_url, unescape(found.group(1))), headers={"HX-Request": "true"}, timeout=600)
        bodies.append(answer.text)
    seconds = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"the dashboard answered {answer.status_code} after {len(bodies)} requests")
    rows = {unescape(db): unescape(cell) for body in bodies
            for db, cell in re.findall(r'<tr data-db="([^"]*)">(.*?)</tr>', body, re.S)}
    return seconds, len(bodies), rows


def floor(url, name, password, names, at_once):
    """The same _security reads straight to the server with an AuthSession cookie: seconds."""
    http = pooled(client_session())
    http.headers["Accept"] = "application/json"
    http.post(url + "_session", data={"name": name, "password": password}, timeout=60).raise_for_status()
    started = time.perf_counter()
    each(lambda db: http.get(f"{url}{quote(db, safe='')}/_security", timeout=60).raise_for_status(), names, at_once)
    return time.perf_counter() - started


def describe(project):
    def git(*args):
        return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True).stdout.strip()
    return f"{git('rev-parse', '--short', 'HEAD')}{' + changes' if git('status', '--porcelain', '-uno') else ''}"


def check(rows, granted, run):
    """The scan must have found the five grants among the benchmark's databases, and no other of them."""
    mine = {db: text for db, text in rows.items() if db.startswith(f"zz-bench-access-{run}-")}
    if set(mine) != set(granted) or any(said not in mine[db] for db, said in granted.items()):
        raise RuntimeError(f"the scan found {sorted(mine)}, not {sorted(granted)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--project", action="append",
                        help="a checkout whose dashboard is timed (again for more; default: this one); with several, "
                             "their scans take turns on the same databases")
    args = parser.parse_args()
    projects = [Path(project).resolve() for project in args.project or [PROJECT]]

    with benchmark_server() as (url, name, password):
        http = pooled(admin_http(name, password))
        greeting = http.get(url, timeout=60).json()
        is_apache_couchdb = "couchdb" in greeting
        server = f"Apache CouchDB {greeting.get('version')}" if is_apache_couchdb else "pouchdb-server"
        run = uuid.uuid4().hex[:8]
        names = [f"zz-bench-access-{run}-{number:05d}" for number in range(args.databases)]
        user = f"bench-access-{run}"
        user_url = f"{url}_users/org.couchdb.user:{user}"
        print(f"{server}, {args.databases:,} databases; {os.cpu_count()} cores, load average {load_average()}")
        dashboards = {}
        try:
            http.put(user_url, json={"name": user, "password": uuid.uuid4().hex, "roles": [ROLE], "type": "user"},
                     timeout=60).raise_for_status()
            started = time.perf_counter()
            granted = seed(http, url, names, user, is_apache_couchdb)
            print(f"created in {time.perf_counter() - started:.1f} s, load average {load_average()}")
            for project in projects:
                dashboards[project] = start_dashboard(url, project=project)
            timings = {project: [] for project in projects}
            for number in range(args.runs):
                for project, (process, dashboard_url) in dashboards.items():
                    with CpuUse(process.pid) as cpu:
                        seconds, requests_made, rows = scan_through_dashboard(dashboard_url, name, password, user)
                    check(rows, granted, run)
                    timings[project].append(seconds)
                    print(f"  scan {number + 1}, {project.name} ({describe(project)}): {seconds:.1f} s in "
                          f"{requests_made} requests ({seconds / args.databases * 1000:.2f} ms a database), "
                          f"load average {load_average()}\n  {cpu.line(args.databases / seconds)}")
            for at_once in (1, READS_AT_ONCE):
                seconds = floor(url, name, password, names, at_once)
                print(f"  straight to {server}, {at_once} at a time: {seconds:.1f} s, load average {load_average()}")
            for project, seconds in timings.items():
                print(f"{project.name} ({describe(project)}): median of {args.runs} scans "
                      f"{statistics.median(seconds):.1f} s")
        finally:
            for process, _ in dashboards.values():
                stop_dashboard(process)
            started = time.perf_counter()
            each(lambda db: http.delete(url + db, timeout=120), names)
            current = http.get(user_url, timeout=60)
            if current.ok:
                http.delete(user_url, params={"rev": current.json()["_rev"]}, timeout=60)
            print(f"deleted in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
