"""Security probes (issue 23, "Trust under attack"): ten attacks on a running dashboard, counted.

    .venv/bin/python -m bench.security_probes --couchdb-url http://127.0.0.1:15984/ --admin admin:password \
        [--project DIR] [--seconds 900]

Starts, from the project checkout DIR (default: this one), a Redis of its own (no persistence, a free port of
127.0.0.1) and two gunicorn copies of the dashboard as DIR's Dockerfile runs them (`gunicorn
couchadmin.wsgi:application`, DEBUG=0, one fixed SECRET_KEY for both, sessions in that Redis), with an audit
database and writer of their own prepared by DIR's `manage.py prepare_audit`. It creates uniquely named users
and databases in CouchDB, attacks as an outsider would, prints one Markdown row per probe (attempts, how many
got through) and removes everything it created. The same script measures an old checkout ("before"): a probe
whose feature the checkout lacks, or that fails, says so in its row.

The interpreter that runs DIR's code is DIR/.venv/bin/python if it exists, else this checkout's .venv.

Attackers reach the dashboard through 127.0.0.1 like everybody else; the copies run with
TRUST_X_FORWARDED_FOR=1, as behind a reverse proxy on the same host, and each attacking probe's requests carry
an X-Forwarded-For address of its own (10.23.<probe>.1, a header only: nothing is sent there). So an attacker
is not the same client as the people who log in from 127.0.0.1 (the server admin, the team admin, a victim
logging in to CouchDB directly), and the probes do not disturb each other's login counts.
"""

import argparse
import base64
import binascii
import csv
import io
import json
import os
import pathlib
import pickle
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

HERE = Path(__file__).resolve().parent.parent
REDIS_SERVER = "/usr/bin/redis-server"
TIMEOUT = 60
WRONG = "The user name or password is incorrect"
TOO_MANY = "Too many failed logins"
LOCKED = "CouchDB has locked this account"
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
LOGIN_FAILURES_PER_USER = 5  # the dashboard's default; the copies run with it


# --- small helpers ------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} at start-up")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {seconds} s")


def http_session(forwarded_for=None):
    http = requests.Session()
    http.trust_env = False  # no proxies, no ~/.netrc: everything stays on 127.0.0.1
    if forwarded_for:
        http.headers["X-Forwarded-For"] = forwarded_for
    return http


def csrf_token(text):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    return match.group(1) if match else None


