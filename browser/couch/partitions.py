"""Partitions of a partitioned database: a partition's info, its documents paged by key, and which views
can be queried within it. CouchDB 3 only (flavour.has_shards). CouchDB has no request that lists partitions."""

from dataclasses import dataclass

from browser.couch.documents import DESIGN_PREFIX, list_documents

PARTITION_MOST = 1000
VIEWS_LISTED = 100


def partition_problem(name):
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


def partition_info(client, db, partition):
    """GET /{db}/_partition/{p} — counts and sizes (a partition without documents answers zeros)."""
    answer = client.flavour.in_partition(client, "GET", db, partition)
    answer = answer if isinstance(answer, dict) else {}
    sizes = answer.get("sizes") if isinstance(answer.get("sizes"), dict) else {}
    return PartitionInfo(name=partition, doc_count=_count(answer.get("doc_count")),
                         doc_del_count=_count(answer.get("doc_del_count")),
                         active_size=_count(sizes.get("active")), external_size=_count(sizes.get("external")))


def _count(value):
    """A whole number from the answer (read exactly: numbers arrive as their JSON text); None otherwise."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() else None


class _ThroughPartition:
    """The client as documents.list_documents sees it: its GET /{db}/_all_docs goes to
    /{db}/_partition/{p}/_all_docs, so a partition is paged by key exactly like the whole database."""

    def __init__(self, client, partition):
        self._client, self._partition = client, partition

    def get_exact(self, db, endpoint, params=None):
        return self._client.flavour.in_partition(self._client, "GET", db, self._partition, endpoint, params=params)


def partition_documents(client, db, partition, listing):
    """GET /{db}/_partition/{p}/_all_docs — one page of the partition's documents (documents.Listing)."""
    return list_documents(_ThroughPartition(client, partition), db, listing)


def partition_views(client, db):
    """GET /{db}/_design_docs?include_docs=true — (design name, view) pairs that can run within a partition:
    every view of a design document not marked "partitioned": false."""
    found = []
    for row in client.flavour.design_doc_rows_with_docs(client, db):
        doc = row.get("doc") if isinstance(row, dict) else None
        if not isinstance(doc, dict) or not str(doc.get("_id", "")).startswith(DESIGN_PREFIX):
            continue
        options = doc.get("options") if isinstance(doc.get("options"), dict) else {}
        views = doc.get("views") if isinstance(doc.get("views"), dict) else {}
        if options.get("partitioned") is False:
            continue
        found.extend((doc["_id"][len(DESIGN_PREFIX):], str(view)) for view in sorted(views))
    return found[:VIEWS_LISTED]
