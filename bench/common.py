"""Shared set-up for the benchmarks: a server (embedded pouchdb-server unless BENCH_COUCHDB_URL is set),
a Django test client logged in as its admin, and the dashboard under gunicorn as the Dockerfile's CMD runs it."""

import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import django
import requests

from embedded.pouchdb import free_port

PROJECT = Path(__file__).resolve().parent.parent


def configure_django(couch_url):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "couchadmin.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + uuid.uuid4().hex)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("COOKIES_SECURE", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("COUCHADMIN_STATIC_FROM_FINDERS", "1")
    os.environ["COUCHDB_URL"] = couch_url
    django.setup()


@contextmanager
def benchmark_server():
    """(url, admin name, admin password) of the server to measure against."""
    url = os.environ.get("BENCH_COUCHDB_URL")
    if url:
        yield url.rstrip("/") + "/", os.environ["BENCH_COUCHDB_USER"], os.environ["BENCH_COUCHDB_PASSWORD"]
        return
    from embedded.pouchdb import EmbeddedCouch

    password = uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as data_dir:
        couch = EmbeddedCouch(data_dir, free_port(), "admin", password).start()
        try:
            yield couch.url, "admin", password
        finally:
            couch.stop()


def client_session():
    """A requests.Session that does not re-read proxies, CA bundles and ~/.netrc from the environment on
    every request (~1.5 ms each where REQUESTS_CA_BUNDLE is set): the load generator's own cost would
    otherwise weigh on both sides of every comparison, and take the CPU the servers share with it."""
    http = requests.Session()
    http.trust_env = False
    return http


def admin_http(name, password):
    http = client_session()
    http.auth = (name, password)
    http.headers["Accept"] = "application/json"
    return http


def dashboard_session(url, name, password):
    """A client_session() logged in to the dashboard at `url` through its login form: (session, CSRF token)."""
    http = client_session()
    page = http.get(url + "/login/", timeout=60).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = http.post(url + "/login/", data={"username": name, "password": password, "csrfmiddlewaretoken": token},
                       headers={"Referer": url + "/login/"}, allow_redirects=False, timeout=60)
    if answer.status_code != 302:
        raise RuntimeError(f"login to the dashboard failed ({answer.status_code})")
    return http, http.cookies.get("csrftoken")


def logged_in_client(name, password):
    from django.test import Client

    client = Client()
    response = client.post("/login/", {"username": name, "password": password})
    assert response.status_code == 302, "login failed"
    return client


def timed(action):
    """(what action answers, the seconds it took)."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def median_seconds(action, runs, warm_up=0):
    for _ in range(warm_up):
        action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def dockerfile_command(project=PROJECT):
    """The shell command of the Dockerfile's CMD (`sh -c "exec gunicorn ..."`), bound to 127.0.0.1 only."""
    text = (project / "Dockerfile").read_text()
    match = re.search(r'^CMD \["sh", "-c", "(exec gunicorn [^"]+)"\]', text, re.MULTILINE)
    if not match:
        raise RuntimeError("the Dockerfile's CMD is not `sh -c \"exec gunicorn ...\"`")
    command = match.group(1).replace("--bind 0.0.0.0:", "--bind 127.0.0.1:")
    if "--bind 127.0.0.1:${PORT}" not in command:
        raise RuntimeError("the Dockerfile's gunicorn does not bind ${PORT}")
    return command


def start_dashboard(couch_url, application="couchadmin.wsgi:application", project=PROJECT, **env_overrides):
    """gunicorn started as the Dockerfile starts it, on a free port of 127.0.0.1: (process, base URL). Another
    `application` (bench/floors.py) is served by the same command; `project`: another checkout of the dashboard
    (a "before" to compare with), run with this interpreter."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "COUCHDB_URL": couch_url, "DEBUG": "0",
           "SECRET_KEY": uuid.uuid4().hex * 2, "ALLOWED_HOSTS": "127.0.0.1", "COOKIES_SECURE": "0",
           "SECURE_SSL_REDIRECT": "0", "COUCHADMIN_STATIC_FROM_FINDERS": "1", "LOG_LEVEL": "ERROR",
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    env.update({name: str(value) for name, value in env_overrides.items()})
    command = dockerfile_command(project).replace("couchadmin.wsgi:application", application)
    process = subprocess.Popen(["sh", "-c", command], cwd=project, env=env,
                               stdout=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_until_answering(process, url, f"gunicorn ({shlex.quote(command)})", stop_dashboard)
    return process, url


def wait_until_answering(process, url, what, stop):
    """Wait up to 30 s for the server `process` started to answer its login form; `stop` it if it never does."""
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped at start-up")
        try:
            requests.get(url + "/login/", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"{what} did not start")


def stop_dashboard(process):
    """Quick shutdown (SIGQUIT); whatever is left after 10 s (threads stuck on a hung CouchDB) is killed."""
    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
