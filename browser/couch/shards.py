"""Shards: which node holds which range of a database (_shards), which range holds a document, and which
nodes are up (_membership). CouchDB 3 only; pouchdb-server keeps a database in one file (flavour.has_shards)."""

from dataclasses import dataclass

from browser.couch.client import CouchClient
from browser.couch.errors import Forbidden, NotFound, Unauthorized
from browser.couch.jsontext import Json


@dataclass(frozen=True)
class ShardRange:
    """One range of document-id hashes ("00000000-7fffffff") and the nodes holding a copy of it."""

    range: str
    nodes: tuple[str, ...]

    @property
    def start(self) -> int:
        """The range's first hash as a number (ranges sort by it; a malformed range sorts last)."""
        head = self.range.partition("-")[0]
        try:
            return int(head, 16)
        except ValueError:
            return 1 << 33


@dataclass(frozen=True)
class Membership:
    """GET /_membership: the nodes configured in the cluster and the ones connected now."""

    cluster_nodes: tuple[str, ...]
    all_nodes: tuple[str, ...]

    def is_down(self, node: str) -> bool:
        return node in self.cluster_nodes and node not in self.all_nodes


@dataclass(frozen=True)
class ShardMap:
    ranges: tuple[ShardRange, ...]
    nodes: tuple[str, ...]  # every node holding a range, then configured nodes holding none

    def holds(self, shard: ShardRange, node: str) -> bool:
        return node in shard.nodes


def shard_map(client: CouchClient, db: str, membership: Membership | None = None) -> ShardMap:
    """GET /{db}/_shards — the ranges in hash order, each with its nodes."""
    answer = client.flavour.shards(db)
    raw = answer.get("shards") if isinstance(answer, dict) else None
    ranges = sorted((ShardRange(str(name), _nodes(nodes)) for name, nodes in (raw or {}).items()),
                    key=lambda shard: (shard.start, shard.range))
    nodes = sorted({node for shard in ranges for node in shard.nodes})
    nodes += sorted(set(membership.cluster_nodes if membership else ()) - set(nodes))
    return ShardMap(ranges=tuple(ranges), nodes=tuple(nodes))


def document_shard(client: CouchClient, db: str, docid: str) -> ShardRange:
    """GET /{db}/_shards/{docid} — the range a document id hashes to and its nodes (the document need not exist)."""
    answer = client.flavour.shards(db, docid)
    answer = answer if isinstance(answer, dict) else {}
    return ShardRange(str(answer.get("range", "")), _nodes(answer.get("nodes")))


def document_exists(client: CouchClient, db: str, docid: str) -> bool:
    """HEAD /{db}/{docid} — whether a live document has this id (deleted or never written: False)."""
    try:
        client.flavour.current_rev(db, docid)
    except NotFound:
        return False
    return True


def membership(client: CouchClient) -> Membership | None:
    """GET /_membership — None when this person may not ask (only server admins may)."""
    try:
        answer = client.get_json("_membership")
    except (Unauthorized, Forbidden):
        return None
    answer = answer if isinstance(answer, dict) else {}
    return Membership(cluster_nodes=_nodes(answer.get("cluster_nodes")), all_nodes=_nodes(answer.get("all_nodes")))


def _nodes(raw: Json) -> tuple[str, ...]:
    return tuple(str(node) for node in raw) if isinstance(raw, list) else ()
