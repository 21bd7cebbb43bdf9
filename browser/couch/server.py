"""Server-wide endpoints: GET /, /_up, /_uuids."""

from dataclasses import dataclass

from browser.couch.client import CouchClient


@dataclass(frozen=True)
class ServerInfo:
    version: str
    vendor_name: str
    vendor_version: str
    features: tuple[str, ...]
    uuid: str
    git_sha: str
    is_apache_couchdb: bool


def server_info(client: CouchClient) -> ServerInfo:
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


def is_up(client: CouchClient) -> bool:
    """GET /_up — whether the server says it is ready to serve."""
    return client.flavour.up()


def new_uuids(client: CouchClient, count: int = 1) -> list[str]:
    """GET /_uuids — fresh ids from the server."""
    uuids: list[str] = client.get_json("_uuids", params={"count": count})["uuids"]
    return uuids
