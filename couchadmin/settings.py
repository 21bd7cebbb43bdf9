"""Settings for couchadmin, read from the environment (see .env.example)."""

from pathlib import Path

from couchadmin.env import (
    env_bool,
    env_couchdb_url,
    env_list,
    env_positive_float,
    env_positive_int,
    env_redis_url,
    env_secret,
    env_str,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("COUCHADMIN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key("SECRET_KEY", DEBUG, VAR_DIR)

_DEV_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _DEV_HOSTS if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The only CouchDB this dashboard talks to. It is never taken from a request.
COUCHDB_URL = env_couchdb_url("COUCHDB_URL", "http://127.0.0.1:5984/")
COUCHDB_TIMEOUT = env_positive_float("COUCHDB_TIMEOUT", 10.0)
# /healthz asks CouchDB with its own short timeout, so that a hung CouchDB is reported as 503 within 2 s,
# well inside the Dockerfile's HEALTHCHECK (which gives up after 4 s).
HEALTHZ_TIMEOUT = env_positive_float("HEALTHZ_TIMEOUT", 1.5)
# How CouchDB reaches its own databases when it replicates them (CouchDB 3 replicates between URLs only).
COUCHDB_REPLICATION_URL = env_couchdb_url("COUCHDB_REPLICATION_URL", COUCHDB_URL)
RECENT_DATABASES_KEPT = env_positive_int("RECENT_DATABASES_KEPT", 10)
# A Mango query that no index fits reads every document: on a database holding more documents than this, the
# Mango page shows the explanation and offers an index first, and runs the full scan only when asked again.
MANGO_FULL_SCAN_CONFIRM_ABOVE = env_positive_int("MANGO_FULL_SCAN_CONFIRM_ABOVE", 100_000)
# Where security changes, user changes, database deletions and bulk deletes are recorded, by a CouchDB
# user whose one right is adding records there (`manage.py prepare_audit` sets it up). Its password is
# the one credential the dashboard holds; without it nothing is recorded, and the audit page says so.
AUDIT_DATABASE = env_str("AUDIT_DATABASE", "couchadmin-audit")
AUDIT_WRITER_NAME = env_str("AUDIT_WRITER_NAME", "couchadmin-audit-writer")
AUDIT_WRITER_PASSWORD = env_secret("AUDIT_WRITER_PASSWORD")
# 1: an audited action whose record cannot be written is not done (fail closed). 0: it is done, with a warning.
AUDIT_REQUIRED = env_bool("AUDIT_REQUIRED", False)
# Documents are edited in forms: allow big bodies (CouchDB's own limit is 8 MB) and many fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_positive_int("MAX_FORM_BYTES", 64 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100_000
# The largest upload the dashboard accepts; uploads spill to temporary files, never to memory.
MAX_UPLOAD_BYTES = env_positive_int("MAX_UPLOAD_BYTES", 4 * 1024 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None

INSTALLED_APPS = [
    # First, so that its runserver (browser/management/commands/runserver.py) is the one manage.py runs.
    "browser",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gzip for HTML pages asked for by this site's own pages or typed in (see browser/middleware.py: BREACH).
    "browser.middleware.SameSiteGZipMiddleware",
    "browser.middleware.ContentSecurityPolicyMiddleware",
    # Django's, turning a session store it cannot reach into a page that says so (never a 500).
    "browser.middleware.StoreSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "browser.middleware.CouchSessionMiddleware",
    "browser.audit_trail.AuditRequiredMiddleware",
]

ROOT_URLCONF = "couchadmin.urls"
WSGI_APPLICATION = "couchadmin.wsgi.application"

TEMPLATES = [
    {
        # Every HTML byte the dashboard sends comes from a Jinja2 template under templates/, autoescaped.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "browser.rendering.environment.environment",
            "keep_trailing_newline": True,
            "context_processors": [
                "django.contrib.messages.context_processors.messages",
                "browser.context_processors.couch",
            ],
        },
    },
]

# Form widgets from Django's own Jinja2 templates (django/forms/jinja2/).
FORM_RENDERER = "django.forms.renderers.Jinja2"

# No SQL database: CouchDB is the only store.
DATABASES = {}

# Sessions live on the server: the browser holds only a random key (never CouchDB's token), and logout
# deletes the session. Unset, they are files under VAR_DIR/store, which every worker on one machine shares;
# with SESSION_STORE_URL=redis://:password@host:6379/0 (or rediss:// for TLS) they live in a Redis that several
# dashboard copies share. The same store counts failed logins. Everything in it is JSON, never a pickle, and
# each session is encrypted with a key derived from SECRET_KEY (browser/session_store.py, session_backend.py).
SESSION_STORE_URL = env_redis_url("SESSION_STORE_URL")
SESSION_STORE_DIR = str(VAR_DIR / "store")
# Seconds to wait for Redis; /healthz waits this besides HEALTHZ_TIMEOUT.
SESSION_STORE_TIMEOUT = env_positive_float("SESSION_STORE_TIMEOUT", 1.0)
SESSION_ENGINE = "browser.session_backend"
# Nothing is cached across requests: Django's shared caches pickle what they keep.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
COOKIES_SECURE = env_bool("COOKIES_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = COOKIES_SECURE
# The longest a login lasts, however active: the session is refreshed on use, the login is not.
SESSION_COOKIE_AGE = env_positive_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
# Failed logins per client address and user name before the dashboard stops asking CouchDB for that name,
# for LOGIN_THROTTLE_SECONDS: keeps one client from locking an account for everybody. Past
# LOGIN_FAILURES_PER_CLIENT failures under any names, a client's logins wait LOGIN_SLOWDOWN_SECONDS first
# (never refused: see browser/login_throttle.py).
LOGIN_FAILURES_PER_USER = env_positive_int("LOGIN_FAILURES_PER_USER", 5)
LOGIN_FAILURES_PER_CLIENT = env_positive_int("LOGIN_FAILURES_PER_CLIENT", 20)
LOGIN_THROTTLE_SECONDS = env_positive_int("LOGIN_THROTTLE_SECONDS", 300)
LOGIN_SLOWDOWN_SECONDS = env_positive_float("LOGIN_SLOWDOWN_SECONDS", 1.0)
# 1 behind a proxy that sets X-Forwarded-For: the client is then its last address, not the proxy.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = COOKIES_SECURE
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_positive_int("SECURE_HSTS_SECONDS", 31536000) if not DEBUG else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz must answer plain HTTP from a container's health check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is the operator's decision.

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes and production serves from (the image: /app/staticfiles; bench/fcp.py: a temporary one).
STATIC_ROOT = Path(env_str("COUCHADMIN_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development and tests serve static files straight from static/; production from collectstatic's output.
STATIC_FROM_FINDERS = env_bool("COUCHADMIN_STATIC_FROM_FINDERS", DEBUG)
WHITENOISE_USE_FINDERS = STATIC_FROM_FINDERS
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if STATIC_FROM_FINDERS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
