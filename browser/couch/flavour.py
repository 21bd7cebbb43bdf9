"""The one seam where pouchdb-server differs from Apache CouchDB 3, chosen once per server.

The concept modules ask `client.flavour` (this module's class, bound to that client) for every answer that
differs between servers, and read its capability flags (`has_…`) for what a server lacks. CouchDB3 sends
the plain request; PouchDBServer answers in CouchDB 3's shape, so every other module reads as plain
CouchDB 3. Dropping pouchdb-server means deleting PouchDBServer and one line of `detect`.

Below the concept modules: of browser/couch this imports only the client (for its types), the modules the
client itself stands on (errors, jsontext) and wire. The client imports this module to hold its flavour.
"""

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args
from urllib.parse import quote

from browser.couch import jsontext
from browser.couch.errors import BadRequest, Conflict, CouchError, Forbidden, NotFound, error_for
from browser.couch.jsontext import Json, JsonObject
from browser.couch.wire import DESIGN_PREFIX, ID_END, WholeSegment

if TYPE_CHECKING:
    from browser.couch.changes import ChangeFilter
    from browser.couch.client import CouchClient, Timeout

Params = Mapping[str, Any]

SKIP_BOOKMARK_PREFIX = "skip:"
# How pouchdb-server's security layer fails where CouchDB 3 refuses.
REFUSED_BY_CRASH = "(reading 'getSecurity')"
CONFLICTS_PAGE = 100
# pouchdb-server finds no conflicts with Mango: its scan reads this many documents a request.
CONFLICTS_SCAN_BATCH = 1000
# pouchdb-server cannot filter its changes feed: the rows of an id prefix, or the deletions, are picked out
# here, reading at most this many rows for one page, so many a request.
SCAN_MOST = 10_000
SCAN_BATCH = 1_000


class ServerLacks(Exception):
    """This server cannot do what was asked (the message says what it lacks)."""


@dataclass
class ConflictScan:
    ids: list[str] = field(default_factory=list)
    next_start: str | None = None
    scanned: int | None = 0  # None: CouchDB searched (Mango) rather than the dashboard reading every document


# What a server may lack: the names of the flavour's capability flags, each named after what it means.
Capability = Literal["has_purge", "has_revision_limits", "has_reshard", "has_cluster_nodes", "has_db_updates",
                     "reports_active_tasks", "runs_replications", "edits_node_config", "filters_changes",
                     "lists_local_documents", "has_shards", "has_partitions", "answers_multipart_puts"]
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)


