"""The rows of the databases table, written in Python for the reason the document table's are
(browser/templatetags/document_table.py): through the template engine a row cost ~85 µs, a third of the
databases page's rendering. Every value from CouchDB goes through `html.escape` as it is written into this
module's own markup; tests/test_database_table.py holds that to account with hostile names and values."""

from html import escape

from django import template
from django.utils.safestring import SafeString

from browser.templatetags.couch_format import bytes as size_text
from browser.templatetags.couch_format import count_or_dash, database_prefix, db_path, share_bar, visible

register = template.Library()

_MORE_DELETED = (' <span class="warn-mark" title="More deleted than live documents: compaction or purge may help">⚠'
                 '<span class="visually-hidden"> more deleted than live documents</span></span>')


@register.simple_tag
def database_table_rows(rows):
    """The <tr>s for `rows`: {"db": DatabaseSummary, "docs"/"deleted"/"size": the bars' shares}."""
    base = database_prefix()
    return SafeString("".join(_row(row, base) for row in rows))


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


def _bar_cell(text, share, kind, after=""):
    bar = share_bar(share, kind)
    return f'<td class="num"><div class="bar-cell"><span>{escape(text)}{after}</span>{bar}</div></td>'


def _size(db):
    if db.active_size is not None:
        return f"{size_text(db.active_size)} / {size_text(db.external_size)}"
    if db.file_size is not None:
        return f"{size_text(db.file_size)} on disk"
    return "—"
