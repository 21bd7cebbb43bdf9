"""Databases: _all_dbs paging, _dbs_info, create, info, exists, delete."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from browser.couch.client import CouchClient, json_param
from browser.couch.errors import NotFound
from browser.couch.jsontext import JsonObject

DATABASE_NAME_RE = re.compile(r"^[a-z][a-z0-9_$()+/-]*$")
DATABASE_NAME_MAX = 238
SYSTEM_DATABASES = ("_users", "_replicator", "_global_changes")
PREFIX_END = "\ufff0"


def database_name_problem(name: str) -> str | None:
    """Why CouchDB would refuse this name, in words; None when it is acceptable."""
    if name in SYSTEM_DATABASES:
        return None
    if not name:
        return "Enter a database name."
    if len(name) > DATABASE_NAME_MAX:
        return f"A database name has at most {DATABASE_NAME_MAX} characters."
    if not name[0].islower() or not name[0].isascii():
        return "A database name must start with a lowercase letter (a–z)."
    if not DATABASE_NAME_RE.match(name):
        return ("A database name may contain only lowercase letters (a–z), digits (0–9) "
                "and the characters _ $ ( ) + - /.")
    return None


@dataclass(frozen=True)
class DatabasePage:
    names: tuple[str, ...]
    next_start: str | None
    prev_before: str | None


@dataclass(frozen=True)
class DatabaseSummary:
    name: str
    doc_count: int | None = None
    doc_del_count: int | None = None
    active_size: int | None = None
    external_size: int | None = None
    file_size: int | None = None
    partitioned: bool = False
    shards_q: int | None = None
    replicas_n: int | None = None
    problem: str = ""

    @property
    def deleted_outnumber_live(self) -> bool:
        return (self.doc_del_count or 0) > (self.doc_count or 0)


def list_databases(client: CouchClient, prefix: str = "", start: str | None = None, before: str | None = None,
                   limit: int = 20) -> DatabasePage:
    """GET /_all_dbs — one page of names, paged by key (never the whole list for one page)."""
    if before is not None:
        return _page_before(client, prefix, before, limit)
    params: dict[str, Any] = {"limit": limit + 1}
    if start or prefix:
        params["start_key"] = json_param(max(start or "", prefix))
    if prefix:
        params["end_key"] = json_param(prefix + PREFIX_END)
    names = client.flavour.all_dbs(params)
    return DatabasePage(
        names=tuple(names[:limit]),
        next_start=names[limit] if len(names) > limit else None,
        prev_before=names[0] if start and names else None,
    )


def count_databases(client: CouchClient) -> int:
    """GET /_all_dbs — how many databases there are (the whole list, for its length: one request)."""
    return len(client.flavour.all_dbs({}))


def _page_before(client: CouchClient, prefix: str, before: str, limit: int) -> DatabasePage:
    params: dict[str, Any] = {"descending": True, "start_key": json_param(before), "limit": limit + 2}
    if prefix:
        params["end_key"] = json_param(prefix)
    names = [n for n in reversed(client.flavour.all_dbs(params)) if n != before]
    if not names:
        return list_databases(client, prefix=prefix, limit=limit)
    shown = names[-limit:]
    return DatabasePage(
        names=tuple(shown),
        next_start=before,
        prev_before=shown[0] if len(names) > limit else None,
    )


def database_summaries(client: CouchClient, names: Sequence[str]) -> list[DatabaseSummary]:
    """POST /_dbs_info — details for a page of databases in one request."""
    if not names:
        return []
    rows = client.flavour.dbs_info(names)
    by_name = {row.get("key"): row for row in rows}
    return [_summary_from_row(name, by_name.get(name) or {}) for name in names]


def _summary_from_row(name: str, row: JsonObject) -> DatabaseSummary:
    if "info" in row:
        return summary_from_info(name, row["info"])
    return DatabaseSummary(name=name, problem=str(row.get("error") or "not found"))


def summary_from_info(name: str, info: JsonObject) -> DatabaseSummary:
    """A DatabaseSummary from the body of GET /{db} (CouchDB 3 or pouchdb-server)."""
    sizes = info.get("sizes") or {}
    props = info.get("props") or {}
    cluster = info.get("cluster") or {}
    return DatabaseSummary(
        name=name,
        doc_count=info.get("doc_count"),
        doc_del_count=info.get("doc_del_count"),
        active_size=sizes.get("active"),
        external_size=sizes.get("external"),
        file_size=sizes.get("file", info.get("disk_size")),
        partitioned=bool(props.get("partitioned")),
        shards_q=cluster.get("q"),
        replicas_n=cluster.get("n"),
    )


def database_info(client: CouchClient, name: str) -> DatabaseSummary:
    """GET /{db} — counts, sizes and cluster settings of one database."""
    info = client.get_json(name)
    return summary_from_info(str(info.get("db_name") or name), info)


def database_exists(client: CouchClient, name: str) -> bool:
    """HEAD /{db} — whether the database exists (and this person may see it)."""
    try:
        client.request("HEAD", name).close()
    except NotFound:
        return False
    return True


def create_database(client: CouchClient, name: str, partitioned: bool = False, shards_q: int | None = None,
                    replicas_n: int | None = None) -> str:
    """PUT /{db} — answers the name the server actually gave the database."""
    params = {"partitioned": True if partitioned else None, "q": shards_q, "n": replicas_n}
    client.put_json(name, params=params)
    return client.flavour.after_create_database(name)


def delete_database(client: CouchClient, name: str) -> None:
    """DELETE /{db}."""
    client.delete_json(name)