class CouchDB3:
    """Apache CouchDB 3: every answer is the server's own."""

    name = "Apache CouchDB"

    # Capabilities: CouchDB 3 has every one. A flavour lacking one sets it False and says so in LACKING.
    has_purge = True  # POST /{db}/_purge
    has_revision_limits = True  # /{db}/_revs_limit and /{db}/_purged_infos_limit
    has_reshard = True  # /_reshard
    has_cluster_nodes = True  # /_membership, /_node/{node}/_system, _stats and _versions
    has_db_updates = True  # /_db_updates (kept in the _global_changes database)
    reports_active_tasks = True  # /_active_tasks lists index builds, compactions and replications
    runs_replications = True  # /_scheduler, credentials in `auth`, failing replications survived
    edits_node_config = True  # /_node/{node}/_config, for server admins only
    filters_changes = True  # _changes with filter=_selector or a design filter
    lists_local_documents = True  # /{db}/_local_docs
    has_shards = True  # /{db}/_shards, q and n
    has_partitions = True  # /{db}/_partition/{p}/...
    answers_multipart_puts = True  # a PUT of a document and its attachment as multipart/related
    LACKING: Mapping[Capability, str] = {}

    def __init__(self, client: "CouchClient") -> None:
        self.client = client

    def lacking(self, capability: Capability) -> str:
        """One sentence naming what this server lacks, when it lacks `capability`; "" when it has it."""
        return "" if getattr(self, capability) else self.LACKING[capability]

    @staticmethod
    def error_for(status: int, body: Json, method: str = "", path: str = "") -> CouchError:
        """The typed error for an answer's status and its (parsed JSON or text) body."""
        return error_for(status, body, method, path)

    def up(self) -> bool:
        """GET /_up."""
        return bool(self.client.get_json("_up").get("status") == "ok")

    def all_dbs(self, params: Params) -> list[str]:
        """GET /_all_dbs with start_key, end_key, descending and limit."""
        names: list[str] = self.client.get_json("_all_dbs", params=params)
        return names

    def dbs_info(self, names: Sequence[str]) -> list[JsonObject]:
        """POST /_dbs_info — [{"key": name, "info": {...}} or {"key": name, "error": ...}]."""
        rows: list[JsonObject] = self.client.post_json("_dbs_info", body={"keys": list(names)})
        return rows

    def after_create_database(self, name: str) -> str:
        """What to do after PUT /{db}; answers the name the server kept."""
        return name

    def create_document(self, db: str, docid: str, body: JsonObject) -> Json:
        """PUT /{db}/{docid} of a new document: Conflict (409) when the id is taken."""
        return self.client.send_exact("PUT", db, docid, body=body)

    def find(self, db: str, body: JsonObject) -> Json:
        """POST /{db}/_find."""
        return self.client.send_exact("POST", db, "_find", body=body)

    def explain(self, db: str, body: JsonObject) -> Json:
        """POST /{db}/_explain."""
        return self.client.send_exact("POST", db, "_explain", body=body)

    def bulk_get(self, db: str, pairs: Sequence[tuple[str, str]], revs: bool = False,
                 attachments: bool = False) -> list[Json]:
        """POST /{db}/_bulk_get — the documents at (id, rev) pairs, in CouchDB's `results` shape:
        [{"id": ..., "docs": [{"ok": doc} or {"error": {...}}]}, ...]."""
        params = {"revs": "true" if revs else None, "attachments": "true" if attachments else None}
        body = {"docs": [{"id": docid, "rev": rev} for docid, rev in pairs]}
        answer = self.client.send_exact("POST", db, "_bulk_get", body=body, params=params)
        results: list[Json] = answer["results"] if isinstance(answer, dict) and isinstance(answer.get("results"),
                                                                                            list) else []
        return results

    def bulk_docs(self, db: str, docs: Sequence[JsonObject], new_edits: bool = True) -> list[Json]:
        """POST /{db}/_bulk_docs — one outcome a document, in the order sent (new_edits=false: the failures only)."""
        body = {"docs": list(docs), **({} if new_edits else {"new_edits": False})}
        answer = self.client.send_exact("POST", db, "_bulk_docs", body=body)
        return answer if isinstance(answer, list) else []

    def design_doc_rows(self, db: str) -> list[Json]:
        """GET /{db}/_design_docs — its rows."""
        rows: list[Json] = self.client.get_json(db, "_design_docs").get("rows", [])
        return rows

    def view(self, db: str, ddoc_id: str, view: str, params: Params) -> Json:
        """GET /{db}/_design/{ddoc}/_view/{view}."""
        return self.client.get_exact(db, DESIGN_PREFIX + ddoc_id, "_view", view, params=params)

    def design_info(self, db: str, ddoc_id: str) -> Json:
        """GET /{db}/_design/{ddoc}/_info."""
        return self.client.get_json(db, DESIGN_PREFIX + ddoc_id, "_info")

    def copy_document(self, db: str, docid: str, destination: str) -> None:
        """COPY /{db}/{docid} with a percent-encoded Destination."""
        self.client.request("COPY", db, docid, headers={"Destination": quote(destination, safe="")}).close()

    def current_rev(self, db: str, docid: str) -> str:
        """HEAD /{db}/{docid} — the ETag is the quoted rev."""
        response = self.client.request("HEAD", db, docid)
        response.close()
        return (response.headers.get("ETag") or "").strip('"')

    def admins_config(self) -> Json:
        """GET /_node/_local/_config/admins."""
        return self.client.get_json("_node", "_local", "_config", "admins")

    def node_config(self, node: str, timeout: "Timeout | None") -> Json:
        """GET /_node/{node}/_config — every section of one node's configuration."""
        return self.client.request("GET", "_node", node, "_config", timeout=timeout).json()

    def conflicted_documents(self, db: str, bookmark: str | None,
                             limit: int = CONFLICTS_PAGE) -> ConflictScan:
        """POST /{db}/_find for documents with _conflicts: CouchDB searches, one page per request."""
        body = {"selector": {"_conflicts": {"$exists": True}}, "conflicts": True, "fields": ["_id", "_conflicts"],
                "limit": limit, **({"bookmark": bookmark} if bookmark else {})}
        answer = self.client.send_exact("POST", db, "_find", body=body)
        docs = [d for d in answer.get("docs") or [] if isinstance(d, dict) and "_id" in d]
        more = len(docs) == limit and answer.get("bookmark")
        return ConflictScan(ids=[d["_id"] for d in docs], next_start=more or None, scanned=None)

    def scan_conflicts(self, db: str, start: str | None = None, batch: int = CONFLICTS_SCAN_BATCH) -> ConflictScan:
        """GET /{db}/_all_docs?conflicts=true — one batch of a scan for conflicted documents, read here."""
        params = {"include_docs": True, "conflicts": True, "limit": batch + 1,
                  "startkey": json.dumps(start, ensure_ascii=False) if start else None}
        rows = [r for r in self.client.get_exact(db, "_all_docs", params=params).get("rows", []) if "id" in r]
        scan = ConflictScan(scanned=min(len(rows), batch))
        scan.ids = [r["id"] for r in rows[:batch] if (r.get("doc") or {}).get("_conflicts")]
        scan.next_start = rows[batch]["id"] if len(rows) > batch else None
        return scan

    def database_info(self, db: str) -> JsonObject:
        """GET /{db} — its counts, sizes and sequence (`update_seq`, text)."""
        info: JsonObject = self.client.get_json(db)
        return info

    def changes(self, db: str, params: Params, change_filter: "ChangeFilter") -> Json:
        """GET /{db}/_changes (the normal feed), or POST with filter=_selector for an id prefix, deletions or
        a selector. Sequences are text."""
        selector = change_filter.selector_for_server()
        if selector is not None:
            return self.client.send_exact("POST", db, "_changes", params={**params, "filter": "_selector"},
                                          body={"selector": selector})
        if change_filter.design_filter:
            params = {**params, "filter": change_filter.design_filter}
        return self._feed(db, params)

    def _feed(self, db: str, params: Params) -> JsonObject:
        answer: JsonObject = self.client.get_json(db, "_changes", params=params)
        return answer

    def design_doc_rows_with_docs(self, db: str) -> list[Json]:
        """GET /{db}/_design_docs?include_docs=true — its rows."""
        rows: list[Json] = self.client.get_json(db, "_design_docs", params={"include_docs": "true"}).get("rows", [])
        return rows

    # Shards and partitions (issue 14).
    def shards(self, db: str, *docid: str) -> Json:
        """GET /{db}/_shards, or /{db}/_shards/{docid} (the id wholly encoded: "_design/x" unencoded is a 500)."""
        return self.client.get_json(db, "_shards", *(WholeSegment(d) for d in docid))

    def in_partition(self, method: str, db: str, partition: str, *rest: object,
                     body: Json = None, params: Params | None = None) -> Json:
        """/{db}/_partition/{p}/... — the partition's info, _all_docs, _find, _explain and views."""
        segments = (db, "_partition", WholeSegment(partition), *rest)
        if body is None:
            return self.client.get_exact(*segments, params=params)
        return self.client.send_exact(method, *segments, body=body, params=params)


