"""Server configuration per node: GET/PUT/DELETE /_node/{node}/_config/{section}/{key}, compared across the
cluster's nodes, with every secret masked here, before anything leaves the service layer.

A secret's value never leaves this module: rows carry `None` for it and the flag `secret`. Whether two
nodes hold the same secret is compared here (one bit, never the value).
"""

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchUnavailable, NotFound
from browser.couch.jsontext import Json
from browser.couch.replication import scrub_url

# A node that is down must not hold the page: each node's answer is awaited this long at most.
NODE_TIMEOUT = 5
SECRET = "(secret)"
ALL_NODES = "all"

# --- what is secret: the one rule ----------------------------------------------------------------------
# Sections whose every key is a credential: [admins] (password hashes), [jwt_keys] (HMAC secrets and keys).
SECRET_SECTIONS = frozenset({"admins", "jwt_keys"})
# Words that make a key secret in any section ([chttpd_auth] secret, [replicator] password, ...).
SECRET_WORDS = ("password", "passwd", "secret", "token", "credential", "private")
# Sections that hold credentials, where any key named like "key" is secret too ([ssl] key_file, ...).
CREDENTIAL_SECTIONS = re.compile(r"auth|ssl|replicator|jwt|peruser|prometheus|admins|secret")

# One node's configuration as read: {section: {key: value}}.
RawConfig = dict[str, dict[str, str]]


def is_secret(section: object, key: object) -> bool:
    """Whether the value of [section] key is a credential, never to be shown, logged or compared aloud."""
    section_name, key_name = str(section).lower(), str(key).lower()
    if section_name in SECRET_SECTIONS or any(word in key_name for word in SECRET_WORDS):
        return True
    return "key" in key_name and bool(CREDENTIAL_SECTIONS.search(section_name))


def shown_value(section: str, key: str, value: Json) -> str | None:
    """What a value may show: None for a secret; any URL's user:password@ taken out of the rest."""
    if value is None or is_secret(section, key):
        return None
    return scrub_url(str(value))


# --- reading -------------------------------------------------------------------------------------------

def cluster_nodes(client: CouchClient) -> list[str]:
    """GET /_membership — the cluster's nodes (one on a single node)."""
    answer = client.get_json("_membership")
    nodes = answer.get("cluster_nodes") if isinstance(answer, dict) else None
    return [str(n) for n in nodes if isinstance(n, str)] if isinstance(nodes, list) else []


@dataclass(frozen=True)
class NodeState:
    name: str
    problem: str = ""

    @property
    def up(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class Cell:
    """One node's value of one key: absent, secret (value None), or shown."""

    present: bool
    value: str | None = None
    secret: bool = False


@dataclass(frozen=True)
class ConfigRow:
    section: str
    key: str
    cells: tuple[Cell, ...]
    secret: bool
    differs: bool


@dataclass(frozen=True)
class ConfigSection:
    name: str
    rows: tuple[ConfigRow, ...]


@dataclass(frozen=True)
class Configuration:
    nodes: tuple[NodeState, ...]
    sections: tuple[ConfigSection, ...]
    key_count: int
    cors: tuple["CorsSummary", ...] = field(default=())

    @property
    def up_nodes(self) -> tuple[NodeState, ...]:
        return tuple(n for n in self.nodes if n.up)

    @property
    def differing(self) -> int:
        return sum(1 for s in self.sections for r in s.rows if r.differs)

    @property
    def section_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sections)

    def filtered(self, text: str = "", section: str = "", differing_only: bool = False) -> tuple[ConfigSection, ...]:
        """The sections and rows whose section or key contains the text (case-insensitive)."""
        needle = text.casefold()
        kept = []
        for sec in self.sections:
            if section and sec.name != section:
                continue
            whole = bool(needle) and needle in sec.name.casefold()
            rows = tuple(r for r in sec.rows if (not needle or whole or needle in r.key.casefold())
                         and (r.differs or not differing_only))
            if rows:
                kept.append(ConfigSection(sec.name, rows))
        return tuple(kept)


