"""The attachment panel of a document's page: its attachments, with a preview of the plain text one asked for.
Shown on the document page and refreshed alone (browser/views/document.py and browser/views/attachments.py)."""

from django.urls import reverse

from browser.couch.attachments import attachments_of, read_start
from browser.couch.documents import LOCAL_PREFIX
from browser.forms.attachments import AttachmentViewForm

TEXT_PREVIEW_BYTES = 4096


def attachments_context(request, db, docid, doc):
    """What the attachment panel shows, previews of plain text included."""
    items, asked = [], AttachmentViewForm(request.GET).value("preview")
    for info in attachments_of(doc):
        preview = None
        if info.is_plain_text and asked == info.name:
            raw = read_start(request.couch, db, docid, info.name, TEXT_PREVIEW_BYTES)
            preview = raw.decode("utf-8", "replace")
        items.append({"info": info, "preview": preview})
    return {"db": db, "docid": docid, "rev": doc.get("_rev", ""), "attachments": items,
            "is_local": docid.startswith(LOCAL_PREFIX),
            "upload_url": reverse("browser:attachment-upload", kwargs={"db": db, "docid": docid}),
            "list_url": reverse("browser:attachment-list", kwargs={"db": db, "docid": docid})}
