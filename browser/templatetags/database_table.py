"""The rows of the databases table, written in Python for the reason the document table's are
(browser/templatetags/document_table.py): through the template engine a row cost ~85 µs, a third of the
databases page's rendering. Every value from CouchDB goes through `html.escape` as it is written into this
module's own markup; tests/test_database_table.py holds that to account with hostile names and values."""

from html import escape
from urllib.parse import quote

from django import template
from django.urls import reverse

from browser.converters import DatabaseNameConverter
from browser.markup import markup
from browser.templatetags.couch_format import PATH_SAFE, count_or_dash, visible
from browser.templatetags.couch_format import bytes as size_text

register = template.Library()

_MORE_DELETED = (' <span class="warn-mark" title="More deleted than live documents: compaction or purge may help">⚠'
                 '<span class="visually-hidden"> more deleted than live documents</span></span>')


@register.simple_tag
def database_table_rows(rows):
    """The <tr>s for `rows`: {"db": DatabaseSummary, "docs"/"deleted"/"size": the bars' shares}."""
    # One reverse() a page; each row's link is this and the encoded name, as reverse() writes it.
    base = reverse("browser:database", kwargs={"db": "x"})[:-2]
    return markup(*(_row(row, base) for row in rows))


def _row(row, base):
    db = row["db"]
    head = (f'<tr data-db="{escape(db.name)}"><th scope="row"><a href="{escape(db_path(db.name, base))}">'
            f"{escape(visible(db.name))}</a></th>")
    if db.problem:
        return f'{head}<td colspan="5" class="muted">Details unavailable: {escape(str(db.problem))}</td></tr>\n'
    more_deleted = _MORE_DELETED if db.deleted_outnumber_live else ""
    shards = f"{escape(str(db.shards_q))} / {escape(str(db.replicas_n))}" if db.shards_q else "—"
    return (f"{head}{_bar_cell(count_or_dash(db.doc_count), row['docs'], 'docs')}"
            f"{_bar_cell(count_or_dash(db.doc_del_count), row['deleted'], 'deleted', more_deleted)}"
            f"{_bar_cell(_size(db), row['size'], 'size')}"
            f"<td>{'yes' if db.partitioned else 'no'}</td><td>{shards}</td></tr>\n")


def db_path(name, base):
    """base + the database's name as DatabaseNameConverter and reverse() write it."""
    return base + quote(DatabaseNameConverter().to_url(str(name)), safe=PATH_SAFE) + "/"


def _bar_cell(text, share, kind, after=""):
    bar = share_bar(share, kind)
    return f'<td class="num"><div class="bar-cell"><span>{escape(text)}{after}</span>{bar}</div></td>'


def share_bar(share, kind):
    """The small bar that compares a database with the others on its page (share: 0–100, or None)."""
    if share is None:
        return ""
    share, kind = escape(str(share)), escape(kind)
    return (f'<svg class="bar bar-{kind}" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"'
            f' focusable="false" data-share="{share}"><rect class="bar-track" width="100" height="10"/>'
            f'<rect class="bar-fill" width="{share}" height="10"/></svg>')


def _size(db):
    if db.active_size is not None:
        return f"{size_text(db.active_size)} / {size_text(db.external_size)}"
    if db.file_size is not None:
        return f"{size_text(db.file_size)} on disk"
    return "—"
