"""Typed readers for settings that come from the environment; a bad value stops start-up."""

import math
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default).strip()


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_positive_float(name, default):
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number of seconds.") from None
    # "inf" parses, but requests then fails every request with OverflowError.
    if not (value > 0 and math.isfinite(value)):
        raise ImproperlyConfigured(f"{name}={raw!r} must be a finite number greater than zero.")
    return value


def env_positive_int(name, default):
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value <= 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must be greater than zero.")
    return value


def env_couchdb_url(name, default):
    """A CouchDB base URL, optionally under a sub-path; it must carry no credentials."""
    raw = env_str(name, default)
    parts = urlsplit(raw)
    # Checked first: the other messages repeat the URL, and a password must not reach the logs.
    if parts.username or parts.password:
        raise ImproperlyConfigured(
            f"{name} must not contain a user name or password: "
            "the dashboard acts only as the person who logs in."
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{name}={raw!r} must be an http:// or https:// URL with a host.")
    # An empty "?" or "#" leaves no query or fragment, yet would still end up inside every URL.
    if "?" in raw or "#" in raw:
        raise ImproperlyConfigured(f"{name}={raw!r} must not have a query string or fragment.")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} has an invalid port.") from None
    return raw.rstrip("/") + "/"


def env_secret(name):
    """A secret from NAME, or from the file NAME_FILE names (as container secrets are given); "" if neither."""
    value = env_str(name)
    path = env_str(name + "_FILE")
    if value and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc.strerror}.") from None
    return value


def env_redis_url(name):
    """A redis:// or rediss:// URL of a store the dashboard's copies share, or the file NAME_FILE names (it may
    carry Redis's password); "" when unset. Errors never repeat the URL: it may hold a password."""
    raw = env_secret(name)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be a redis:// or rediss:// URL with a host.")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port.") from None
    if parts.path.strip("/") and not parts.path.strip("/").isdigit():
        raise ImproperlyConfigured(f"{name}'s path must be a database number, e.g. redis://host:6379/0.")
    return raw


def private_dir(path: Path):
    """A folder only this user can read (sessions are kept in it); made if missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return str(path)


def secret_key(name, debug, var_dir: Path):
    """SECRET_KEY from the environment; in development, generated once into var/."""
    value = env_str(name)
    if value:
        return value
    if not debug:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return generated_secret(var_dir / "secret_key", 50)


def generated_secret(path: Path, nbytes):
    """A random secret made once into a file only its owner can read, then read back every time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created private (not chmod-ed afterwards), so it is never readable by others, even briefly.
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as secret_file:
                secret_file.write(secrets.token_urlsafe(nbytes))
        except FileExistsError:
            pass  # another process (e.g. a second worker) made it first: use theirs
    return path.read_text().strip()
