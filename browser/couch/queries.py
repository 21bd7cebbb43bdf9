"""Mango (_find, _explain, _index) and map/reduce views (_view, _info)."""

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.databases import database_info
from browser.couch.errors import NotFound
from browser.couch.jsontext import Json, JsonObject
from browser.couch.partitions import partition_info
from browser.couch.wire import DESIGN_PREFIX, WholeSegment

FIELD_TEXT_MOST = 80
INDEX_NAME_MOST = 60
READABLE_DDOC_PREFIX = "couchadmin-"
# On a cluster a new index reaches each node's _find in its own time: wait this long at most for it to be chosen.
INDEX_CHOSEN_WITHIN = 5.0
_NOT_WORD = re.compile(r"[^\w]+")
# Conditions on _id that the primary index answers by its key range alone.
_KEY_RANGE_OPERATORS = frozenset(("$eq", "$gt", "$gte", "$lt", "$lte"))


@dataclass(frozen=True)
class ExecutionStats:
    """What _find's execution_stats report (CouchDB 3 only)."""

    total_keys_examined: int
    total_docs_examined: int
    results_returned: int
    execution_time_ms: float

    KINDS: ClassVar[dict[str, type[int] | type[float]]] = {
        "total_keys_examined": int, "total_docs_examined": int, "results_returned": int, "execution_time_ms": float}


@dataclass(frozen=True)
class FindResult:
    docs: list[Json]
    bookmark: str | None
    warning: str = ""
    execution_stats: ExecutionStats | None = None
    next_bookmark: str | None = None


@dataclass(frozen=True)
class IndexInfo:
    ddoc: str | None
    name: str
    type: str
    fields: tuple[tuple[str, str], ...]
    partial_filter_selector: JsonObject | None = None

    @property
    def deletable(self) -> bool:
        return self.type != "special" and bool(self.ddoc)

    @property
    def partial_filter_text(self) -> str:
        return jsontext.preview(self.partial_filter_selector, FIELD_TEXT_MOST * 10)

    @property
    def ddoc_id(self) -> str | None:
        return (self.ddoc or "")[len(DESIGN_PREFIX):] if (self.ddoc or "").startswith(DESIGN_PREFIX) else self.ddoc


@dataclass(frozen=True)
class Explanation:
    index: IndexInfo
    full_scan: bool  # no index fits: CouchDB reads documents one by one until it has the page
    start_key: str | None = None  # JSON text
    end_key: str | None = None
    raw: JsonObject = field(default_factory=dict)
    documents: int | None = None  # for a full scan, how many it may read: the database's (or partition's) count

    def scans_more_than(self, most: int) -> bool:
        """Whether this is a full scan through more than `most` documents."""
        return self.full_scan and (self.documents or 0) > most

    def uses(self, ddoc: str, name: str) -> bool:
        return self.index.ddoc == ddoc and self.index.name == name


def find(client: CouchClient, db: str, query: Mapping[str, Json], bookmark: str | None = None,
         partition: str | None = None) -> FindResult:
    """POST /{db}/_find (or /{db}/_partition/{p}/_find) — one page; the next page is asked for with the
    answer's next_bookmark."""
    body = dict(query)
    if bookmark:
        body["bookmark"] = bookmark
    if partition:
        answer = client.flavour.in_partition("POST", db, partition, "_find", body=body)
    else:
        answer = client.flavour.find(db, body)
    docs = answer.get("docs", [])
    limit = int(body.get("limit", 25))
    next_bookmark = answer.get("bookmark") if len(docs) >= limit and docs else None
    return FindResult(docs=docs, bookmark=answer.get("bookmark"), warning=str(answer.get("warning") or ""),
                      execution_stats=_execution_stats(answer.get("execution_stats")), next_bookmark=next_bookmark)


def _execution_stats(raw: Json) -> ExecutionStats | None:
    if not isinstance(raw, dict):
        return None
    values: dict[str, Any] = {name: _number(raw.get(name), kind) for name, kind in ExecutionStats.KINDS.items()}
    return ExecutionStats(**values)


