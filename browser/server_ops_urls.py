"""Routes of server-wide database updates and resharding (included by browser/urls.py, in its namespace)."""

from django.urls import path

from browser.views import db_updates, reshard

urlpatterns = [
    path("updates/", db_updates.database_updates, name="db-updates"),
    path("updates/setup/", db_updates.global_changes_create, name="db-updates-setup"),
    path("reshard/", reshard.reshard_page, name="reshard"),
    path("reshard/start/", reshard.reshard_start, name="reshard-start"),
    path("reshard/state/", reshard.reshard_state, name="reshard-state"),
    path("reshard/delete/", reshard.reshard_job_delete, name="reshard-job-delete"),
]