class FormFields(HTMLParser):
    """Every <form> of a page: the values a browser would submit untouched, and the names of its fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._current, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = {"method": (a.get("method") or "get").lower(), "action": a.get("action"), "fields": {},
                             "names": set()}
            self.forms.append(self._current)
        if self._current is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            self._current["names"].add(name)
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._current["fields"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._current["fields"][name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._current["names"].add(name)
            self._textarea = name
            self._current["fields"][name] = ""
        elif tag == "select" and name:
            self._current["names"].add(name)
            self._current["fields"].setdefault(name, "")
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or not self._current["fields"].get(self._select):
                self._current["fields"][self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        if tag == "select":
            self._select = None
        if tag == "form":
            self._current = None

    def handle_data(self, data):
        if self._textarea and self._current is not None:
            self._current["fields"][self._textarea] += data


def form_defaults(page, marker):
    parser = FormFields()
    parser.feed(page)
    for form in parser.forms:
        if marker in form["names"]:
            return form
    return None


class ProbeCannotRun(Exception):
    """The probe could not be run on this checkout (a feature it lacks, a set-up step that failed)."""


# --- the world: Redis, CouchDB fixtures, the two copies ----------------------------------------------------

class Redis:
    def __init__(self, folder):
        self.folder, self.port, self.process = folder, free_port(), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process)
        return self

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Couch:
    """Server-admin requests straight to CouchDB, and everything created, to remove at the end."""

    def __init__(self, url, name, password):
        self.url, self.name, self.password = url, name, password
        self.http = http_session()
        self.http.auth = (name, password)
        self.http.headers["Accept"] = "application/json"
        self.users, self.databases, self.replicator_docs = [], [], []

    def db_url(self, db, *rest):
        return self.url + "/".join([quote(db, safe="")] + [quote(r, safe="") for r in rest])

    def create_user(self, name, password, roles=()):
        answer = self.http.put(f"{self.url}_users/{quote('org.couchdb.user:' + name, safe='')}",
                               json={"name": name, "password": password, "roles": list(roles), "type": "user"},
                               timeout=TIMEOUT)
        answer.raise_for_status()
        self.users.append(name)

    def create_database(self, db, security=None):
        self.http.put(self.db_url(db), timeout=TIMEOUT).raise_for_status()
        self.databases.append(db)
        if security is not None:
            self.http.put(self.db_url(db, "_security"), json=security, timeout=TIMEOUT).raise_for_status()

    def direct_login(self, name, password, forwarded_for=None):
        """POST /_session from this machine: the status code CouchDB answers."""
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        return http_session().post(self.url + "_session", json={"name": name, "password": password},
                                   headers=headers, timeout=TIMEOUT).status_code

    def cleanup(self, marks):
        for docid in self.replicator_docs:
            doc = self.http.get(self.db_url("_replicator", docid), timeout=TIMEOUT)
            if doc.ok:
                self.http.delete(self.db_url("_replicator", docid), params={"rev": doc.json()["_rev"]}, timeout=TIMEOUT)
        try:
            jobs = self.http.get(self.url + "_scheduler/jobs", timeout=TIMEOUT).json().get("jobs", [])
        except (requests.RequestException, ValueError):
            jobs = []
        for job in jobs:
            if job.get("database") is None and any(mark in json.dumps(job) for mark in marks):
                self.http.post(self.url + "_replicate", json={"replication_id": job["id"], "cancel": True},
                               timeout=TIMEOUT)
        for db in self.databases:
            self.http.delete(self.db_url(db), timeout=TIMEOUT)
        for name in self.users:
            docid = quote("org.couchdb.user:" + name, safe="")
            doc = self.http.get(f"{self.url}_users/{docid}", timeout=TIMEOUT)
            if doc.ok:
                self.http.delete(f"{self.url}_users/{docid}", params={"rev": doc.json()["_rev"]}, timeout=TIMEOUT)


def interpreter_for(project):
    own = project / ".venv" / "bin" / "python"
    return own if own.exists() else HERE / ".venv" / "bin" / "python"


def gunicorn_command(project):
    """The Dockerfile's CMD (`sh -c "exec gunicorn ..."`), bound to 127.0.0.1; a plain gunicorn line otherwise."""
    try:
        text = (project / "Dockerfile").read_text()
    except OSError:
        text = ""
    match = re.search(r'^CMD \["sh", "-c", "(exec gunicorn [^"]+)"\]', text, re.MULTILINE)
    command = match.group(1) if match else "exec gunicorn couchadmin.wsgi:application --bind 0.0.0.0:${PORT}"
    return command.replace("--bind 0.0.0.0:", "--bind 127.0.0.1:")


