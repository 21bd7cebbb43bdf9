"""Database permissions: GET/PUT /{db}/_security, who may administer, who has access and why, and which
databases grant one user access."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from browser.couch.client import CouchClient
from browser.couch.databases import list_databases
from browser.couch.errors import CouchError
from browser.couch.jsontext import Json, JsonObject
from browser.couch.session import UserContext
from browser.couch.users import User

SECTIONS = ("admins", "members")
MALFORMED = "its _security object is not one CouchDB would accept"


@dataclass(frozen=True)
class Grant:
    """One reason a user has access: in which section, by name or through which role."""

    section: str
    via: str  # "name", "role" or "server admin"
    role: str = ""


def get_security(client: CouchClient, db: str) -> Json:
    """GET /{db}/_security — the whole object; keys the dashboard does not know are kept."""
    return client.get_exact(db, "_security")


def get_each_security(client: CouchClient, names: Sequence[str]) -> list[Json | CouchError]:
    """GET /{db}/_security of each database, several at once (CouchDB has no request that answers for many:
    not _dbs_info, nor the shard map in /_node/_local/_dbs); where one is refused or gone, its error."""
    def read(db: str) -> Json | CouchError:
        try:
            return get_security(client, db)
        except CouchError as exc:
            return exc
    return client.read_each(read, names)


def put_security(client: CouchClient, db: str, security: JsonObject) -> None:
    """PUT /{db}/_security."""
    client.send_exact("PUT", db, "_security", body=security)


def normalised(security: JsonObject) -> dict[str, Any]:
    """The same object with admins/members each holding names and roles lists (other keys untouched)."""
    result = dict(security)
    for section in SECTIONS:
        part = dict(result.get(section) or {})
        part["names"] = [str(n) for n in part.get("names") or []]
        part["roles"] = [str(r) for r in part.get("roles") or []]
        result[section] = part
    return result


def with_entry(security: JsonObject, section: str, kind: str, value: str, present: bool) -> JsonObject:
    """A copy with a name or role added to (present=True) or removed from a section."""
    result = normalised(security)
    entries = [e for e in result[section][kind] if e != value]
    if present:
        entries.append(value)
    result[section] = {**result[section], kind: entries}
    return result


def is_public(security: JsonObject | None) -> bool:
    """Empty members make a database readable and writable by anyone who reaches the server."""
    members = (security or {}).get("members") or {}
    return not members.get("names") and not members.get("roles")


def can_administer(security: JsonObject | None, user: UserContext) -> bool:
    """Whether CouchDB treats this user as an admin of the database (server admin, or in admins)."""
    if user.is_server_admin:
        return True
    admins = (security or {}).get("admins") or {}
    return (user.name is not None and user.name in (admins.get("names") or [])) or \
        bool(set(user.roles) & set(admins.get("roles") or []))


def grants_for(security: JsonObject, name: str, roles: Iterable[str], is_server_admin: bool = False) -> list[Grant]:
    """Every reason `name` with `roles` has access to a database with this security object."""
    security = normalised(security)
    grants: list[Grant] = []
    if is_server_admin:
        grants.append(Grant("admins", "server admin"))
    for section in SECTIONS:
        if name in security[section]["names"]:
            grants.append(Grant(section, "name"))
        for role in roles:
            if role in security[section]["roles"]:
                grants.append(Grant(section, "role", role))
    if is_public(security) and not any(g.section == "members" for g in grants):
        grants.append(Grant("members", "public"))
    return grants


def server_admin_names(client: CouchClient) -> list[str] | None:
    """GET /_node/_local/_config/admins — names of the server admins (server admins only); None if hidden."""
    try:
        return sorted(client.flavour.admins_config())
    except CouchError:
        return None


@dataclass(frozen=True)
class AccessRow:
    """A person with access: their roles (None where they could not be read) and every reason."""

    name: str
    roles: tuple[str, ...] | None
    grants: tuple[Grant, ...]


@dataclass(frozen=True)
class AccessReport:
    rows: tuple[AccessRow, ...]
    users_readable: bool
    # (section, role) granted by role, whose holders could not be listed
    unresolved_roles: tuple[tuple[str, str], ...] = ()
    unknown_names: tuple[str, ...] = ()  # names granted that are not users (known only where _users is readable)


def who_has_access(security: JsonObject, users: Iterable[User] | None, server_admins: Iterable[str] | None,
                   viewer: UserContext) -> AccessReport:
    """Who has access to a database with this security object, and why.

    `users` are the readable users (None where _users is refused, as it is to everyone but server admins
    on CouchDB 3): then the names granted directly are still listed, with the viewer's own roles, and
    each role grant is reported as unresolved. `server_admins` is None where hidden."""
    security = normalised(security)
    granted_names = [n for s in SECTIONS for n in security[s]["names"]]
    people: dict[str, tuple[str, ...] | None]
    if users is not None:
        people = {u.name: tuple(u.roles) for u in users}
    else:
        people = dict.fromkeys(granted_names)
    if viewer.name is not None:
        people[viewer.name] = tuple(viewer.roles)
    admins = set(server_admins or ())
    if viewer.is_server_admin and viewer.name is not None:
        admins.add(viewer.name)
    for name in admins:
        people.setdefault(name, ("_admin",))
    rows: list[AccessRow] = []
    for name, roles in people.items():
        grants = grants_for(security, name, roles or (), is_server_admin=name in admins)
        if grants and not (len(grants) == 1 and grants[0].via == "public"):
            rows.append(AccessRow(name=name, roles=roles, grants=tuple(grants)))
    unresolved: tuple[tuple[str, str], ...]
    unknown: tuple[str, ...]
    if users is None:
        unresolved = tuple((s, role) for s in SECTIONS for role in security[s]["roles"] if role != "_admin")
        unknown = ()
    else:
        unresolved = ()
        unknown = tuple(dict.fromkeys(n for n in granted_names if n not in people))
    return AccessReport(rows=tuple(sorted(rows, key=lambda r: r.name)), users_readable=users is not None,
                        unresolved_roles=unresolved, unknown_names=unknown)


@dataclass(frozen=True)
class DatabaseAccess:
    """One database that grants a user access, and every reason; or whose _security could not be read."""

    db: str
    grants: tuple[Grant, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class AccessScan:
    """One stretch of the scan for the databases that grant a user access."""

    found: tuple[DatabaseAccess, ...]
    scanned: int  # databases whose _security was asked for in this stretch
    next_start: str | None  # the first database of the next stretch; None when the scan is done


def scan_access(client: CouchClient, name: str, roles: Iterable[str], is_server_admin: bool, start: str | None,
                limit: int) -> AccessScan:
    """GET /_all_dbs (`limit` databases from `start`), then each one's /_security: those that grant `name`
    (holding `roles`) access, and those whose _security could not be read."""
    page = list_databases(client, start=start, limit=limit)
    roles = tuple(roles)
    found = []
    for db, security in zip(page.names, get_each_security(client, page.names), strict=True):
        if isinstance(security, CouchError):
            refusal = security.error or security.status
            found.append(DatabaseAccess(db, problem=f"its _security could not be read ({refusal})"))
            continue
        try:
            grants = grants_for(security, name, roles, is_server_admin)
        except (AttributeError, TypeError, ValueError):  # pouchdb-server keeps any JSON as a _security object
            found.append(DatabaseAccess(db, problem=MALFORMED))
            continue
        if grants:
            found.append(DatabaseAccess(db, tuple(grants)))
    return AccessScan(found=tuple(found), scanned=len(page.names), next_start=page.next_start)