class PouchDBServer(CouchDB3):
    """pouchdb-server 4.2 (the embedded server for `make run` and the tests), made to answer like CouchDB 3."""

    name = "pouchdb-server"

    has_purge = False
    has_revision_limits = False
    has_reshard = False
    has_cluster_nodes = False
    has_db_updates = False
    reports_active_tasks = False  # its _active_tasks always answers []
    # No _scheduler, auth objects fail, and a failing replication kills the server (for good, when it is a
    # _replicator document): the dashboard starts none there.
    runs_replications = False
    # Its /_node path answers anyone, unauthenticated, so the dashboard never sends it there; its one
    # configuration lives at /_config and is shown read-only (it is a development stand-in).
    edits_node_config = False
    # Dies of _changes with filter=_selector or a design filter: offers neither; matches id prefixes and
    # deletions here (see changes).
    filters_changes = False
    lists_local_documents = False
    # No _shards, no partitions, no q or n: the pages say so and never ask (see CouchDB3).
    has_shards = False
    has_partitions = False
    # A multipart/related PUT closes its connection unanswered: attachments go inline, in memory.
    answers_multipart_puts = False
    LACKING: Mapping[Capability, str] = {
        "has_purge": "pouchdb-server cannot purge documents: it has no _purge, only deletion, which leaves a "
                     "tombstone.",
        "has_revision_limits": "pouchdb-server has neither _revs_limit nor _purged_infos_limit: a database's "
                               "revision limits cannot be read or set there.",
        "has_reshard": "pouchdb-server keeps each database in one file: it has no shards and no resharding "
                       "(_reshard).",
        "has_cluster_nodes": "pouchdb-server has no cluster to show: it lacks _membership and each node's _system, "
                             "_stats and _versions.",
        "has_db_updates": "pouchdb-server has no server-wide feed of database updates (_db_updates).",
        "reports_active_tasks": "pouchdb-server reports no tasks: its _active_tasks always answers an empty list.",
        "runs_replications": "pouchdb-server cannot run replications through the dashboard: it has no replication "
                             "scheduler (_scheduler), refuses credentials in a replication's auth object, and a "
                             "failing replication stops the whole server.",
        "edits_node_config": "pouchdb-server answers anyone on its configuration path: the dashboard shows its "
                             "configuration read-only and changes nothing there.",
        "filters_changes": "pouchdb-server cannot filter the changes feed by a selector or a design filter (such a "
                           "request stops it).",
        "lists_local_documents": "pouchdb-server cannot list local documents (it has no _local_docs).",
        "has_shards": "pouchdb-server keeps each database in one file: it has no shards or replicas (q, n).",
        "has_partitions": "pouchdb-server keeps each database in one file: it has no partitions.",
        "answers_multipart_puts": "pouchdb-server leaves a multipart/related PUT unanswered.",
    }

    @staticmethod
    def error_for(status: int, body: Json, method: str = "", path: str = "") -> CouchError:
        if isinstance(body, dict) and "reason" not in body and "message" in body:
            # Its Mango errors say `message` where CouchDB says `reason`.
            body = {**body, "reason": body["message"]}
        if isinstance(body, dict) and REFUSED_BY_CRASH in str(body.get("reason")):
            # Refuses a non-admin's read of _users (a document not theirs, or the list) by failing in its
            # security layer, with a 400 or a 500: CouchDB 3 answers such a read with a refusal.
            return Forbidden(403, "forbidden", "pouchdb-server lets only server admins read other users.",
                             method, path)
        return error_for(status, body, method, path)

    def up(self) -> bool:
        # No /_up: a welcome from GET / is the best sign there is.
        self.client.get_json()
        return True

    def all_dbs(self, params: Params) -> list[str]:
        # Ignores limit, start_key, end_key and descending, and answers in no set order: range it here.
        names = sorted(self.client.get_json("_all_dbs"))
        descending = params.get("descending") is True
        if descending:
            names.reverse()
        start, end = _json_param(params, "start_key"), _json_param(params, "end_key")
        before_start: Callable[[str], bool] = (lambda n: n > start) if descending else (lambda n: n < start)
        past_end: Callable[[str], bool] = (lambda n: n < end) if descending else (lambda n: n > end)
        names = [n for n in names if not (start is not None and before_start(n))
                 and not (end is not None and past_end(n))]
        return names[:params["limit"]] if "limit" in params else names

    def dbs_info(self, names: Sequence[str]) -> list[JsonObject]:
        # No _dbs_info: GET /{db} for each, a few at once (one after another, 20 took ~115 ms).
        return self.client.read_each(lambda name: _db_info_row(self.client, name), names)

    def after_create_database(self, name: str) -> str:
        # Strips "/" from names ("team/orders" becomes "teamorders") and makes new databases public:
        # read back the name it kept, and give the database CouchDB 3's default security.
        kept = str(self.client.get_json(name).get("db_name") or name) if "/" in name else name
        self.client.put_json(kept, "_security", body=COUCHDB_DEFAULT_SECURITY)
        return kept

    def create_document(self, db: str, docid: str, body: JsonObject) -> Json:
        # pouchdb-server runs validate_doc_update before it looks for a conflict: a taken id meets the
        # validation's refusal of changes (403) where CouchDB answers 409.
        try:
            return super().create_document(db, docid, body)
        except Forbidden as refusal:
            try:
                self.current_rev(db, docid)
            except NotFound:
                raise refusal from None
            raise Conflict(409, "conflict", "Document update conflict.") from None

    def find(self, db: str, body: JsonObject) -> Json:
        # No bookmarks: page by skip, carried in a bookmark of our own.
        bookmark = body.get("bookmark")
        if bookmark is not None:
            body = {k: v for k, v in body.items() if k != "bookmark"}
            body["skip"] = _skip_of(bookmark)
        with _sort_refusal_as_couchdb():
            answer = super().find(db, _sort_fields_selected(body))
        answer["bookmark"] = f"{SKIP_BOOKMARK_PREFIX}{int(body.get('skip', 0)) + len(answer.get('docs') or [])}"
        return answer

    def explain(self, db: str, body: JsonObject) -> Json:
        # Reports the key range as "range" where CouchDB says "mrargs".
        with _sort_refusal_as_couchdb():
            answer = super().explain(db, _sort_fields_selected(body))
        if "mrargs" not in answer and isinstance(answer.get("range"), dict):
            answer["mrargs"] = answer["range"]
        return answer

    def bulk_docs(self, db: str, docs: Sequence[JsonObject], new_edits: bool = True) -> list[Json]:
        # Answers in no set order: put the outcomes back in the order sent, by id, where every document has an id
        # (ids the server made up cannot be matched).
        outcomes = super().bulk_docs(db, docs, new_edits)
        if len(outcomes) != len(docs) or not all(isinstance(doc.get("_id"), str) for doc in docs):
            return outcomes
        places: dict[Json, list[int]] = {}
        for place, doc in enumerate(docs):
            places.setdefault(doc["_id"], []).append(place)
        ordered: list[Json] = [None] * len(docs)
        unmatched = []
        for outcome in outcomes:
            waiting = places.get(outcome.get("id")) if isinstance(outcome, dict) else None
            if waiting:
                ordered[waiting.pop(0)] = outcome
            else:
                unmatched.append(outcome)
        return [outcome if outcome is not None else unmatched.pop(0) for outcome in ordered]

    def design_doc_rows(self, db: str) -> list[Json]:
        # No _design_docs: design ids are one contiguous range of _all_docs.
        params = {"startkey": json.dumps(DESIGN_PREFIX), "endkey": json.dumps(DESIGN_PREFIX + ID_END)}
        rows: list[Json] = self.client.get_json(db, "_all_docs", params=params).get("rows", [])
        return rows

    def view(self, db: str, ddoc_id: str, view: str, params: Params) -> Json:
        if not (params.get("startkey_docid") and "startkey" in params):
            return super().view(db, ddoc_id, view, params)
        return self._view_from_docid(db, ddoc_id, view, params)

    def _view_from_docid(self, db: str, ddoc_id: str, view: str, params: Params) -> Json:
        # Ignores startkey_docid: start at startkey and drop the rows of that key that sort before the
        # document id, asking for more rows while a key has more of them than one page.
        wanted = int(params["limit"])
        base = {k: v for k, v in params.items() if k != "startkey_docid"}
        docid, descending = params["startkey_docid"], params.get("descending") == "true"
        extra = 0
        while True:
            answer = super().view(db, ddoc_id, view, {**base, "limit": wanted + extra})
            rows = answer.get("rows", [])
            drop = 0
            for row in rows:
                same_key = jsontext.dumps(row.get("key")) == params["startkey"]
                before = row.get("id", "") > docid if descending else row.get("id", "") < docid
                if not (same_key and before):
                    break
                drop += 1
            if len(rows) - drop >= wanted or len(rows) < wanted + extra:
                return {**answer, "rows": rows[drop:drop + wanted]}
            extra = drop + wanted

    def design_info(self, db: str, ddoc_id: str) -> Json:
        # No _design/{ddoc}/_info.
        raise NotFound(404, "not_found", "pouchdb-server has no _info", "GET", f"/{db}/_design/{ddoc_id}/_info")

    def bulk_get(self, db: str, pairs: Sequence[tuple[str, str]], revs: bool = False,
                 attachments: bool = False) -> list[Json]:
        # Its _bulk_get ignores _security (anyone reads any document): read each document's revisions with
        # GET /{db}/{docid}?open_revs=[...], which honours it, and answer in _bulk_get's shape.
        wanted: dict[str, list[str]] = {}
        for docid, rev in pairs:
            wanted.setdefault(docid, []).append(rev)
        found: dict[tuple[str, Json], JsonObject] = {}
        for docid, revs_of in wanted.items():
            params = {"open_revs": json.dumps(revs_of), "revs": "true" if revs else None,
                      "attachments": "true" if attachments else None}
            try:
                answer = self.client.get_exact(db, docid, params=params)
            except NotFound:
                answer = []
            for item in answer if isinstance(answer, list) else ():
                doc = item.get("ok") if isinstance(item, dict) else None
                if isinstance(doc, dict):
                    found[(docid, doc.get("_rev"))] = doc
        missing = {"error": "not_found", "reason": "missing"}
        return [{"id": docid, "docs": [{"ok": found[(docid, rev)]} if (docid, rev) in found
                                       else {"error": {**missing, "id": docid, "rev": rev}}]} for docid, rev in pairs]

    def copy_document(self, db: str, docid: str, destination: str) -> None:
        # Does not percent-decode COPY's Destination ("a%2Fb" stays "a%2Fb"): copy by reading the
        # source (attachments inline) and writing it under the new id.
        source = self.client.get_exact(db, docid, params={"attachments": True})
        body = {k: v for k, v in source.items() if k not in ("_id", "_rev")}
        self.client.send_exact("PUT", db, destination, body={**body, "_id": destination})

    def current_rev(self, db: str, docid: str) -> str:
        # The document ETag is a hash of the body, not the rev: read the document.
        return str(self.client.get_json(db, docid)["_rev"])

    def admins_config(self) -> Json:
        # No /_node/_local; its configuration lives at /_config.
        return self.client.get_json("_config", "admins")

    def node_config(self, node: str, timeout: "Timeout | None") -> Json:
        return self.client.request("GET", "_config", timeout=timeout).json()

    def database_info(self, db: str) -> JsonObject:
        # Counts update_seq with a number.
        info = super().database_info(db)
        return {**info, "update_seq": _seq_text(info.get("update_seq", 0))}

    def changes(self, db: str, params: Params, change_filter: "ChangeFilter") -> Json:
        if change_filter.selector is not None or change_filter.design_filter:
            raise ServerLacks(self.lacking("filters_changes"))
        if change_filter.id_prefix or change_filter.deleted_only:
            return self._changes_matching(db, params, change_filter)
        return self._feed(db, params)

    def _feed(self, db: str, params: Params) -> JsonObject:
        # Counts sequences with numbers: answered as text, as CouchDB 3's opaque strings.
        answer = super()._feed(db, params)
        results = answer.get("results")
        rows = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
        shown = [{**r, "seq": _seq_text(r["seq"])} if "seq" in r else r for r in rows]
        return {**answer, "results": shown, "last_seq": _seq_text(answer.get("last_seq", params.get("since", 0)))}

    def _changes_matching(self, db: str, params: Params, change_filter: "ChangeFilter") -> JsonObject:
        # Reads the unfiltered feed, at most SCAN_MOST rows, and keeps the rows of the id prefix (deletions only
        # when asked). Newest first: a growing number of the newest rows, until enough match.
        wanted = int(params["limit"])

        def matches(row: JsonObject) -> bool:
            return (str(row.get("id", "")).startswith(change_filter.id_prefix)
                    and (row.get("deleted") is True or not change_filter.deleted_only))

        if params.get("descending"):
            read = min(wanted * 8, SCAN_MOST)
            while True:
                answer = self._feed(db, {**params, "limit": read})
                rows = [r for r in answer["results"] if matches(r)]
                if len(rows) >= wanted or len(answer["results"]) < read or read >= SCAN_MOST:
                    return {**answer, "results": rows[:wanted]}
                read = min(read * 4, SCAN_MOST)
        # Oldest first: batches from `since`. Stopped by SCAN_MOST, `pending` says the feed goes on.
        found: list[JsonObject] = []
        since, read = _seq_text(params.get("since", 0)), 0
        while read < SCAN_MOST:
            batch = self._feed(db, {**params, "since": since, "limit": SCAN_BATCH})["results"]
            for row in batch:
                read, since = read + 1, str(row.get("seq", since))
                if matches(row):
                    found.append(row)
                    if len(found) == wanted:
                        return {"results": found, "last_seq": since}
            if len(batch) < SCAN_BATCH:
                return {"results": found, "last_seq": since, "pending": 0}
        return {"results": found, "last_seq": since, "pending": 1}

    def conflicted_documents(self, db: str, start: str | None,
                             limit: int = CONFLICTS_PAGE) -> ConflictScan:
        # Its Mango knows no "conflicts" option: read _all_docs a batch at a time instead.
        return self.scan_conflicts(db, start=start)

    def design_doc_rows_with_docs(self, db: str) -> list[Json]:
        # Design filters are not offered here (see changes).
        return []

    def shards(self, db: str, *docid: str) -> Json:
        raise ServerLacks(self.lacking("has_shards"))

    def in_partition(self, method: str, db: str, partition: str, *rest: object,
                     body: Json = None, params: Params | None = None) -> Json:
        raise ServerLacks(self.lacking("has_partitions"))


