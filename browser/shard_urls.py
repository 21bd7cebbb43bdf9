"""Routes of the shard and partition pages (included by browser/urls.py, in its namespace)."""

from django.urls import path

from browser.views import partitions, shards

urlpatterns = [
    path("db/<dbname:db>/shards/", shards.database_shards, name="database-shards"),
    # A document id may contain "/", so it is the last part of the path.
    path("db/<dbname:db>/shard-of/<docid:docid>", shards.document_shard, name="document-shard"),
    path("db/<dbname:db>/partitions/", partitions.partition_home, name="partitions"),
    # A partition name may hold "/" and anything but ":" (and a leading "_"): the last part of the path too.
    path("db/<dbname:db>/partition/<docid:partition>", partitions.partition_detail, name="partition"),
]
