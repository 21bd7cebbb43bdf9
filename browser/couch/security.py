"""Database permissions: GET/PUT /{db}/_security, who may administer, who has access and why."""

from dataclasses import dataclass

from browser.couch.errors import CouchError, NotFound, Unauthorized

SECTIONS = ("admins", "members")


@dataclass(frozen=True)
class Grant:
    """One reason a user has access: in which section, by name or through which role."""

    section: str
    via: str  # "name", "role" or "server admin"
    role: str = ""


def get_security(client, db):
    """GET /{db}/_security — the whole object; keys the dashboard does not know are kept."""
    return client.get_exact(db, "_security")


def put_security(client, db, security):
    """PUT /{db}/_security."""
    client.send_exact("PUT", db, "_security", body=security)


def normalised(security):
    """The same object with admins/members each holding names and roles lists (other keys untouched)."""
    result = dict(security)
    for section in SECTIONS:
        part = dict(result.get(section) or {})
        part["names"] = [str(n) for n in part.get("names") or []]
        part["roles"] = [str(r) for r in part.get("roles") or []]
        result[section] = part
    return result


def with_entry(security, section, kind, value, present):
    """A copy with a name or role added to (present=True) or removed from a section."""
    result = normalised(security)
    entries = [e for e in result[section][kind] if e != value]
    if present:
        entries.append(value)
    result[section] = {**result[section], kind: entries}
    return result


def is_public(security):
    """Empty members make a database readable and writable by anyone who reaches the server."""
    members = (security or {}).get("members") or {}
    return not members.get("names") and not members.get("roles")


def can_administer(security, user):
    """Whether CouchDB treats this user as an admin of the database (server admin, or in admins)."""
    if user.is_server_admin:
        return True
    admins = (security or {}).get("admins") or {}
    return (user.name is not None and user.name in (admins.get("names") or [])) or \
        bool(set(user.roles) & set(admins.get("roles") or []))


def grants_for(security, name, roles, is_server_admin=False):
    """Every reason `name` with `roles` has access to a database with this security object."""
    security = normalised(security)
    grants = []
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


def server_admin_names(client):
    """GET /_node/_local/_config/admins — names of the server admins (server admins only); None if hidden."""
    try:
        return sorted(client.get_json("_node", "_local", "_config", "admins"))
    except NotFound:
        return _server_admin_names_from_config(client)
    except (Unauthorized, CouchError):
        return None


def _server_admin_names_from_config(client):
    # pouchdb-server has no /_node/_local; its config lives at /_config.
    try:
        return sorted(client.get_json("_config", "admins"))
    except CouchError:
        return None
