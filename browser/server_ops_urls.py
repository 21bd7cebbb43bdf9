"""Routes of server-wide database updates and resharding (included by browser/urls.py, in its namespace)."""

from django.urls import path

from browser.views import db_updates, reshard

urlpatterns = [
    path("updates/", db_updates.database_updates, name="db-updates"),
    path("reshard/", reshard.reshard_page, name="reshard"),
]