# CouchDB 3 gives every new database to server admins only.
COUCHDB_DEFAULT_SECURITY = {"members": {"roles": ["_admin"]}, "admins": {"roles": ["_admin"]}}


def _json_param(params: Params, name: str) -> Json:
    return json.loads(params[name]) if name in params else None


def _sort_fields_selected(body: JsonObject) -> JsonObject:
    """CouchDB 3.5 serves a sort from an index on the sort fields by itself; pouchdb-server uses such an index
    only when the selector names the sort fields, so they are added as `$exists`, which the index implies."""
    sort: list[Json] = body["sort"] if isinstance(body.get("sort"), list) else []
    selector: JsonObject = body["selector"] if isinstance(body.get("selector"), dict) else {}
    named = [next(iter(s)) if isinstance(s, dict) and s else s for s in sort]
    missing = [f for f in named if isinstance(f, str) and f not in selector]
    if not missing:
        return body
    clauses = [selector] if selector else []
    return {**body, "selector": {"$and": clauses + [{f: {"$exists": True}} for f in missing]}}


@contextmanager
def _sort_refusal_as_couchdb() -> Iterator[None]:
    """pouchdb-server refuses a sort no index serves as bad_request "Cannot sort on field(s) …"; CouchDB 3
    says no_usable_index."""
    try:
        yield
    except BadRequest as exc:
        if str(exc.reason).startswith("Cannot sort on field"):
            raise BadRequest(400, "no_usable_index", exc.reason, exc.method, exc.path) from exc
        raise


