"""Users in _users: list (paged), create, change roles, set a password, delete; one's own password."""

from collections.abc import Iterable
from dataclasses import dataclass

from browser.couch.client import CouchClient, json_param
from browser.couch.errors import CouchError, Forbidden, NotFound, Unauthorized
from browser.couch.jsontext import Json, JsonObject

USERS_DB = "_users"
PREFIX = "org.couchdb.user:"


@dataclass(frozen=True)
class User:
    name: str
    roles: tuple[str, ...]
    rev: str


def user_doc_id(name: str) -> str:
    return PREFIX + name


def list_users(client: CouchClient, start: str | None = None, limit: int = 50) -> tuple[list[User], str | None]:
    """GET /_users/_all_docs — one page of users by name; answers (users, next start name)."""
    params = {"include_docs": True, "limit": limit + 1,
              "startkey": json_param(user_doc_id(start or "")), "endkey": json_param(PREFIX + "\ufff0")}
    rows = [r for r in client.get_json(USERS_DB, "_all_docs", params=params).get("rows", []) if r.get("doc")]
    users = [_user(r["doc"]) for r in rows[:limit]]
    return users, (_user(rows[limit]["doc"]).name if len(rows) > limit else None)


def _user(doc: JsonObject) -> User:
    return User(name=str(doc.get("name") or doc["_id"][len(PREFIX):]), roles=tuple(doc.get("roles") or ()),
                rev=str(doc.get("_rev", "")))


def get_user(client: CouchClient, name: str) -> Json:
    """GET /_users/org.couchdb.user:{name}."""
    return client.get_json(USERS_DB, user_doc_id(name))


def find_user(client: CouchClient, name: str) -> User | None:
    try:
        return _user(get_user(client, name))
    except NotFound:
        return None


def user_exists(client: CouchClient, name: str) -> bool | None:
    """Whether a user of _users or a server admin of the configuration has this name; None when this person
    may not read _users (CouchDB 3: server admins only)."""
    try:
        get_user(client, name)
    except NotFound:
        pass
    except (Unauthorized, Forbidden):
        return None
    else:
        return True
    try:
        return bool(name in (client.flavour.admins_config() or {}))
    except CouchError:
        return False


def can_change_own_password(client: CouchClient, name: str) -> bool:
    """Whether this person may write their own user document: CouchDB 3's default _users security lets
    only server admins read it, so most users cannot."""
    try:
        get_user(client, name)
    except (Forbidden, Unauthorized, NotFound):
        return False
    return True


def create_user(client: CouchClient, name: str, password: str, roles: Iterable[str]) -> str:
    """PUT /_users/org.couchdb.user:{name} — the body is built here from form fields, never passed through."""
    body = {"_id": user_doc_id(name), "name": name, "type": "user", "roles": list(roles), "password": password}
    return str(client.put_json(USERS_DB, user_doc_id(name), body=body)["rev"])


def update_user(client: CouchClient, name: str, roles: Iterable[str] | None = None,
                password: str | None = None) -> tuple[JsonObject, str]:
    """Change roles and/or set a new password, keeping the rest of the user document."""
    doc = get_user(client, name)
    body = {k: v for k, v in doc.items() if k != "password"}
    if roles is not None:
        body["roles"] = list(roles)
    if password is not None:
        body["password"] = password
        for derived in ("derived_key", "salt", "password_sha", "iterations", "password_scheme", "pbkdf2_prf"):
            body.pop(derived, None)
    return doc, str(client.put_json(USERS_DB, user_doc_id(name), body=body)["rev"])


def delete_user(client: CouchClient, name: str) -> JsonObject:
    """DELETE /_users/org.couchdb.user:{name}?rev= — answers the deleted document (for the audit)."""
    doc: JsonObject = get_user(client, name)
    client.delete_json(USERS_DB, user_doc_id(name), params={"rev": doc["_rev"]})
    return doc


def public_view(doc: JsonObject | None) -> JsonObject:
    """A user document without its password hash, for the audit log."""
    return {k: v for k, v in (doc or {}).items()
            if k in ("_id", "name", "roles", "type")}
