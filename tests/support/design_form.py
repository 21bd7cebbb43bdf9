"""What the design editor's page posts for its view rows (browser/forms/design.py, ViewFormSet)."""

import re
from html import unescape


def view_rows(*rows, initial=0):
    """Each row (a dict of name, map, reduce, custom) as view-N-<field>, with the counts the formset's
    management form carries (view-TOTAL_FORMS, view-INITIAL_FORMS)."""
    posted = {"view-TOTAL_FORMS": str(len(rows)), "view-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        posted.update({f"view-{i}-{field}": value for field, value in row.items()})
    return posted


def posted_by_the_page(page):
    """The fields of the page's design-document form as a browser sends them, unchanged: an input's value, a
    textarea's text with CRLF line endings (a newline right after <textarea> is not part of it), a select's
    selected option. Submit buttons are left out."""
    start = page.index('class="design-form"')
    form = page[start:page.index("</form>", start)]
    fields = {name: value for name, value in re.findall(r'<input type="(?:hidden|text)" name="([^"]+)"'
                                                         r'(?: value="([^"]*)")?', form)}
    for name, text in re.findall(r'<textarea[^>]*\sname="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = text.removeprefix("\n").replace("\n", "\r\n")
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        fields[name] = re.search(r'<option value="([^"]*)" selected>', options).group(1)
    return {name: unescape(value) for name, value in fields.items()}
