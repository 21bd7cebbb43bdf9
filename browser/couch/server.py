"""Server-wide endpoints: GET /, /_up, /_uuids."""

import threading
from dataclasses import dataclass

from browser.couch.errors import NotFound


@dataclass(frozen=True)
class ServerInfo:
    version: str
    vendor_name: str
    vendor_version: str
    features: tuple
    uuid: str
    git_sha: str
    is_apache_couchdb: bool


def server_info(client):
    """GET / — what server this is."""
    body = client.get_json()
    vendor = body.get("vendor") or {}
    return ServerInfo(
        version=str(body.get("version", "")),
        vendor_name=str(vendor.get("name", "")),
        vendor_version=str(vendor.get("version", "")),
        features=tuple(body.get("features") or ()),
        uuid=str(body.get("uuid", "")),
        git_sha=str(body.get("git_sha", "")),
        # Apache CouchDB greets with "couchdb"; pouchdb-server with "express-pouchdb".
        is_apache_couchdb="couchdb" in body,
    )


def is_up(client):
    """GET /_up — whether the server says it is ready to serve."""
    try:
        return client.get_json("_up").get("status") == "ok"
    except NotFound:
        return _is_up_by_server_info(client)


def _is_up_by_server_info(client):
    # pouchdb-server has no /_up (404): a welcome answer from GET / is the best sign we get.
    server_info(client)
    return True


def new_uuids(client, count=1):
    """GET /_uuids — fresh ids from the server."""
    return client.get_json("_uuids", params={"count": count})["uuids"]


_flavour_lock = threading.Lock()
_apache_by_url = {}


def is_apache_couchdb(client):
    """Whether the server is Apache CouchDB (asked once per process and server URL)."""
    with _flavour_lock:
        known = _apache_by_url.get(client.base_url)
    if known is None:
        known = server_info(client).is_apache_couchdb
        with _flavour_lock:
            _apache_by_url[client.base_url] = known
    return known