def _number(value: Json, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        return kind(0)


def explain(client: CouchClient, db: str, query: Mapping[str, Json], partition: str | None = None) -> Explanation:
    """POST /{db}/_explain (or /{db}/_partition/{p}/_explain) — which index CouchDB would use, over which key range."""
    body = {k: v for k, v in query.items() if k != "execution_stats"}
    if partition:
        answer = client.flavour.in_partition("POST", db, partition, "_explain", body=body)
    else:
        answer = client.flavour.explain(db, body)
    index = _index_info(answer.get("index") or {})
    span = answer.get("mrargs") or {}
    primary = index.type == "special" and index.name == "_all_docs"
    return Explanation(index=index, full_scan=primary and not _only_an_id_range(query.get("selector")),
                       start_key=_key_text(span, "start_key"), end_key=_key_text(span, "end_key"), raw=answer)


def _only_an_id_range(selector: Json) -> bool:
    """Whether a selector asks nothing but a range of _id ({} and {"_id": {"$gt": null}} included): the primary
    index then reads only the documents that match, a page of them, however big the database."""
    if not isinstance(selector, dict):
        return False
    return all(name == "_id" and (not isinstance(condition, dict) or condition.keys() <= _KEY_RANGE_OPERATORS)
               for name, condition in selector.items())


def with_scan_size(client: CouchClient, db: str, explanation: Explanation,
                   partition: str | None = None) -> Explanation:
    """For a full scan, GET /{db} (or /{db}/_partition/{p}): how many documents it may read."""
    if not explanation.full_scan:
        return explanation
    count = partition_info(client, db, partition).doc_count if partition else database_info(client, db).doc_count
    return replace(explanation, documents=count if isinstance(count, int) else None)


def explain_once_chosen(client: CouchClient, db: str, query: Mapping[str, Json], ddoc: str, name: str,
                        partition: str | None = None, within: float = INDEX_CHOSEN_WITHIN) -> Explanation:
    """POST /{db}/_explain again until CouchDB chooses the index `ddoc`/`name` just created, `within` seconds at
    most: on a cluster the node answering _find may not know it yet, and would scan every document instead.
    Answers the last explanation (a query whose use_index names another design document is not waited for)."""
    deadline, pause = time.monotonic() + within, 0.05
    wanted = query.get("use_index")
    waits = not wanted or ddoc in (wanted if isinstance(wanted, list) else [wanted])
    while True:
        explanation = explain(client, db, query, partition=partition)
        if explanation.uses(ddoc, name) or not waits or time.monotonic() + pause > deadline:
            return explanation
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _key_text(span: JsonObject, name: str) -> str | None:
    return jsontext.dumps(span[name]) if span.get(name) is not None else None


def _index_info(raw: Json) -> IndexInfo:
    raw = raw if isinstance(raw, dict) else {}
    definition: JsonObject = raw["def"] if isinstance(raw.get("def"), dict) else {}
    listed = definition.get("fields")
    fields = tuple(_field_spec(f) for f in (listed if isinstance(listed, list) else ()))
    return IndexInfo(ddoc=raw.get("ddoc"), name=str(raw.get("name", "")), type=str(raw.get("type", "")),
                     fields=fields, partial_filter_selector=definition.get("partial_filter_selector"))


def _field_spec(spec: Json) -> tuple[str, str]:
    """(field, direction) for `"field"` or `{"field": "asc"}`; anything else (a member may write any index
    definition into a design document) shown as JSON text."""
    if isinstance(spec, dict) and len(spec) == 1:
        (name, direction), = spec.items()
        return (name, direction if isinstance(direction, str) else jsontext.preview(direction, FIELD_TEXT_MOST))
    if isinstance(spec, str):
        return (spec, "asc")
    return (jsontext.preview(spec, FIELD_TEXT_MOST), "")


def list_indexes(client: CouchClient, db: str) -> list[IndexInfo]:
    """GET /{db}/_index."""
    return [_index_info(raw) for raw in client.get_exact(db, "_index").get("indexes", [])]


def create_index(client: CouchClient, db: str, fields: Iterable[tuple[str, str]], name: str | None = None,
                 ddoc: str | None = None, partial_filter_selector: JsonObject | None = None,
                 index_type: str = "json") -> Json:
    """POST /{db}/_index — fields as (name, "asc"|"desc") pairs; answers CouchDB's result."""
    index: JsonObject = {"fields": [{f: d} for f, d in fields]}
    if partial_filter_selector:
        index["partial_filter_selector"] = partial_filter_selector
    body: JsonObject = {"index": index, "type": index_type}
    if name:
        body["name"] = name
    if ddoc:
        body["ddoc"] = ddoc
    return client.send_exact("POST", db, "_index", body=body)


def delete_index(client: CouchClient, db: str, ddoc: str, index_type: str, name: str) -> None:
    """DELETE /{db}/_index/_design%2F{ddoc}/{type}/{name} (the one form both servers accept)."""
    ddoc_id = ddoc if ddoc.startswith(DESIGN_PREFIX) else DESIGN_PREFIX + ddoc
    client.delete_json(db, "_index", WholeSegment(ddoc_id), index_type, name)


def readable_index_name(fields: Iterable[tuple[str, str]]) -> str:
    """`by-price-desc-name` for [("price", "desc"), ("name", "asc")]: word characters kept, at most 60 long."""
    words = []
    for name, direction in fields:
        word = _NOT_WORD.sub("-", str(name)).strip("-_") or "field"
        words.append(word if direction == "asc" else f"{word}-desc")
    return ("by-" + "-".join(words))[:INDEX_NAME_MOST].rstrip("-_")


def create_readable_index(client: CouchClient, db: str, fields: Iterable[tuple[str, str]]) -> Json:
    """POST /{db}/_index — an index on `fields` named by-<field>-… in the design document couchadmin-by-…;
    CouchDB would silently replace a different index of that name there, so such a name gets -2, -3, …"""
    fields = list(fields)
    base = readable_index_name(fields)
    wanted = tuple((f, d) for f, d in fields)
    taken = {i.name: i.fields for i in list_indexes(client, db)
             if i.ddoc == f"{DESIGN_PREFIX}{READABLE_DDOC_PREFIX}{i.name}"}
    name, number = base, 1
    while name in taken and taken[name] != wanted:
        number += 1
        name = f"{base}-{number}"
    return create_index(client, db, fields, name=name, ddoc=READABLE_DDOC_PREFIX + name)


def suggested_index_fields(query: Mapping[str, Json]) -> list[tuple[str, str]]:
    """Fields for an index that would serve this query: the sort fields, then the selector's fields."""
    fields: list[tuple[str, str]] = []
    for spec in query.get("sort") or ():
        fields.append(_field_spec(spec) if isinstance(spec, dict) else (str(spec), "asc"))
    direction = fields[0][1] if fields else "asc"
    for name in (query.get("selector") or {}):
        if not name.startswith("$") and name not in (f for f, _ in fields):
            fields.append((name, direction))
    return fields


# --- design documents and views ---

REDUCE_BUILTINS = ("_count", "_sum", "_stats", "_approx_count_distinct")


def list_design_documents(client: CouchClient, db: str) -> list[str]:
    """GET /{db}/_design_docs — ids of the design documents."""
    return [row["id"] for row in client.flavour.design_doc_rows(db) if "id" in row]


def view_names(ddoc: JsonObject) -> list[str]:
    return sorted((ddoc.get("views") or {}).keys())


def is_empty_design(ddoc: JsonObject) -> bool:
    """Whether a design document holds nothing at all: no views, validation, filters, shows, options..."""
    return not ddoc.get("views") and all(k in ("_id", "_rev", "language", "views") for k in ddoc)


def query_view(client: CouchClient, db: str, ddoc_id: str, view: str, params: Mapping[str, Any],
               partition: str | None = None) -> Json:
    """GET /{db}/_design/{ddoc}/_view/{view} (or /{db}/_partition/{p}/_design/...) — params already in
    CouchDB's form (JSON keys encoded)."""
    if partition:
        return client.flavour.in_partition("GET", db, partition, DESIGN_PREFIX + ddoc_id, "_view", view,
                                           params=params)
    return client.flavour.view(db, ddoc_id, view, params)


def view_info(client: CouchClient, db: str, ddoc_id: str) -> Json:
    """GET /{db}/_design/{ddoc}/_info — index sizes, update sequence, whether the updater runs."""
    try:
        return client.flavour.design_info(db, ddoc_id)
    except NotFound:
        return None