class Dashboard:
    """Two copies of the dashboard, sharing one Redis and one SECRET_KEY."""

    def __init__(self, project, python, couch_url, redis, audit, work):
        self.project, self.python, self.work = project, python, work
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AUDIT_", "LOGIN_", "SESSION_", "COUCH"))},
            "DJANGO_SETTINGS_MODULE": "couchadmin.settings", "DEBUG": "0",
            "SECRET_KEY": "security-probes-" + secrets.token_hex(24), "ALLOWED_HOSTS": "127.0.0.1",
            "COOKIES_SECURE": "0", "SECURE_SSL_REDIRECT": "0", "COUCHADMIN_STATIC_FROM_FINDERS": "1",
            "COUCHDB_URL": couch_url, "SESSION_STORE_URL": redis.url, "TRUST_X_FORWARDED_FOR": "1",
            "AUDIT_DATABASE": audit["database"], "AUDIT_WRITER_NAME": audit["writer"],
            "AUDIT_WRITER_PASSWORD": audit["password"], "COUCHADMIN_VAR_DIR": str(work / "var"),
            "LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "1",
            "PATH": f"{python.parent}:{os.environ.get('PATH', '')}"}
        self.copies = []  # (process, base url, log path)

    def manage(self, *args, **extra_env):
        return subprocess.run([str(self.python), "manage.py", *args], cwd=self.project, env={**self.env, **extra_env},
                              capture_output=True, text=True, timeout=120)

    def start(self):
        for i in range(2):
            port = free_port()
            log = self.work / f"copy{i}-{port}.log"
            with open(log, "wb") as out:
                process = subprocess.Popen(["sh", "-c", gunicorn_command(self.project)], cwd=self.project,
                                           env={**self.env, "PORT": str(port)}, stdout=out, stderr=out,
                                           start_new_session=True)
            self.copies.append((process, f"http://127.0.0.1:{port}", log))
        for process, base, log in self.copies:
            self._wait(process, base, log)

    def _wait(self, process, base, log):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start-up: {log.read_text()[-2000:]}")
            try:
                http_session().get(base + "/healthz", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn at {base} did not answer within 60 s")

    def stop(self):
        for process, _, _ in self.copies:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process, _, _ in self.copies:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.copies = []

    def restart(self):
        self.stop()
        self.start()

    @property
    def bases(self):
        return [base for _, base, _ in self.copies]

    def base(self, i=0):
        return self.copies[i % len(self.copies)][1]


def dashboard_login(base, name, password, forwarded_for=None, http=None):
    """Log in through the login form: (session, answer)."""
    http = http or http_session(forwarded_for)
    page = http.get(base + "/login/", timeout=TIMEOUT)
    token = csrf_token(page.text)
    if not token:
        raise ProbeCannotRun(f"the login form has no CSRF token ({page.status_code})")
    answer = http.post(base + "/login/", data={"username": name, "password": password, "csrfmiddlewaretoken": token},
                       allow_redirects=False, timeout=TIMEOUT)
    return http, answer


def logged_in(base, name, password, forwarded_for=None):
    http, answer = dashboard_login(base, name, password, forwarded_for)
    if answer.status_code != 302:
        raise ProbeCannotRun(f"{name} could not log in to the dashboard ({answer.status_code})")
    return http


def post_form(http, url, fields, marker, **overrides):
    """GET the page at `url`, take the defaults of its form holding the field `marker`, change `overrides`, POST."""
    page = http.get(url, timeout=TIMEOUT)
    if page.status_code != 200:
        raise ProbeCannotRun(f"{urlsplit(url).path} answered {page.status_code}")
    form = form_defaults(page.text, marker)
    if form is None:
        raise ProbeCannotRun(f"{urlsplit(url).path} has no form with a “{marker}” field")
    missing = [name for name in fields if name not in form["names"] and name != "csrfmiddlewaretoken"]
    if missing:
        raise ProbeCannotRun(f"the form at {urlsplit(url).path} has no field {', '.join(missing)}")
    data = {**form["fields"], **fields}
    return http.post(url, data=data, allow_redirects=False, timeout=TIMEOUT, **overrides)


# --- the probes ---------------------------------------------------------------------------------------------

class Probes:
    def __init__(self, couch, dashboard, redis, audit, run_id, work):
        self.couch, self.dashboard, self.redis, self.audit = couch, dashboard, redis, audit
        self.run_id, self.work = run_id, work
        self.people = {}  # role -> (name, password)
        self.sessions = {}  # role -> logged-in requests.Session

    def person(self, role, roles=()):
        if role not in self.people:
            name, password = f"sp-{self.run_id}-{role}", "pw-" + secrets.token_hex(12)
            self.couch.create_user(name, password, roles)
            self.people[role] = (name, password)
        return self.people[role]

    def session(self, role, copy=0):
        if role not in self.sessions:
            if role == "admin":
                name, password = self.couch.name, self.couch.password
            else:
                name, password = self.person(role)
            self.sessions[role] = logged_in(self.dashboard.base(copy), name, password)
        return self.sessions[role]

    # 1 -------------------------------------------------------------------------------------------------
    def pickle_in_store(self):
        """A crafted pickle under every session and login-counter key; then requests that read those keys."""
        name, password = self.person("pickle")
        address = "10.23.1.1"
        http = logged_in(self.dashboard.base(0), name, password, address)
        dashboard_login(self.dashboard.base(1), name, "wrong-" + secrets.token_hex(4), address)  # counters
        store = self.redis.client()
        keys = sorted(set(store.scan_iter(count=1000)))
        if not keys:
            raise ProbeCannotRun("no key in Redis after a login and a failed login")
        markers = self.work / "pickle-markers"
        markers.mkdir()
        planted = {}
        for i, key in enumerate(keys[:200]):
            marker = markers / f"key-{i}"
            planted[key] = marker
            store.delete(key)
            store.set(key, pickle.dumps(Marker(str(marker)), protocol=4), ex=600)
        for base in self.dashboard.bases:  # the session: read by every request carrying its cookie
            try:
                http.get(base + "/server/", allow_redirects=False, timeout=TIMEOUT)
            except requests.RequestException:
                pass
            try:  # the counters: read by a login for that name from that address
                dashboard_login(base, name, "wrong-" + secrets.token_hex(4), address)
            except (requests.RequestException, ProbeCannotRun):
                pass
        time.sleep(0.5)
        through = sum(1 for marker in planted.values() if marker.exists())
        shown = ", ".join(sorted({_key_kind(k) for k in planted}))
        return len(planted), through, f"keys planted: {shown}; got through = marker files created"

    # 2 -------------------------------------------------------------------------------------------------
    def store_dump(self):
        """After logins of several people, every value in Redis tried as an AuthSession cookie."""
        for role in ("admin", "teamadmin", "attacker", "dump1", "dump2"):
            self.session(role, copy=len(self.sessions))
        store = self.redis.client()
        values = []
        for key in store.scan_iter(count=1000):
            if store.type(key) == b"string":  # what the dashboard writes; a key gone meanwhile reads as b""
                values.append(store.get(key) or b"")
        candidates = []
        for raw in values:
            text = raw.decode("latin-1")
            candidates.append(text.strip())
            for run in re.findall(r"[A-Za-z0-9_\-]{20,}", text):
                candidates.append(run)
                for skip in range(1, 4):  # a pickle's length byte may stand just before the string
                    if _looks_like_couch_token(run[skip:]):
                        candidates.append(run[skip:])
        # Only what can travel in a Cookie header (printable ASCII, no separators) can be an AuthSession value.
        candidates = list(dict.fromkeys(c for c in candidates if 0 < len(c) < 4096
                                        and re.fullmatch(r"[!#-+\--:<-~]+", c)))[:3000]
        accepted = 0
        for candidate in candidates:
            answer = http_session().get(self.couch.url + "_session", cookies={"AuthSession": candidate},
                                        headers={"Accept": "application/json"}, timeout=TIMEOUT)
            if answer.ok and (answer.json().get("userCtx") or {}).get("name"):
                accepted += 1
        return len(candidates), accepted, (f"{len(values)} values dumped after {len(self.sessions)} logins; attempts "
                                           "= values and base64url substrings tried on GET /_session")

    # 3 -------------------------------------------------------------------------------------------------
    def concurrent_wrong_logins(self):
        name, _ = self.person("guessed")
        address = "10.23.3.1"
        first = http_session(address)
        token = csrf_token(first.get(self.dashboard.base(0) + "/login/", timeout=TIMEOUT).text)
        cookie = first.cookies.get("csrftoken")
        if not token or not cookie:
            raise ProbeCannotRun("no CSRF token on the login form")
        barrier = threading.Barrier(40, timeout=30)

        def one(i):
            browser = http_session(address)
            browser.cookies.set("csrftoken", cookie)
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
            answer = browser.post(self.dashboard.base(i) + "/login/", timeout=120,
                                  data={"username": name, "password": f"wrong-{i}", "csrfmiddlewaretoken": token})
            return answer.status_code, answer.text

        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(one, range(40)))
        wrong = sum(1 for _, text in answers if WRONG in text)
        locked = sum(1 for _, text in answers if LOCKED in text)
        too_many = sum(1 for _, text in answers if TOO_MANY in text)
        errors = sum(1 for status, _ in answers if status >= 500)
        reached = wrong + locked
        return 40, max(0, reached - LOGIN_FAILURES_PER_USER), (
            f"reached CouchDB: {reached} ({wrong} “incorrect”, {locked} CouchDB-locked), refused by the dashboard: "
            f"{too_many}, 5xx: {errors}; got through = reached − {LOGIN_FAILURES_PER_USER}")

    # 4 -------------------------------------------------------------------------------------------------
    def shared_address_lockout(self):
        name, password = self.person("neighbour")
        address = "10.23.4.1"
        for i in range(25):
            dashboard_login(self.dashboard.base(i), f"sp-{self.run_id}-nobody-{secrets.token_hex(4)}", "wrong",
                            address)
        started = time.monotonic()
        _, answer = dashboard_login(self.dashboard.base(0), name, password, address)
        took = time.monotonic() - started
        refused = answer.status_code != 302
        why = ""
        if refused:
            text = answer.text
            why = " (“Too many failed logins”)" if TOO_MANY in text else f" ({answer.status_code})"
        return 26, int(refused), (f"25 sprayed names, then the right password: "
                                  f"{'refused' + why if refused else 'logged in'} in {took:.1f} s")

    # 5 -------------------------------------------------------------------------------------------------
    def replication_lockout(self):
        victim, victim_password = self.person("victim")
        attacker_name, attacker_password = self.person("attacker")
        address = "10.23.5.1"
        source, target = f"sp-{self.run_id}-rsrc", f"sp-{self.run_id}-rdst"
        self.couch.create_database(source)
        self.couch.create_database(target, {"admins": {"names": [], "roles": []},
                                            "members": {"names": [attacker_name], "roles": []}})
        attacker = logged_in(self.dashboard.base(0), attacker_name, attacker_password, address)
        port = urlsplit(self.couch.url).port or 80
        answers = []
        for i in range(5):
            url = self.dashboard.base(i) + "/replication/new/"
            answer = post_form(attacker, url, {
                "source": f"http://127.0.0.1:{port}/{source}", "source_username": victim,
                "source_password": f"wrong-{i}", "target": target, "local_password": attacker_password,
                "mode": "transient"}, "source_username")
            answers.append(answer.status_code)
        locked = False
        for _ in range(10):  # CouchDB's replicator may still be trying: look for up to 10 s
            status = self.couch.direct_login(victim, victim_password)
            if status == 403:
                locked = True
                break
            time.sleep(1)
        return 5, int(locked), (f"dashboard answers {answers}; the victim's own login from 127.0.0.1 afterwards: "
                                f"{'403 locked' if locked else status}")

    # 7 (run before 6: 6 locks the writer out of 127.0.0.1) --------------------------------------------------
    def team_grant(self, role_value):
        """A team admin's grant through the dashboard: the permissions form's answer."""
        team_db = self.team_database()
        http = self.session("teamadmin")
        url = f"{self.dashboard.base(0)}/db/{quote(team_db, safe='')}/permissions/"
        return post_form(http, url, {"section": "members", "kind": "roles", "value": role_value, "op": "add"},
                         "section")

    def team_database(self):
        db = f"sp-{self.run_id}-team"
        if db not in self.couch.databases:
            team_admin, _ = self.person("teamadmin")
            self.couch.create_database(db, {"admins": {"names": [team_admin], "roles": []},
                                            "members": {"names": [team_admin], "roles": []}})
        return db

    def records(self):
        answer = self.couch.http.get(self.couch.db_url(self.audit["database"], "_all_docs"),
                                     params={"include_docs": "true", "conflicts": "true"}, timeout=TIMEOUT)
        answer.raise_for_status()
        return [row["doc"] for row in answer.json()["rows"] if not row["id"].startswith("_design/")]

    def writer_branch(self):
        grant = self.team_grant(f"sp-{self.run_id}-seen")
        if grant.status_code not in (200, 302):
            raise ProbeCannotRun(f"the team admin's grant answered {grant.status_code}")
        records = self.wait_for(lambda: self.records(), seconds=10)
        if not records:
            raise ProbeCannotRun("no audit record after a team admin's grant (nothing to rewrite)")
        original = records[0]
        forged_rev = "1-" + "f" * 32
        forged = {k: v for k, v in original.items() if not k.startswith("_")}
        forged.update({"_id": original["_id"], "_rev": forged_rev, "who": "nobody-did-this",
                       "after": {"rewritten": True}})
        writer = http_session()
        writer.auth = (self.audit["writer"], self.audit["password"])
        answer = writer.post(self.couch.db_url(self.audit["database"], "_bulk_docs"),
                             json={"docs": [forged], "new_edits": False}, timeout=TIMEOUT)
        stored = self.couch.http.get(self.couch.db_url(self.audit["database"], original["_id"]),
                                     params={"open_revs": json.dumps([forged_rev])}, timeout=TIMEOUT)
        found = stored.ok and any("ok" in part for part in stored.json()) if stored.ok else False
        admin = self.session("admin")
        pages = [admin.get(self.dashboard.base(0) + "/audit/", timeout=TIMEOUT),
                 admin.get(self.dashboard.base(1) + "/audit/", params={"check": "on"}, timeout=TIMEOUT)]
        marked = any(_marks_tampering(page.text) for page in pages if page.status_code == 200)
        outcome = ("stored" if found else f"refused ({answer.status_code} {_bulk_reason(answer)})")
        return 1, int(found and not marked), (f"the writer's new_edits:false branch: {outcome}; the audit page "
                                              f"{'marks' if marked else 'does not mark'} it "
                                              f"(pages {[p.status_code for p in pages]})")

    # 6 -------------------------------------------------------------------------------------------------
    def writer_lockout(self):
        statuses = [self.couch.direct_login(self.audit["writer"], f"wrong-{i}") for i in range(8)]
        # The copies start again: each process's writer logs in afresh, as after a restart or when its CouchDB
        # session ends (a session from before the attack would otherwise hide the lockout).
        self.dashboard.restart()
        role_value = f"sp-{self.run_id}-after-lockout"
        grant = self.team_grant(role_value)
        if grant.status_code not in (200, 302):
            raise ProbeCannotRun(f"the team admin's grant answered {grant.status_code}")
        recorded = self.wait_for(lambda: [r for r in self.records() if role_value in json.dumps(r)], seconds=10)
        direct = self.couch.direct_login(self.audit["writer"], self.audit["password"])
        return 1, int(not recorded), (f"8 wrong logins as the writer straight to CouchDB ({sorted(set(statuses))}; "
                                      f"its right password from 127.0.0.1 then: {direct}), copies restarted, grant "
                                      f"{'recorded' if recorded else 'NOT recorded'}")

    @staticmethod
    def wait_for(read, seconds):
        deadline = time.monotonic() + seconds
        while True:
            found = read()
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    # 8 -------------------------------------------------------------------------------------------------
    def csv_formulas(self):
        db = f"sp-{self.run_id}-csv"
        self.couch.create_database(db)
        dangerous = ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
        harmless = ["plain text", "a=b", "42 apples"]
        docs = [{"_id": f"doc-{i:02d}", "v": value} for i, value in enumerate(dangerous + harmless)]
        self.couch.http.post(self.couch.db_url(db, "_bulk_docs"), json={"docs": docs},
                             timeout=TIMEOUT).raise_for_status()
        admin = self.session("admin")
        url = f"{self.dashboard.base(0)}/db/{quote(db, safe='')}/export/"
        page = admin.get(url, timeout=TIMEOUT)
        form = form_defaults(page.text, "format") if page.status_code == 200 else None
        if form is None:
            raise ProbeCannotRun(f"no export form ({page.status_code})")
        params = {**form["fields"], "format": "csv", "fields": "_id, v"}
        answer = admin.get(url, params=params, timeout=TIMEOUT)
        if answer.status_code != 200 or "csv" not in answer.headers.get("Content-Type", ""):
            raise ProbeCannotRun(f"the CSV export answered {answer.status_code} {answer.headers.get('Content-Type')}")
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
        cells = [cell for row in rows[1:] for cell in row]
        through = sum(1 for cell in cells if cell.startswith(DANGEROUS_STARTS))
        options = ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()) if v.strip())
        return len(dangerous), through, f"export options: {options}; {len(cells)} cells read"

    # 9 -------------------------------------------------------------------------------------------------
    def replicator_passwords(self):
        in_url, in_auth = "urlpw" + secrets.token_hex(10), "authpw" + secrets.token_hex(10)
        closed = free_port()  # nothing listens there: CouchDB's replicator fails to connect, never logs in
        docid = f"sp-{self.run_id}-rep"
        doc = {"_id": docid, "source": f"http://sp-user:{in_url}@127.0.0.1:{closed}/sp-src",
               "target": {"url": f"http://127.0.0.1:{closed}/sp-dst",
                          "auth": {"basic": {"username": "sp-user", "password": in_auth}}},
               "note": "security probe"}
        self.couch.http.put(self.couch.db_url("_replicator", docid), json=doc, timeout=TIMEOUT).raise_for_status()
        self.couch.replicator_docs.append(docid)
        admin, base = self.session("admin"), self.dashboard.base(0)
        db, doc_path = "/db/_replicator/", quote(docid, safe="")
        urls = [(db, {"mode": m, "jump": docid}) for m in ("table", "json", "meta")]
        urls += [(db, {"mode": "table", "jump": docid, "columns": "source, target, source.url, target.auth"}),
                 (f"{db}doc/{doc_path}", {}), (f"{db}doc/{doc_path}", {"download": "json"}),
                 (f"{db}edit/{doc_path}", {}), (f"{db}edit/{doc_path}", {"mode": "text"}),
                 (f"{db}changes/", {"include_docs": "on"})]
        export_page = admin.get(base + db + "export/", timeout=TIMEOUT)
        form = form_defaults(export_page.text, "format") if export_page.status_code == 200 else None
        defaults = form["fields"] if form else {}
        for kind in ("json", "ndjson"):
            urls.append((f"{db}export/", {**defaults, "format": kind}))
        urls.append((f"{db}export/", {**defaults, "format": "csv", "fields": "_id, source, target"}))
        leaked, statuses = [], []
        for path, params in urls:
            answer = admin.get(base + path, params=params, timeout=TIMEOUT)
            statuses.append(answer.status_code)
            body = answer.content.decode("utf-8", "replace")
            if in_url in body or in_auth in body:
                leaked.append(_label(path.replace(doc_path, "<id>"), params))
        return len(urls), len(leaked), (f"answers {statuses}; leaking: {', '.join(leaked) or 'none'}")

    # 10 ------------------------------------------------------------------------------------------------
    def redis_outage(self):
        prepared = []
        for base in self.dashboard.bases:
            http = http_session()
            page = http.get(base + "/login/", timeout=TIMEOUT)
            prepared.append((base, http, csrf_token(page.text)))
        self.redis.stop()
        results, through = [], 0
        for base, http, token in prepared:
            health = http_session().get(base + "/healthz", timeout=TIMEOUT)
            login = http.post(base + "/login/", data={"username": "someone", "password": "x",
                                                      "csrfmiddlewaretoken": token or ""},
                              allow_redirects=False, timeout=TIMEOUT)
            results += [health.status_code, login.status_code]
            through += int(health.status_code in (200, 500))
            through += int(login.status_code == 500)
        return 4, through, f"/healthz, POST /login/ on each copy with Redis stopped: {results}"


