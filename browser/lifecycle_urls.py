"""Routes of purge, deleted documents and revision limits (included by browser/urls.py, in its namespace)."""

from django.urls import path

from browser.views import deleted, purge

urlpatterns = [
    path("db/<dbname:db>/limits/", purge.database_limits, name="database-limits"),
    # A document id may contain "/", so it is always the last part of the path.
    path("db/<dbname:db>/purge/<docid:docid>", purge.document_purge, name="document-purge"),
    path("db/<dbname:db>/deleted/", deleted.deleted_list, name="deleted-documents"),
    path("db/<dbname:db>/deleted-doc/<docid:docid>", deleted.deleted_document, name="deleted-document"),
]
