"""Cluster pages, for server admins: every node of _membership with its state and figures, refreshing itself."""

import time

from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_GET

from browser.capabilities import needs
from browser.couch.cluster import LARGE_QUEUE, NODE_TIMEOUT, cluster_health, one_node_health
from browser.denials import server_admin_required
from browser.responses import render_page_or_fragment

REFRESH_SECONDS = 5


@server_admin_required
@needs("has_cluster_nodes")
@require_GET
def cluster_overview(request):
    members, nodes = cluster_health(request.couch)
    context = {
        "members": members,
        "nodes": nodes,
        "down": [n for n in nodes if n.state != "up"],
        "strangers": [n for n in nodes if not n.in_cluster],
        **_common(reverse("browser:cluster")),
    }
    return render_page_or_fragment(request, "browser/cluster.html", "browser/_cluster.html", context)


@server_admin_required
@needs("has_cluster_nodes")
@require_GET
def cluster_node(request, node):
    members, health = one_node_health(request.couch, node)
    if health is None:
        raise Http404("No node of this cluster has that name.")
    refresh_url = reverse("browser:cluster-node", kwargs={"node": node})
    context = {"members": members, "node": health, "node_name": node, **_common(refresh_url)}
    return render_page_or_fragment(request, "browser/cluster_node.html", "browser/_cluster_node.html", context)


def _common(refresh_url):
    return {"refresh_url": refresh_url, "refresh_seconds": REFRESH_SECONDS, "large_queue": LARGE_QUEUE,
            "node_timeout": NODE_TIMEOUT, "checked_at": time.strftime("%H:%M:%S UTC", time.gmtime())}
