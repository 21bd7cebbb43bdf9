"""Forms of the server-wide database updates page (GET /_db_updates) and of creating _global_changes."""

from urllib.parse import urlencode

from django import forms

from browser.forms.changes import ChangesForm
from browser.forms.databases import DatabaseDeleteForm


class GlobalChangesCreateForm(DatabaseDeleteForm):
    """Creating CouchDB's _global_changes database changes the whole server: confirmed by typing its name."""

    confirm_name = forms.CharField(max_length=238, strip=False, label="Type _global_changes to confirm")
    mismatch = "The name you typed is not “_global_changes”: nothing was created."


UPDATES_FEED_FIELDS = ("live", "top", "skip", "below", "after", "arrived")


class DbUpdatesForm(forms.Form):
    """Where a page of GET /_db_updates starts, and what the live poll has seen."""

    # The changes feed's paging and live-poll fields (each form instance copies them).
    live, top, skip, below, after, arrived = (ChangesForm.base_fields[name] for name in UPDATES_FEED_FIELDS)

    def query(self, **overrides):
        """This page's query string with some parameters changed."""
        values = {name: self.data.get(name) for name in UPDATES_FEED_FIELDS}
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})