def _raw_config(client: CouchClient, node: str) -> tuple[RawConfig | None, str]:
    try:
        answer = client.flavour.node_config(node, NODE_TIMEOUT)
    except CouchUnavailable as exc:
        return None, f"did not answer ({exc.reason})"
    except CouchError as exc:
        return None, f"CouchDB answered {exc.status} ({exc.error}: {exc.reason})"
    except ValueError:
        return None, "answered something that is not JSON"
    if not isinstance(answer, dict):
        return None, "answered something that is not a configuration"
    return {str(s): {str(k): str(v) for k, v in keys.items()} for s, keys in answer.items()
            if isinstance(keys, dict)}, ""


def read_configuration(client: CouchClient, nodes: Sequence[str]) -> Configuration:
    """GET /_node/{node}/_config for every node at once (a node that does not answer shows as down)."""
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(nodes)))) as pool:
        answers = list(pool.map(lambda n: _raw_config(client, n), nodes))
    states = tuple(NodeState(n, problem) for n, (_, problem) in zip(nodes, answers, strict=True))
    raws = [raw for raw, _ in answers]
    sections = _compare(raws)
    return Configuration(states, sections, sum(len(s.rows) for s in sections),
                         tuple(cors_summary(raw) for raw in raws))


def _compare(raws: list[RawConfig | None]) -> tuple[ConfigSection, ...]:
    """Rows of every key on any node, sorted by section and key, marking those whose values differ."""
    up = [raw for raw in raws if raw is not None]
    names = sorted({s for raw in up for s in raw})
    sections = []
    for name in names:
        keys = sorted({k for raw in up for k in raw.get(name, {})})
        rows = []
        for key in keys:
            secret = is_secret(name, key)
            values = [None if raw is None else raw.get(name, {}).get(key) for raw in raws]
            cells = tuple(Cell(False) if raw is None or v is None else Cell(True, shown_value(name, key, v), secret)
                          for raw, v in zip(raws, values, strict=True))
            seen = {v for raw, v in zip(raws, values, strict=True) if raw is not None}
            rows.append(ConfigRow(name, key, cells, secret, differs=len(seen) > 1))
        sections.append(ConfigSection(name, tuple(rows)))
    return tuple(sections)


@dataclass(frozen=True)
class CurrentValue:
    node: str
    cell: Cell | None  # None: the node did not answer
    problem: str = ""


def current_values(client: CouchClient, nodes: Sequence[str], section: str, key: str) -> list["CurrentValue"]:
    """GET /_node/{node}/_config/{section}/{key} on each node (masked)."""
    def one(node: str) -> CurrentValue:
        try:
            value = client.request("GET", "_node", node, "_config", section, key, timeout=NODE_TIMEOUT).json()
        except NotFound:
            return CurrentValue(node, Cell(False))
        except (CouchError, CouchUnavailable, ValueError) as exc:
            return CurrentValue(node, None, _problem(exc))
        return CurrentValue(node, Cell(True, shown_value(section, key, value), is_secret(section, key)))

    with ThreadPoolExecutor(max_workers=max(1, min(8, len(nodes)))) as pool:
        return list(pool.map(one, nodes))


# --- changing ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What became of a change on one node, with the audit's before/after (secrets as "(secret)")."""

    node: str
    ok: bool
    before: str | None = None
    after: str | None = None
    problem: str = ""
    existed: bool = True


def set_value(client: CouchClient, nodes: Sequence[str], section: str, key: str, value: object) -> list["Outcome"]:
    """PUT /_node/{node}/_config/{section}/{key} with the value as a JSON string, on each node in turn."""
    outcomes = []
    for node in nodes:
        try:
            old = client.request("PUT", "_node", node, "_config", section, key, json_body=str(value),
                                 timeout=NODE_TIMEOUT).json()
        except (CouchError, CouchUnavailable, ValueError) as exc:
            outcomes.append(Outcome(node, False, problem=_problem(exc)))
            continue
        outcomes.append(Outcome(node, True, _audited(section, key, old or None), _audited(section, key, value),
                                existed=bool(old)))
    return outcomes