def _seq_text(seq: Json) -> str:
    return seq if isinstance(seq, str) else jsontext.dumps(seq)


def _skip_of(bookmark: Json) -> int:
    text = str(bookmark)
    number = text[len(SKIP_BOOKMARK_PREFIX):] if text.startswith(SKIP_BOOKMARK_PREFIX) else ""
    if not number.isascii() or not number.isdigit():
        raise BadRequest(400, "invalid_bookmark", f"Invalid bookmark value: {text}", "POST", "/_find")
    return int(number)


def greets_as_apache_couchdb(greeting: Json) -> bool:
    """Whether GET /'s answer is Apache CouchDB's: it greets with "couchdb"; pouchdb-server with "express-pouchdb"."""
    return isinstance(greeting, dict) and "couchdb" in greeting


def detect(client: "CouchClient") -> type[CouchDB3]:
    """GET / — the flavour of the server behind this client (asks the server every time)."""
    return CouchDB3 if greets_as_apache_couchdb(client.get_json()) else PouchDBServer


_lock = threading.Lock()
_by_url: dict[str, type[CouchDB3]] = {}


def flavour_for(client: "CouchClient") -> CouchDB3:
    """The flavour of the server at client.base_url (asked once per process and URL), bound to this client."""
    with _lock:
        known = _by_url.get(client.base_url)
    if known is None:
        known = detect(client)
        with _lock:
            _by_url[client.base_url] = known
    return known(client)


def _db_info_row(client: "CouchClient", name: str) -> JsonObject:
    try:
        return {"key": name, "info": client.get_json(name)}
    except CouchError as exc:
        return {"key": name, "error": exc.error or exc.message}
