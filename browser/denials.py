"""Plain words for what CouchDB refused and which permission would allow it, and the guard for pages
that only server admins may use."""

import functools
from urllib.parse import unquote

from django.shortcuts import render

SERVER_ADMIN_PATHS = {"_all_dbs", "_dbs_info", "_config", "_node", "_active_tasks", "_scheduler",
                      "_membership", "_replicate"}
# CouchDB 3 lets only server admins list these (a user may still read their own _users document).
SERVER_ADMIN_DATABASES = {"_users", "_replicator", "_global_changes"}
ADMIN_ONLY_PARTS = {"_compact", "_view_cleanup", "_purge", "_purged_infos_limit"}
# Members may read these; changing them needs an admin of the database.
ADMIN_WRITES = {"_security", "_design", "_revs_limit"}
SERVER_ADMIN = "This needs a CouchDB server admin."


def missing_permission(error):
    """A sentence naming the permission CouchDB wants for the refused request."""
    segments = [unquote(s) for s in error.path.split("?")[0].strip("/").split("/") if s]
    if not segments or segments[0] in SERVER_ADMIN_PATHS or segments[0] in SERVER_ADMIN_DATABASES:
        return SERVER_ADMIN
    database = segments[0]
    rest = segments[1:]
    if error.method in ("PUT", "DELETE") and not rest:
        return "Creating or deleting a database needs a CouchDB server admin."
    writes = error.method not in ("GET", "HEAD")
    if rest and (rest[0] in ADMIN_ONLY_PARTS or (writes and rest[0] in ADMIN_WRITES)):
        return f"This needs an admin of the database “{database}” (by name or role) or a server admin."
    return (f"This needs a member of the database “{database}” (by name or role), "
            "an admin of it, or a server admin.")


def denied_page(request, reason, permission, couch_said=False):
    """The 403 page: `reason` is CouchDB's own refusal when couch_said, else the dashboard's words."""
    return render(request, "403.html", {"reason": reason, "permission": permission, "couch_said": couch_said},
                  status=403)


def server_admin_required(view):
    """Only server admins reach the view; anyone else gets the 403 page naming that requirement."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if request.couch_user and request.couch_user.is_server_admin:
            return view(request, *args, **kwargs)
        return denied_page(request, "This page is for CouchDB server admins.", SERVER_ADMIN)

    return guarded