def delete_value(client: CouchClient, nodes: Sequence[str], section: str, key: str) -> list["Outcome"]:
    """DELETE /_node/{node}/_config/{section}/{key} on each node in turn."""
    outcomes = []
    for node in nodes:
        try:
            old = client.request("DELETE", "_node", node, "_config", section, key, timeout=NODE_TIMEOUT).json()
        except NotFound:
            outcomes.append(Outcome(node, False, problem="has no such key", existed=False))
            continue
        except (CouchError, CouchUnavailable, ValueError) as exc:
            outcomes.append(Outcome(node, False, problem=_problem(exc)))
            continue
        outcomes.append(Outcome(node, True, _audited(section, key, old)))
    return outcomes


def _audited(section: str, key: str, value: Json) -> str | None:
    if value is None:
        return None
    return SECRET if is_secret(section, key) else shown_value(section, key, value)


def _problem(exc: Exception) -> str:
    if isinstance(exc, CouchUnavailable):
        return f"did not answer ({exc.reason})"
    if isinstance(exc, CouchError):
        return f"refused ({exc.status} {exc.error}: {exc.reason})"
    return "answered something that is not JSON"


# --- CORS ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CorsSummary:
    """One node's CORS settings as CouchDB reads them, and what is dangerous about them."""

    known: bool
    enabled: bool = False
    enabled_from: str = ""
    origins: str | None = None
    credentials: bool = False
    credentials_text: str | None = None
    methods: str | None = None
    headers: str | None = None
    warnings: tuple[str, ...] = ()


def _truthy(text: object) -> bool:
    return str(text).strip().lower() == "true"


def cors_summary(raw: RawConfig | None) -> CorsSummary:
    """CouchDB 3.2+ reads [chttpd] enable_cors, falling back to [httpd] enable_cors; [cors] holds the rest."""
    if raw is None:
        return CorsSummary(known=False)
    chttpd, httpd, cors = raw.get("chttpd", {}), raw.get("httpd", {}), raw.get("cors", {})
    if "enable_cors" in chttpd:
        enabled, source = _truthy(chttpd["enable_cors"]), "[chttpd] enable_cors"
    elif "enable_cors" in httpd:
        enabled, source = _truthy(httpd["enable_cors"]), "[httpd] enable_cors"
    else:
        enabled, source = False, ""
    origins = cors.get("origins")
    credentials = _truthy(cors.get("credentials", "false"))
    origin_list = [o.strip() for o in (origins or "").split(",") if o.strip()]
    warnings = []
    if "*" in origin_list and credentials:
        warnings.append("origins is “*” and credentials is true: any web site a logged-in person visits can "
                        "read and change this server's data with their login. Name the origins you trust instead."
                        + ("" if enabled else " (Not in effect while CORS is off, but dangerous the moment it is "
                                              "turned on.)"))
    elif "*" in origin_list and enabled:
        warnings.append("origins is “*”: any web site may call this server from a visitor's browser (without "
                        "their login). Fine for public data; name the origins otherwise.")
    if any(o.startswith("http://") and not o.startswith(("http://localhost", "http://127.0.0.1"))
           for o in origin_list) and credentials:
        warnings.append("An origin is plain http:// with credentials on: anyone on that network path can run "
                        "script with the visitor's login. Prefer https:// origins.")
    if enabled and not origin_list:
        warnings.append("CORS is on but [cors] origins is empty, so no web site is allowed: browsers will refuse "
                        "every cross-origin call.")
    return CorsSummary(True, enabled, source, origins, credentials, cors.get("credentials"), cors.get("methods"),
                       cors.get("headers"), tuple(warnings))
