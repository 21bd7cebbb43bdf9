"""The cluster and its nodes: _membership, and per node _node/{node}/_system, _stats, _versions and the welcome.

CouchDB 3.5 has no per-node `_up` (`/_node/{node}/_up` is read as a database name); a node "answers" when
its `_system` does, and its maintenance mode (what would turn its `/_up` into 404 "nolb") is read from its
config. A node that is down costs nothing: CouchDB answers 412 "nodedown" at once, and every per-node call
has a short timeout of its own and runs in parallel, so one silent node never holds the page up.
"""

import math
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchUnavailable
from browser.couch.jsontext import Json, JsonObject
from browser.couch.tasks import in_words

NODE_TIMEOUT = 3  # seconds for each per-node call
MOST_THREADS = 8
# A process with this many messages waiting is falling behind (CouchDB's docs worry from the thousands).
LARGE_QUEUE = 1000
STATS_INTERVAL = 10  # CouchDB's default [stats] interval: histograms cover this many seconds
MEMORY_PARTS = ("processes", "binary", "ets", "code", "atom", "other")


@dataclass(frozen=True)
class Membership:
    """GET /_membership: `configured` are cluster_nodes, `connected` are all_nodes (those up now, as seen
    by the node that answered)."""

    configured: tuple[str, ...]
    connected: tuple[str, ...]

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node either list names, configured ones first, each once."""
        return tuple(dict.fromkeys(self.configured + self.connected))

    @property
    def single_node(self) -> bool:
        return len(self.nodes) == 1


@dataclass(frozen=True)
class MessageQueue:
    name: str
    length: int  # for a group of processes (e.g. every couch_file), its longest queue
    processes: int | None  # how many processes the group has; None for one named process

    @property
    def large(self) -> bool:
        return self.length >= LARGE_QUEUE


@dataclass(frozen=True)
class NodeHealth:
    """One node as the dashboard shows it. `state` is "up", "down" (configured, not connected), "silent"
    (connected but its figures did not come) or "up" with `in_cluster` False for a connected stranger.
    Every figure CouchDB did not send, or sent as something other than a number, is None."""

    name: str
    in_cluster: bool
    connected: bool
    state: str
    problem: str = ""
    version: str = ""
    erlang_version: str = ""
    javascript_engine: str = ""
    maintenance_mode: bool = False
    uptime: int | None = None
    memory: tuple[tuple[str, int | None], ...] = ()  # (part, bytes) in MEMORY_PARTS order
    memory_total: int | None = None
    process_count: int | None = None
    process_limit: int | None = None
    run_queue: int | None = None
    os_processes: int | None = None
    internal_replication_jobs: int | None = None
    queues: tuple[MessageQueue, ...] = ()  # longest first, only those with messages waiting
    requests: int | None = None
    recent_requests: int | None = None  # requests timed in the last stats interval
    open_databases: int | None = None
    open_files: int | None = None
    auth_cache_hits: int | None = None
    auth_cache_misses: int | None = None
    peers: tuple[str, ...] = ()  # nodes this one has an Erlang distribution connection to

    @property
    def uptime_words(self) -> str | None:
        return in_words(self.uptime)

    @property
    def request_rate(self) -> float | None:
        """Requests per second on average since the node started."""
        return None if self.requests is None or not self.uptime else self.requests / self.uptime

    @property
    def recent_rate(self) -> float | None:
        return None if self.recent_requests is None else self.recent_requests / STATS_INTERVAL

    @property
    def auth_cache_hit_ratio(self) -> float | None:
        hits, misses = self.auth_cache_hits, self.auth_cache_misses
        if hits is None or misses is None or hits + misses == 0:
            return None
        return hits / (hits + misses)

    @property
    def waiting_messages(self) -> int:
        return sum(q.length for q in self.queues)

    @property
    def large_queues(self) -> tuple[MessageQueue, ...]:
        return tuple(q for q in self.queues if q.large)


def membership(client: CouchClient) -> Membership:
    """GET /_membership — configured (cluster_nodes) and connected (all_nodes) nodes."""
    body = client.get_json("_membership")
    body = body if isinstance(body, dict) else {}
    return Membership(configured=_names(body.get("cluster_nodes")), connected=_names(body.get("all_nodes")))


def cluster_health(client: CouchClient) -> tuple[Membership, list["NodeHealth"]]:
    """GET /_membership, then each node's figures in parallel: (Membership, [NodeHealth, …] in its order)."""
    members = membership(client)
    answers = _ask_nodes(client, [n for n in members.nodes if n in members.connected])
    return members, [node_health(n, members, answers.get(n)) for n in members.nodes]


def one_node_health(client: CouchClient, node: str) -> tuple[Membership, NodeHealth | None]:
    """GET /_membership and that node's figures: (Membership, NodeHealth), the health None when no list names it."""
    members = membership(client)
    if node not in members.nodes:
        return members, None
    answers = _ask_nodes(client, [node] if node in members.connected else [])
    return members, node_health(node, members, answers.get(node))


