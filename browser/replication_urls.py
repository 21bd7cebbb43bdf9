"""Routes of the replication pages (included by browser/urls.py under "replication/", in its namespace)."""

from django.urls import path

from browser.views import replication

urlpatterns = [
    path("", replication.replication_list, name="replications"),
    path("new/", replication.replication_start, name="replication-start"),
    # A _replicator document id may contain "/", so it is the last part of the path.
    path("doc/<docid:docid>", replication.replication_doc, name="replication-doc"),
    path("doc-restart/<docid:docid>", replication.replication_doc_restart, name="replication-doc-restart"),
    path("doc-delete/<docid:docid>", replication.replication_doc_delete, name="replication-doc-delete"),
    # Job ids ("abc+continuous") end the path too, read as any text, so that whatever arrives there gets a
    # plain 404 from the view rather than no route.
    path("job/<docid:job_id>", replication.replication_job, name="replication-job"),
    path("job-stop/<docid:job_id>", replication.replication_job_stop, name="replication-job-stop"),
]
