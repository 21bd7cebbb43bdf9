"""Load benchmark: N logged-in users at once, through the dashboard and straight to CouchDB.

    .venv/bin/python -m bench.load [--users 50] [--rate 1] [--seconds 60] [--saturation-users 16]

Runs the dashboard under gunicorn exactly as the Dockerfile's CMD does (its flags are read from the
Dockerfile; only the address becomes 127.0.0.1 on a free port), against the benchmark server
(BENCH_COUCHDB_URL, BENCH_COUCHDB_USER, BENCH_COUCHDB_PASSWORD, or an embedded pouchdb-server).
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dockerfile_command():
    """The shell command of the Dockerfile's CMD (`sh -c "exec gunicorn ..."`), bound to 127.0.0.1 only."""
    text = (PROJECT / "Dockerfile").read_text()
    match = re.search(r'^CMD \["sh", "-c", "(exec gunicorn [^"]+)"\]', text, re.MULTILINE)
    if not match:
        raise RuntimeError("the Dockerfile's CMD is not `sh -c \"exec gunicorn ...\"`")
    command = match.group(1).replace("--bind 0.0.0.0:", "--bind 127.0.0.1:")
    if "--bind 127.0.0.1:${PORT}" not in command:
        raise RuntimeError("the Dockerfile's gunicorn does not bind ${PORT}")
    return command


def start_dashboard(couch_url, **env_overrides):
    """gunicorn started as the Dockerfile starts it, on a free port of 127.0.0.1: (process, base URL)."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "COUCHDB_URL": couch_url, "DEBUG": "0",
           "SECRET_KEY": uuid.uuid4().hex * 2, "ALLOWED_HOSTS": "127.0.0.1", "COOKIES_SECURE": "0",
           "SECURE_SSL_REDIRECT": "0", "COUCHADMIN_STATIC_FROM_FINDERS": "1",
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    env.update({name: str(value) for name, value in env_overrides.items()})
    process = subprocess.Popen(["sh", "-c", dockerfile_command()], cwd=PROJECT, env=env,
                               stdout=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start-up: {shlex.quote(dockerfile_command())}")
        try:
            requests.get(url + "/login/", timeout=2)
            return process, url
        except requests.RequestException:
            time.sleep(0.1)
    stop_dashboard(process)
    raise RuntimeError("gunicorn did not start")


def stop_dashboard(process):
    """Quick shutdown (SIGQUIT); whatever is left after 10 s (threads stuck on a hung CouchDB) is killed."""
    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