def _ask_nodes(client: CouchClient, nodes: Sequence[str]) -> dict[str, "NodeAnswers"]:
    """{node: {part: JSON or Failed}} for every call of NODE_CALLS to every node, at most MOST_THREADS at once."""
    if not nodes:
        return {}
    with ThreadPoolExecutor(max_workers=min(MOST_THREADS, len(nodes) * len(NODE_CALLS))) as pool:
        futures: dict[str, dict[str, Future[Json]]] = {
            node: {part: pool.submit(_ask, client, node, segments) for part, segments in NODE_CALLS.items()}
            for node in nodes}
        return {node: {part: f.result() for part, f in parts.items()} for node, parts in futures.items()}


# What each node is asked: GET /_node/{node}/… (a failure here is a value, see _ask).
NODE_CALLS: dict[str, tuple[str, ...]] = {
    "system": ("_system",),
    "stats": ("_stats", "couchdb"),
    "welcome": (),
    "versions": ("_versions",),
    "maintenance": ("_config", "couchdb", "maintenance_mode"),
}


class Failed:
    """A per-node call that did not answer: its reason in words."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        self.reason = reason
        self.status = status


# One node's answers: {part of NODE_CALLS: its JSON, or Failed}.
NodeAnswers = dict[str, Json]


def _ask(client: CouchClient, node: str, segments: tuple[str, ...]) -> Json:
    try:
        return client.request("GET", "_node", node, *segments, timeout=NODE_TIMEOUT).json()
    except CouchError as exc:
        return Failed(exc.message, exc.status)
    except CouchUnavailable as exc:
        return Failed(exc.reason)
    except ValueError:
        return Failed("the node answered something other than JSON")


def node_health(name: str, members: Membership, answers: NodeAnswers | None) -> NodeHealth:
    """A NodeHealth from the membership and the node's answers ({part: JSON or Failed}, None if not asked)."""
    in_cluster, connected = name in members.configured, name in members.connected
    if not connected:
        return NodeHealth(name, in_cluster, False, "down",
                          "Configured in the cluster but not connected: the node is down or cut off.")
    answers = answers or {}  # a connected node is always asked (cluster_health, one_node_health)
    system = answers.get("system")
    if not isinstance(system, dict):
        reason = system.reason if isinstance(system, Failed) else "its _system answer was not an object"
        return NodeHealth(name, in_cluster, True, "silent", f"Connected, but its figures did not come: {reason}")
    stats = _object(answers.get("stats"))
    welcome, versions = _object(answers.get("welcome")), _object(answers.get("versions"))
    memory = [(part, _count(_object(system.get("memory")).get(part))) for part in MEMORY_PARTS]
    known = [size for _, size in memory if size is not None]
    httpd = _object(stats.get("httpd"))
    return NodeHealth(
        name, in_cluster, True, "up",
        version=_text(welcome.get("version")),
        erlang_version=_text(_object(versions.get("erlang")).get("version")),
        javascript_engine=_text(_object(versions.get("javascript_engine")).get("name")),
        maintenance_mode=answers.get("maintenance") in ("true", "nolb"),
        uptime=_count(system.get("uptime")),
        memory=tuple(memory), memory_total=sum(known) if known else None,
        process_count=_count(system.get("process_count")), process_limit=_count(system.get("process_limit")),
        run_queue=_count(system.get("run_queue")), os_processes=_count(system.get("os_proc_count")),
        internal_replication_jobs=_count(system.get("internal_replication_jobs")),
        queues=message_queues(system.get("message_queues")),
        requests=_stat(httpd.get("requests")),
        recent_requests=_count(_object(_object(stats.get("request_time")).get("value")).get("n")),
        open_databases=_stat(stats.get("open_databases")), open_files=_stat(stats.get("open_os_files")),
        auth_cache_hits=_stat(stats.get("auth_cache_hits")), auth_cache_misses=_stat(stats.get("auth_cache_misses")),
        peers=tuple(sorted(str(p) for p in _object(system.get("distribution")))),
    )


def message_queues(value: Json) -> tuple[MessageQueue, ...]:
    """_system's message_queues ({name: length} or {name: {"count": …, "max": …}}) as MessageQueues with
    messages waiting, longest first."""
    queues = []
    for name, entry in _object(value).items():
        if isinstance(entry, dict):
            queue = MessageQueue(str(name), _count(entry.get("max")) or 0, _count(entry.get("count")))
        else:
            queue = MessageQueue(str(name), _count(entry) or 0, None)
        if queue.length:
            queues.append(queue)
    return tuple(sorted(queues, key=lambda q: (-q.length, q.name)))


def _names(value: Json) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(n) for n in value if isinstance(n, str))) if isinstance(value, list) else ()


def _object(value: Json) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _stat(value: Json) -> int | None:
    """A _stats counter ({"value": n, "type": "counter", …}) as its count."""
    return _count(_object(value).get("value"))


def _count(value: Json) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        return None
    return int(value)


def _text(value: Json) -> str:
    return value if isinstance(value, str) else ""