class Marker:
    """Unpickled, creates a file: proof that the dashboard loaded a pickle an attacker wrote."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return pathlib.Path.touch, (pathlib.Path(self.path),)


def _label(path, params):
    shown = [f"{k}={v}" for k, v in params.items() if k in ("mode", "format", "download", "columns", "include_docs")]
    return path + ("?" + "&".join(shown) if shown else "")


def _key_kind(key):
    text = key.decode("latin-1")
    text = re.sub(r"[0-9a-f]{16,}", "…", text)
    text = re.sub(r"(sessions\.cache)[a-z0-9]+", r"\1…", text)
    return text


def _looks_like_couch_token(text):
    """CouchDB's AuthSession value is base64url of "name:hex time:hmac"."""
    try:
        plain = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return False
    return re.match(rb"^[^:\x00]+:[0-9A-F]{6,}:", plain) is not None


def _marks_tampering(page):
    """The audit page's warnings about a record (the chain report in a danger banner counts too)."""
    report = page.split('data-testid="chain-report"')[0][-200:] if 'data-testid="chain-report"' in page else ""
    return 'data-tampered="yes"' in page or 'class="chain-problems"' in page or "banner-danger" in report


def _bulk_reason(answer):
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:80]
    if isinstance(body, list) and body:
        return body[0].get("error", "") + ": " + body[0].get("reason", "")
    return json.dumps(body)[:120]


