from django.conf import settings


def couch(request):
    """Who is logged in, for the header; decided by the middleware from CouchDB's answers."""
    return {
        "couch_user": getattr(request, "couch_user", None),
        "admin_party": getattr(request, "admin_party", False),
        "couchdb_url": settings.COUCHDB_URL,
    }
