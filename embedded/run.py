"""`make run`: the embedded server when COUCHDB_URL is unset, the demo data, then the dashboard."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from couchadmin.env import generated_secret
from embedded.pouchdb import EmbeddedCouch, free_port, port_is_free
from embedded.seed import seed_demo

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_DIR / "var"
ADMIN_NAME = "admin"


def admin_password():
    return generated_secret(VAR_DIR / "couchdb-admin-password", 18)


def main():
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    couch = None
    if not env.get("COUCHDB_URL"):
        password = admin_password()
        couch_port = int(env.get("EMBEDDED_COUCHDB_PORT", "5984"))
        if not port_is_free(couch_port):
            couch_port = free_port()
        couch = EmbeddedCouch(VAR_DIR / "couchdb", couch_port, ADMIN_NAME, password).start()
        env["COUCHDB_URL"] = couch.url
        if seed_demo(couch.url, ADMIN_NAME, password):
            print("Seeded the demo database “demo”.")
        env["AUDIT_WRITER_PASSWORD"] = generated_secret(VAR_DIR / "audit-writer-password", 18)
        subprocess.run([sys.executable, "manage.py", "prepare_audit"], cwd=PROJECT_DIR, check=True,
                       env={**env, "COUCHDB_ADMIN_USER": ADMIN_NAME, "COUCHDB_ADMIN_PASSWORD": password})
    dashboard = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                 cwd=PROJECT_DIR, env=env)
    print(f"\n  couchadmin: http://127.0.0.1:{port}/")
    if couch:
        print(f"  CouchDB (embedded pouchdb-server): {couch.url}")
        print(f"  Log in as: {ADMIN_NAME} / {password}\n")
    else:
        print(f"  CouchDB: {env['COUCHDB_URL']} (log in with a user of that server)\n")
    print("  Ctrl-C stops everything.\n", flush=True)
    try:
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        dashboard.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if dashboard.poll() is None:
            dashboard.terminate()
            dashboard.wait(timeout=10)
        if couch:
            couch.stop()


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
