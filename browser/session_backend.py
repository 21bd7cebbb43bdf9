"""Django sessions kept in browser/session_store.py, sealed (SESSION_ENGINE = "browser.session_backend").

A session holds the person's CouchDB AuthSession token, which CouchDB cannot revoke. So that a copy of the store
(a Redis dump, a backup of the folder) yields nothing usable:
- the whole session is encrypted with AES-GCM under a key derived from SECRET_KEY (HKDF-SHA256), so the token
  and the rest are unreadable without SECRET_KEY; SECRET_KEY_FALLBACKS still open sessions sealed before a
  rotation;
- a record is stored under the SHA-256 of the browser's session key, not the key itself, so the dump holds no
  cookie to replay either; and the record's storage name is sealed into it (associated data), so a record
  copied under another name does not open.
Everything stored is JSON: {"sealed": "<base64url of nonce and ciphertext>"}."""

import base64
import binascii
import hashlib
import json
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.sessions.backends.base import CreateError, SessionBase, UpdateError

from browser.session_store import session_store

NONCE_BYTES = 12


@cache
def _sealing_key(secret):
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=b"couchadmin session store", info=b"session seal v1")
    return AESGCM(hkdf.derive(secret.encode("utf-8", "surrogatepass")))


def _keys():
    return [_sealing_key(secret) for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]


def seal(data, where):
    """The session's data, encrypted and bound to the name it is stored under."""
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(nonce + _keys()[0].encrypt(nonce, plain, where.encode())).decode("ascii")


def unseal(record, where):
    """The data of a record `seal` wrote under this name; None for anything else."""
    sealed = record.get("sealed") if isinstance(record, dict) else None
    if not isinstance(sealed, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    except (binascii.Error, ValueError):
        return None
    for key in _keys():
        try:
            plain = key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], where.encode())
        except (InvalidTag, ValueError):
            continue
        try:
            data = json.loads(plain)
        except (ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) else None
    return None


def storage_name(session_key):
    return "session:" + hashlib.sha256(session_key.encode()).hexdigest()


class SessionStore(SessionBase):
    def load(self):
        data = None
        if self.session_key:
            where = storage_name(self.session_key)
            data = unseal(session_store().get_json(where), where)
        if data is None:
            self._session_key = None
            return {}
        return data

    def exists(self, session_key):
        return session_store().get_json(storage_name(session_key)) is not None

    def create(self):
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        where = storage_name(self.session_key)
        record = {"sealed": seal(self._get_session(no_load=must_create), where)}
        ttl = max(1, self.get_expiry_age())
        if must_create:
            if not session_store().add_json(where, record, ttl):
                raise CreateError
        elif not session_store().update_json(where, record, ttl):
            # Deleted meanwhile (a logout, perhaps on another copy): never brought back.
            raise UpdateError

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key:
            session_store().delete(storage_name(session_key))

    @classmethod
    def clear_expired(cls):
        session_store().clear_expired()


class UnavailableSession(SessionBase):
    """Stands in for a session the store cannot give: empty and never saved, while the browser keeps its
    cookie (the session is there again once the store is back)."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._session_cache = {}

    def load(self):
        return {}

    def exists(self, session_key):
        return False

    def create(self):
        pass

    def save(self, must_create=False):
        pass

    def delete(self, session_key=None):
        pass

    @classmethod
    def clear_expired(cls):
        pass
