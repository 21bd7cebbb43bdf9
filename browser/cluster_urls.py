"""Routes of the cluster pages (included by browser/urls.py, in its namespace)."""

from django.urls import path

from browser.views import cluster

urlpatterns = [
    path("cluster/", cluster.cluster_overview, name="cluster"),
    path("cluster/nodes/<docid:node>", cluster.cluster_node, name="cluster-node"),
]
