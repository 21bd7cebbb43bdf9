"""Attachments: streamed up and down, never held whole in memory."""

from dataclasses import dataclass

from browser.couch.errors import Conflict

CHUNK = 64 * 1024
CONFLICT_RETRIES = 3


@dataclass(frozen=True)
class AttachmentInfo:
    name: str
    content_type: str
    length: int | None
    digest: str

    @property
    def is_raster_image(self):
        return self.content_type.split(";")[0].strip().lower() in RASTER_IMAGE_TYPES

    @property
    def is_plain_text(self):
        return self.content_type.split(";")[0].strip().lower() in PLAIN_TEXT_TYPES


# Previews only for these: SVG and HTML are never shown inline (they can carry script).
RASTER_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"}
PLAIN_TEXT_TYPES = {"text/plain", "text/csv", "text/markdown", "application/json"}


def attachments_of(doc):
    """The attachment stubs of a document, by name."""
    return [AttachmentInfo(name, str(stub.get("content_type", "")), stub.get("length"), str(stub.get("digest", "")))
            for name, stub in sorted((doc.get("_attachments") or {}).items())]


def current_rev(client, db, docid):
    """HEAD /{db}/{docid} — the current revision, from the ETag CouchDB sends."""
    return client.flavour.current_rev(client, db, docid)


def put_attachment(client, db, docid, name, stream, content_type, length, rev):
    """PUT /{db}/{docid}/{name}?rev= — the body is streamed from a file object; answers the new rev."""
    headers = {"Content-Type": content_type or "application/octet-stream", "Content-Length": str(length)}
    answer = client.request("PUT", db, docid, name, params={"rev": rev} if rev else None, data=stream,
                            headers=headers, timeout=_transfer_timeout(client, length)).json()
    return answer["rev"]


def put_attachment_on_latest(client, db, docid, name, fileobj, content_type, length, rev):
    """Add or replace one attachment, starting from `rev`; if the document moved on meanwhile, from its
    latest revision (adding a file changes nothing else in the document). Answers (new rev, based on)."""
    for attempt in range(CONFLICT_RETRIES):
        try:
            fileobj.seek(0)
            return put_attachment(client, db, docid, name, fileobj, content_type, length, rev), rev
        except Conflict:
            if attempt == CONFLICT_RETRIES - 1:
                raise
            rev = current_rev(client, db, docid)
    raise AssertionError("unreachable")


def open_attachment(client, db, docid, name, range_header=None):
    """GET /{db}/{docid}/{name} as a stream (the caller closes it); Range is passed through."""
    headers = {"Accept": "*/*", "Accept-Encoding": "identity"}
    if range_header:
        headers["Range"] = range_header
    return client.request("GET", db, docid, name, headers=headers, stream=True, timeout=(client.timeout, 300))


def read_start(client, db, docid, name, limit):
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


def delete_attachment(client, db, docid, name, rev):
    """DELETE /{db}/{docid}/{name}?rev= — answers the new rev."""
    return client.delete_json(db, docid, name, params={"rev": rev})["rev"]


def rename_attachment(client, db, docid, old, new, rev):
    """Copy the attachment under the new name (streamed), then delete the old one; answers the new rev."""
    source = open_attachment(client, db, docid, old)
    try:
        length = int(source.headers.get("Content-Length") or 0)
        content_type = source.headers.get("Content-Type", "application/octet-stream")
        rev = put_attachment(client, db, docid, new, _SizedStream(source.raw, length), content_type, length, rev)
    finally:
        source.close()
    return delete_attachment(client, db, docid, old, rev)


class _SizedStream:
    """A response body read as a file of known length, so the next request streams it with Content-Length."""

    def __init__(self, raw, length):
        self._raw = raw
        self._length = length

    def read(self, size=-1):
        return self._raw.read(size if size and size > 0 else CHUNK)

    def __len__(self):
        return self._length


def _transfer_timeout(client, length):
    # Connect quickly; allow a slow network a minute per 100 MB of body, at least the usual timeout.
    return (client.timeout, max(client.timeout, 60 * (length or 0) / 100_000_000))
