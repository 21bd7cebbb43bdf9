"""The store that sessions and login counts live in: files under COUCHADMIN_VAR_DIR (shared by the workers of
one machine), or a Redis at SESSION_STORE_URL (shared by copies on several machines).

Whoever can write to the store must not be able to run code in the dashboard, so every value in it is JSON or
a plain integer, and anything else read back (a pickle, a truncated write, another type of Redis key) counts
as missing. Nothing from the store is ever unpickled: this module speaks to redis-py and to files directly,
not through Django's cache, whose Redis and file backends pickle what they keep.

Counters are atomic, as the login throttle needs: INCR in a Lua script in Redis, a read-modify-write under
flock() on the counter's own file otherwise. Session records are created only if absent and updated only if
present, so a logout on one copy is never undone by a request still running on another."""

import errno
import fcntl
import hashlib
import json
import os
import tempfile
import time
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry


class StoreUnavailable(Exception):
    """The session store cannot be reached; `reason` says why in words, never with its URL or password."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason)


def parsed_json(raw):
    """A stored value read as JSON; None for anything else."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# INCR that survives a garbage value (taken as 0) and always leaves the key with an expiry.
_INCR = """
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'none' and (kind ~= 'string' or not string.match(redis.call('GET', KEYS[1]), '^%d+$')) then
  redis.call('DEL', KEYS[1])
end
local n = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
# Gives one back, never below zero, never creating the key.
_RELEASE = """
if redis.call('TYPE', KEYS[1]).ok == 'string' then
  local v = redis.call('GET', KEYS[1])
  if string.match(v, '^%d+$') and tonumber(v) > 0 then return redis.call('DECR', KEYS[1]) end
