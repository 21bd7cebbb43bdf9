"""Shared set-up for the benchmarks: a server (embedded pouchdb-server unless BENCH_COUCHDB_URL is set)
and a Django test client logged in as its admin."""

import os
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager

import django
import requests


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
    from embedded.pouchdb import EmbeddedCouch, free_port

    password = uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as data_dir:
        couch = EmbeddedCouch(data_dir, free_port(), "admin", password).start()
        try:
            yield couch.url, "admin", password
        finally:
            couch.stop()


def admin_http(name, password):
    http = requests.Session()
    http.auth = (name, password)
    http.headers["Accept"] = "application/json"
    return http


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


def median_seconds(action, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)
