"""Plain words for what CouchDB refused and which permission would allow it."""

from urllib.parse import unquote

SERVER_ADMIN_PATHS = {"_all_dbs", "_dbs_info", "_config", "_node", "_active_tasks", "_scheduler",
                      "_membership", "_replicate"}


def missing_permission(error):
    """A sentence naming the permission CouchDB wants for the refused request."""
    segments = [unquote(s) for s in error.path.split("?")[0].strip("/").split("/") if s]
    if not segments or segments[0] in SERVER_ADMIN_PATHS:
        return "This needs a CouchDB server admin."
    database = segments[0]
    rest = segments[1:]
    if error.method in ("PUT", "DELETE") and not rest:
        return "Creating or deleting a database needs a CouchDB server admin."
    if rest and rest[0] in ("_security", "_design", "_compact", "_view_cleanup", "_purge"):
        return f"This needs an admin of the database “{database}” (by name or role) or a server admin."
    return (f"This needs a member of the database “{database}” (by name or role), "
            "an admin of it, or a server admin.")