end
return 0
"""


class RedisStore:
    def __init__(self, url, timeout):
        self.timeout = timeout
        # No retries: a Redis that is down is said at once, not after three reconnections per call.
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                           retry=Retry(NoBackoff(), 0))
        self._incr = self.client.register_script(_INCR)
        self._release = self.client.register_script(_RELEASE)

    @contextmanager
    def _speaking(self):
        try:
            yield
        except redis.exceptions.TimeoutError:
            raise StoreUnavailable(f"no answer within {self.timeout:g} seconds") from None
        except redis.exceptions.AuthenticationError:
            raise StoreUnavailable("it refused the dashboard's user name or password") from None
        except redis.exceptions.ConnectionError as exc:
            refused = "refused" in str(exc).lower() or isinstance(exc.__cause__, ConnectionRefusedError)
            raise StoreUnavailable("the connection was refused (is Redis running?)"
                                   if refused else "the connection failed") from None
        except redis.exceptions.RedisError as exc:
            raise StoreUnavailable(f"it answered with an error ({type(exc).__name__})") from None

    def get_json(self, key):
        with self._speaking():
            try:
                return parsed_json(self.client.get(key))
            except redis.exceptions.ResponseError:  # not a string key: nothing this module wrote
                return None

    def add_json(self, key, value, ttl):
        """Write only if absent; whether it was written."""
        with self._speaking():
            return bool(self.client.set(key, _dumps(value), ex=max(1, int(ttl)), nx=True))

    def update_json(self, key, value, ttl):
        """Write only if present; whether it was written."""
        with self._speaking():
            return bool(self.client.set(key, _dumps(value), ex=max(1, int(ttl)), xx=True))

    def delete(self, key):
        with self._speaking():
            self.client.delete(key)

    def incr(self, key, ttl):
        """Add one and answer the new count; a new count lives `ttl` seconds from its first increment."""
        with self._speaking():
            return int(self._incr(keys=[key], args=[max(1, int(ttl))]))

    def release(self, key):
        """Take one back (a reservation not used)."""
        with self._speaking():
            self._release(keys=[key])

    def reset(self, key):
        """A counter back to zero."""
        self.delete(key)

    def count(self, key):
        with self._speaking():
            try:
                raw = self.client.get(key)
            except redis.exceptions.ResponseError:
                return 0
        return int(raw) if raw is not None and raw.isdigit() else 0

    def ping(self):
        with self._speaking():
            self.client.ping()

    def clear_expired(self):
        """Redis expires keys itself."""


class FileStore:
    """One file per key, named by its SHA-256, holding {"expires": epoch seconds, ...}."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def path(self, key):
        return self.folder / hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    @contextmanager
    def _speaking(self):
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            yield
        except OSError as exc:
            raise StoreUnavailable(f"its folder cannot be used ({exc.strerror or type(exc).__name__})") from None

    @contextmanager
    def _store_lock(self):
        """Held while session records are created, updated, deleted or swept, so that none undoes another."""
        with os.fdopen(os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _read_live(self, path):
        try:
            record = parsed_json(path.read_bytes())
        except FileNotFoundError:
            return None
        return record if _live(record) else None

    def _write(self, path, record):
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")  # created 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(_dumps(record))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get_json(self, key):
        with self._speaking():
            record = self._read_live(self.path(key))
        return None if record is None else record.get("value")

    def add_json(self, key, value, ttl):
        with self._speaking(), self._store_lock():
            path = self.path(key)
            if self._read_live(path) is not None:
                return False
            self._write(path, {"expires": time.time() + ttl, "value": value})
            return True

    def update_json(self, key, value, ttl):
        with self._speaking(), self._store_lock():
            path = self.path(key)
            if self._read_live(path) is None:
                return False
            self._write(path, {"expires": time.time() + ttl, "value": value})
            return True

    def delete(self, key):
        with self._speaking(), self._store_lock():
            self.path(key).unlink(missing_ok=True)

    @contextmanager
    def _locked_counter(self, key):
        """The counter's file, open and locked; the same inode as its path (a sweep may have removed it)."""
        path = self.path(key)
        while True:
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            with os.fdopen(handle, "r+b") as counter:
                fcntl.flock(counter, fcntl.LOCK_EX)
                try:
                    current = os.stat(path).st_ino == os.fstat(counter.fileno()).st_ino
                except FileNotFoundError:
                    current = False
                if current:
                    yield counter
                    return

    @staticmethod
    def _counted(counter):
        counter.seek(0)
        record = parsed_json(counter.read())
        if _live(record) and isinstance(record.get("count"), int) and not isinstance(record["count"], bool):
            return max(0, record["count"]), record["expires"]
        return 0, None

    @staticmethod
    def _rewrite(counter, count, expires):
        counter.seek(0)
        counter.truncate()
        counter.write(_dumps({"expires": expires, "count": count}).encode())
        counter.flush()

    def incr(self, key, ttl):
        with self._speaking(), self._locked_counter(key) as counter:
            count, expires = self._counted(counter)
            self._rewrite(counter, count + 1, expires or time.time() + ttl)
            return count + 1

    def release(self, key):
        with self._speaking(), self._locked_counter(key) as counter:
            count, expires = self._counted(counter)
            if count > 0:
                self._rewrite(counter, count - 1, expires)

    def reset(self, key):
        """A counter back to zero, in place: a process waiting on its lock must not count into a removed file."""
        with self._speaking(), self._locked_counter(key) as counter:
            self._rewrite(counter, 0, time.time())

    def count(self, key):
        with self._speaking():
            try:
                record = parsed_json(self.path(key).read_bytes())
            except FileNotFoundError:
                return 0
        if _live(record) and isinstance(record.get("count"), int) and not isinstance(record["count"], bool):
            return max(0, record["count"])
        return 0

    def ping(self):
        with self._speaking():
            if not os.access(self.folder, os.W_OK):
                raise OSError(errno.EACCES, "not writable")

    def clear_expired(self):
        """Remove expired and unreadable records (`manage.py clearsessions` runs this)."""
        with self._speaking(), self._store_lock():
            for path in self.folder.iterdir():
                if path.name.startswith("."):
                    if path.name.startswith(".tmp-") and path.stat().st_mtime < time.time() - 3600:
                        path.unlink(missing_ok=True)  # left by a worker that died mid-write
                    continue
                with open(path, "rb") as record_file:
                    fcntl.flock(record_file, fcntl.LOCK_EX)
                    if not _live(parsed_json(record_file.read())):
                        path.unlink(missing_ok=True)


def _live(record):
    if not isinstance(record, dict):
        return False
    expires = record.get("expires")
    return isinstance(expires, (int, float)) and not isinstance(expires, bool) and expires > time.time()


@cache
def _store_for(url, folder, timeout):
    return RedisStore(url, timeout) if url else FileStore(folder)


def session_store():
    """The store of these settings: one per process (Redis's connection pool is kept)."""
    return _store_for(settings.SESSION_STORE_URL, settings.SESSION_STORE_DIR, settings.SESSION_STORE_TIMEOUT)
