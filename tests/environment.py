"""Loaded with `-p` before Django reads its settings: production-like settings for the tests."""

import os
import tempfile

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("COOKIES_SECURE", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("COUCHADMIN_STATIC_FROM_FINDERS", "1")
# Playwright's sync API keeps an event loop in the main thread; the tests touch no SQL database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Sessions, the login throttle's counts and any generated file go to a folder of this run's own.
os.environ.setdefault("COUCHADMIN_VAR_DIR", tempfile.mkdtemp(prefix="couchadmin-tests-"))
# Every test client and the browser come from 127.0.0.1: the per-client login limit is tested with its own
# setting, so the suite's own deliberate wrong passwords never add up to lock the suite out.
os.environ.setdefault("LOGIN_FAILURES_PER_CLIENT", "100000")
