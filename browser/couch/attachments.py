"""Attachments: streamed up and down, never held whole in memory."""

import base64
import io
import uuid
from dataclasses import dataclass
from typing import IO, Any, Protocol

import requests

from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.errors import Conflict, NotFound
from browser.couch.jsontext import JsonObject

CHUNK = 64 * 1024
CONFLICT_RETRIES = 3
# Attachments up to this size are renamed in a JSON PUT that carries them inline (in memory, base64); larger
# ones are streamed as multipart/related where the server answers such a PUT. CouchDB 3.5 stores a multipart
# PUT but leaves it unanswered while a node of the cluster is down, so small files, most, go inline.
INLINE_RENAME_MOST = 16 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentInfo:
    name: str
    content_type: str
    length: int | None
    digest: str

    @property
    def is_raster_image(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() in RASTER_IMAGE_TYPES

    @property
    def is_plain_text(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() in PLAIN_TEXT_TYPES


# Previews only for these: SVG and HTML are never shown inline (they can carry script).
RASTER_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"}
PLAIN_TEXT_TYPES = {"text/plain", "text/csv", "text/markdown", "application/json"}


def attachments_of(doc: JsonObject) -> list[AttachmentInfo]:
    """The attachment stubs of a document, by name."""
    return [AttachmentInfo(name, str(stub.get("content_type", "")), stub.get("length"), str(stub.get("digest", "")))
            for name, stub in sorted((doc.get("_attachments") or {}).items())]


def current_rev(client: CouchClient, db: str, docid: str) -> str:
    """HEAD /{db}/{docid} — the current revision, from the ETag CouchDB sends."""
    return client.flavour.current_rev(db, docid)


def put_attachment(client: CouchClient, db: str, docid: str, name: str, stream: Any, content_type: str,
                   length: int, rev: str | None) -> str:
    """PUT /{db}/{docid}/{name}?rev= — the body is streamed from a file object; answers the new rev."""
    headers = {"Content-Type": content_type or "application/octet-stream", "Content-Length": str(length)}
    answer = client.request("PUT", db, docid, name, params={"rev": rev} if rev else None, data=stream,
                            headers=headers, timeout=_transfer_timeout(client, length)).json()
    return str(answer["rev"])


def put_attachment_on_latest(client: CouchClient, db: str, docid: str, name: str, fileobj: IO[bytes],
                             content_type: str, length: int, rev: str | None,
                             replace: bool = False) -> tuple[str, str | None, "AttachmentInfo | None"]:
    """Add one attachment, starting from `rev`; if the document moved on meanwhile, from its latest revision
    (adding a file changes nothing else in the document). An attachment of that name is replaced only with
    `replace` (else AttachmentExists, nothing stored). Answers (new rev, based on, the attachment replaced)."""
    for attempt in range(CONFLICT_RETRIES):
        replaced = existing_attachment(client, db, docid, name, rev) if rev else None
        if replaced and not replace:
            raise AttachmentExists(replaced)
        try:
            fileobj.seek(0)
            return put_attachment(client, db, docid, name, fileobj, content_type, length, rev), rev, replaced
        except Conflict:
            if attempt == CONFLICT_RETRIES - 1:
                raise
            rev = current_rev(client, db, docid)
    raise AssertionError("unreachable")


def open_attachment(client: CouchClient, db: str, docid: str, name: str, range_header: str | None = None,
                    rev: str | None = None) -> requests.Response:
    """GET /{db}/{docid}/{name}[?rev=] as a stream (the caller closes it); Range is passed through."""
    headers = {"Accept": "*/*", "Accept-Encoding": "identity"}
    if range_header:
        headers["Range"] = range_header
    return client.request("GET", db, docid, name, params={"rev": rev} if rev else None, headers=headers,
                          stream=True, timeout=(client.timeout, 300))


def stream_renamed(client: CouchClient, db: str, docid: str, doc: JsonObject, old: str, new: str) -> str:
    """The rename as one multipart PUT, the attachment's bytes streamed from its GET."""
    stub = doc["_attachments"][old]
    length, content_type = int(stub.get("length") or 0), str(stub.get("content_type") or "application/octet-stream")
    source = open_attachment(client, db, docid, old, rev=doc["_rev"])
    try:
        body = {**{k: v for k, v in doc.items() if k != "_attachments"}, "_attachments": renamed_stubs(doc, old, new)}
        return put_document_with_follower(client, db, docid, body, new, _SizedStream(source.raw, length),
                                          content_type, length)
    finally:
        source.close()


def inline_renamed(client: CouchClient, db: str, docid: str, doc: JsonObject, old: str, new: str) -> str:
    """The rename as one JSON PUT with the attachment inline (base64): the whole file in memory."""
    stub = doc["_attachments"][old]
    data = client.request("GET", db, docid, old, params={"rev": doc["_rev"]},
                          headers={"Accept": "*/*", "Accept-Encoding": "identity"}).content
    attachments = {**renamed_stubs(doc, old, new), new: {
        "content_type": str(stub.get("content_type") or "application/octet-stream"),
        "data": base64.b64encode(data).decode()}}
    body = {**{k: v for k, v in doc.items() if k != "_attachments"}, "_attachments": attachments}
    return str(client.send_exact("PUT", db, docid, body=body)["rev"])


def read_start(client: CouchClient, db: str, docid: str, name: str, limit: int) -> bytes:
    """The first `limit` bytes of an attachment (for a text preview)."""
    response = open_attachment(client, db, docid, name)
    try:
        data = b""
        for chunk in response.iter_content(CHUNK):
            data += chunk
            if len(data) >= limit:
                break
        return data[:limit]
    finally:
        response.close()


def delete_attachment(client: CouchClient, db: str, docid: str, name: str, rev: str) -> str:
    """DELETE /{db}/{docid}/{name}?rev= — answers the new rev."""
    return str(client.delete_json(db, docid, name, params={"rev": rev})["rev"])


class AttachmentExists(Exception):
    """The name is taken by another attachment: replacing it needs the person's word."""

    def __init__(self, existing: AttachmentInfo) -> None:
        super().__init__(existing.name)
        self.existing = existing


def existing_attachment(client: CouchClient, db: str, docid: str, name: str,
                        rev: str | None = None) -> AttachmentInfo | None:
    """GET /{db}/{docid}?rev= — the attachment stored under `name` at that revision, or None."""
    doc = client.get_exact(db, docid, params={"rev": rev} if rev else None)
    return next((info for info in attachments_of(doc) if info.name == name), None)


def rename_attachment(client: CouchClient, db: str, docid: str, old: str, new: str, rev: str,
                      replace: bool = False) -> str:
    """PUT /{db}/{docid} — one new revision in which the attachment `old` is named `new`: never a copy
    and a delete that could leave both, or neither. An attachment already named `new` is replaced only
    with `replace` (else AttachmentExists). Answers the new rev."""
    doc = client.get_exact(db, docid, params={"rev": rev})
    stubs = doc.get("_attachments") or {}
    if old not in stubs:
        raise NotFound(404, "not_found", f"The document has no attachment “{old}” at revision {rev}.")
    taken = next((info for info in attachments_of(doc) if info.name == new), None)
    if taken and new != old and not replace:
        raise AttachmentExists(taken)
    if client.flavour.answers_multipart_puts and int(stubs[old].get("length") or 0) > INLINE_RENAME_MOST:
        return stream_renamed(client, db, docid, doc, old, new)
    return inline_renamed(client, db, docid, doc, old, new)


def renamed_stubs(doc: JsonObject, old: str, new: str) -> dict[str, JsonObject]:
    """The document's `_attachments` stubs as CouchDB sent them (pouchdb-server wants their digests), less
    `old` and any attachment named `new`."""
    return {name: {**stub, "stub": True} for name, stub in (doc.get("_attachments") or {}).items()
            if name not in (old, new)}


def put_document_with_follower(client: CouchClient, db: str, docid: str, doc: JsonObject, name: str,
                               source: "_Readable", content_type: str, length: int) -> str:
    """PUT /{db}/{docid} as multipart/related: the document, then one attachment's bytes streamed from
    `source` (length known), so a large attachment is never held in memory."""
    boundary = uuid.uuid4().hex
    body = dict(doc)
    body["_attachments"] = {**body.get("_attachments", {}),
                            name: {"follows": True, "length": length, "content_type": content_type}}
    head = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode() + jsontext.dumps(body).encode()
            + f"\r\n--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode())
    tail = f"\r\n--{boundary}--".encode()
    stream = _Joined([io.BytesIO(head), source, io.BytesIO(tail)], len(head) + length + len(tail))
    answer = client.request("PUT", db, docid, data=stream,
                            headers={"Content-Type": f'multipart/related; boundary="{boundary}"'},
                            timeout=_transfer_timeout(client, length)).json()
    return str(answer["rev"])


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _SizedStream:
    """A response body read as a file of known length, so the next request streams it with Content-Length."""

    def __init__(self, raw: Any, length: int) -> None:
        self._raw = raw
        self._length = length

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._raw.read(size if size and size > 0 else CHUNK)
        return data

    def __len__(self) -> int:
        return self._length


class _Joined:
    """Several file objects read one after another as one body of known length."""

    def __init__(self, parts: list[_Readable], length: int) -> None:
        self._parts = list(parts)
        self._length = length

    def read(self, size: int = -1) -> bytes:
        size = size if size and size > 0 else CHUNK
        while self._parts:
            data = self._parts[0].read(size)
            if data:
                return data
            self._parts.pop(0)
        return b""

    def __len__(self) -> int:
        return self._length


def _transfer_timeout(client: CouchClient, length: int | None) -> tuple[float, float]:
    # Connect quickly; allow a slow network a minute per 100 MB of body, at least the usual timeout.
    return (client.timeout, max(client.timeout, 60 * (length or 0) / 100_000_000))
