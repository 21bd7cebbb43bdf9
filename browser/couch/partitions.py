"""Partitions of a partitioned database: a partition's info, its documents paged by key, and which views
can be queried within it. CouchDB 3 only (flavour.has_shards). CouchDB has no request that lists partitions."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from browser.couch.client import CouchClient
from browser.couch.documents import DocPage, Listing, list_documents
from browser.couch.jsontext import Json, JsonObject
from browser.couch.wire import DESIGN_PREFIX

PARTITION_MOST = 1000
VIEWS_LISTED = 100


def partition_problem(name: str) -> str | None:
    """Why CouchDB would refuse this partition name, in words; None when it is acceptable."""
    if not name:
        return "Enter a partition name."
    if name.startswith("_"):
        return "A partition name may not start with “_”."
    if ":" in name:
        return "A partition name may not contain “:” (a document id is “partition:rest”)."
    if len(name) > PARTITION_MOST:
        return f"A partition name has at most {PARTITION_MOST} characters here."
    return None


@dataclass(frozen=True)
class PartitionInfo:
    name: str
    doc_count: int | None
    doc_del_count: int | None
    active_size: int | None
    external_size: int | None


def partition_info(client: CouchClient, db: str, partition: str) -> PartitionInfo:
    """GET /{db}/_partition/{p} — counts and sizes (a partition without documents answers zeros)."""
    answer = client.flavour.in_partition("GET", db, partition)
    answer = answer if isinstance(answer, dict) else {}
    sizes: JsonObject = answer["sizes"] if isinstance(answer.get("sizes"), dict) else {}
    return PartitionInfo(name=partition, doc_count=_count(answer.get("doc_count")),
                         doc_del_count=_count(answer.get("doc_del_count")),
                         active_size=_count(sizes.get("active")), external_size=_count(sizes.get("external")))


def _count(value: Json) -> int | None:
    """A whole number from the answer (read exactly: numbers arrive as their JSON text); None otherwise."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() else None


class _ThroughPartition:
    """The client as documents.list_documents sees it: its GET /{db}/_all_docs goes to
    /{db}/_partition/{p}/_all_docs, so a partition is paged by key exactly like the whole database."""

    def __init__(self, client: CouchClient, partition: str) -> None:
        self._client, self._partition = client, partition

    def get_exact(self, db: str, endpoint: str, params: Mapping[str, Any] | None = None) -> Json:
        return self._client.flavour.in_partition("GET", db, self._partition, endpoint, params=params)


def partition_documents(client: CouchClient, db: str, partition: str, listing: Listing) -> DocPage:
    """GET /{db}/_partition/{p}/_all_docs — one page of the partition's documents (documents.Listing)."""
    return list_documents(_ThroughPartition(client, partition), db, listing)


def partition_views(client: CouchClient, db: str) -> list[tuple[str, str]]:
    """GET /{db}/_design_docs?include_docs=true — (design name, view) pairs that can run within a partition:
    every view of a design document not marked "partitioned": false."""
    found: list[tuple[str, str]] = []
    for row in client.flavour.design_doc_rows_with_docs(db):
        doc = row.get("doc") if isinstance(row, dict) else None
        if not isinstance(doc, dict) or not str(doc.get("_id", "")).startswith(DESIGN_PREFIX):
            continue
        options: JsonObject = doc["options"] if isinstance(doc.get("options"), dict) else {}
        views: JsonObject = doc["views"] if isinstance(doc.get("views"), dict) else {}
        if options.get("partitioned") is False:
            continue
        found.extend((doc["_id"][len(DESIGN_PREFIX):], str(view)) for view in sorted(views))
    return found[:VIEWS_LISTED]