PROBES = [
    ("1. Pickle in the session store", "pickle_in_store"),
    ("2. Store dump gives CouchDB tokens", "store_dump"),
    ("3. 40 concurrent wrong logins, one name, one address", "concurrent_wrong_logins"),
    ("4. Shared address: 25 sprayed names lock out a right password", "shared_address_lockout"),
    ("5. Replication form locks another user out of CouchDB", "replication_lockout"),
    ("7. Audit writer branches a record (new_edits:false)", "writer_branch"),
    ("6. Audit writer locked out from the same host", "writer_lockout"),
    ("8. CSV export: formula cells", "csv_formulas"),
    ("9. Replicator passwords on generic pages", "replicator_passwords"),
    ("10. Redis outage: /healthz 200 or a 500", "redis_outage"),
]


# --- running ------------------------------------------------------------------------------------------------

def describe(project):
    def git(*args):
        try:
            return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}{' + uncommitted changes' if dirty else ''}"


def run(args):
    started = time.monotonic()
    project = Path(args.project).resolve()
    python = interpreter_for(project)
    couch_url = args.couchdb_url.rstrip("/") + "/"
    admin_name, _, admin_password = args.admin.partition(":")
    if urlsplit(couch_url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("--couchdb-url must be a CouchDB on 127.0.0.1")
    run_id = secrets.token_hex(4)
    couch = Couch(couch_url, admin_name, admin_password)
    couch.http.get(couch_url + "_session", timeout=TIMEOUT).raise_for_status()
    rows, dashboard, redis = [], None, None
    audit = {"database": f"sp-{run_id}-audit", "writer": f"sp-{run_id}-audit-writer",
             "password": "writer-" + secrets.token_hex(16)}
    with tempfile.TemporaryDirectory(prefix="security-probes-") as folder:
        work = Path(folder)
        try:
            redis = Redis(work).start()
            dashboard = Dashboard(project, python, couch_url, redis, audit, work)
            prepared = dashboard.manage("prepare_audit", COUCHDB_ADMIN_USER=admin_name,
                                        COUCHDB_ADMIN_PASSWORD=admin_password)
            couch.users.append(audit["writer"])
            couch.databases.append(audit["database"])
            if prepared.returncode != 0:
                print(f"prepare_audit failed: {prepared.stderr[-1500:]}", file=sys.stderr)
            dashboard.start()
            probes = Probes(couch, dashboard, redis, audit, run_id, work)
            deadline = started + args.seconds
            for title, method in PROBES:
                if time.monotonic() > deadline:
                    rows.append((title, "–", "–", f"not run: the run's {args.seconds} s were used up"))
                    continue
                began = time.monotonic()
                try:
                    attempts, through, note = getattr(probes, method)()
                except ProbeCannotRun as exc:
                    attempts, through, note = "–", "–", f"could not run: {exc}"
                except Exception as exc:  # noqa: BLE001 - one probe's failure is that probe's row
                    if args.verbose:
                        traceback.print_exc()
                    attempts, through, note = "–", "–", f"could not run: {type(exc).__name__}: {str(exc)[:200]}"
                rows.append((title, attempts, through, f"{note} [{time.monotonic() - began:.1f} s]"))
                print(f"  {title}: {attempts} / {through}", file=sys.stderr, flush=True)
        finally:
            if dashboard:
                dashboard.stop()
            if redis:
                redis.stop()
            couch.cleanup([run_id])
            if args.keep_logs and dashboard:
                for log in work.glob("*.log"):
                    print(f"--- {log.name}\n{log.read_text()[-4000:]}", file=sys.stderr)
    took = time.monotonic() - started
    print(f"\nSecurity probes against {project} ({describe(project)}), CouchDB {couch_url}, python {python}; "
          f"{took:.0f} s\n")
    print("| Probe | Attempts | Got through | Notes |")
    print("|---|---:|---:|---|")
    for title, attempts, through, note in sorted(rows, key=lambda r: int(r[0].split(".")[0])):
        print(f"| {title} | {attempts} | {through} | {note.replace('|', '/')} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--couchdb-url", default="http://127.0.0.1:15984/")
    parser.add_argument("--admin", default="admin:password", help="server admin as name:password")
    parser.add_argument("--project", default=str(HERE), help="the checkout whose dashboard is attacked")
    parser.add_argument("--seconds", type=int, default=900, help="no probe starts after this many seconds")
    parser.add_argument("--verbose", action="store_true", help="print a failing probe's traceback")
    parser.add_argument("--keep-logs", action="store_true", help="print the end of each gunicorn log")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
