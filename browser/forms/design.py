"""Forms of design documents and their views: the design editor (view rows, validate_doc_update, options) and
the view query."""

from django import forms
from django.http import QueryDict

from browser.couch import jsontext
from browser.couch.queries import REDUCE_BUILTINS
from browser.forms.fields import JsonField, PartitionNameField, QueryJsonField, RevisionField

REDUCE_CHOICES = [("", "none"), ("_count", "_count"), ("_sum", "_sum"), ("_stats", "_stats"),
                  ("_approx_count_distinct", "_approx_count_distinct"), ("custom", "custom JavaScript")]


class NewDesignForm(forms.Form):
    name = forms.CharField(max_length=500, label="Design document name (after _design/)")


class DesignEditForm(forms.Form):
    """The design editor: its view rows (view-N-name/map/reduce/custom), validate_doc_update and options."""

    rev = RevisionField()
    overwrite_rev = RevisionField(required=False)
    validate_doc_update = forms.CharField(required=False, strip=False)
    options = JsonField(expect=dict, required=False, label="Options")

    def clean_validate_doc_update(self):
        return self.cleaned_data["validate_doc_update"].replace("\r\n", "\n")

    def clean(self):
        data = super().clean()
        data["views"], problems = views_from_post(self.data)
        for problem in problems:
            self.add_error(None, problem)
        return data

    def rows(self):
        """The view rows as typed, to show again."""
        rows = []
        for key in self.data:
            if key.startswith("view-") and key.endswith("-name"):
                i = key[len("view-"):-len("-name")]
                rows.append({f: self.data.get(f"view-{i}-{f}", "").replace("\r\n", "\n")
                             for f in ("name", "map", "reduce", "custom")})
        return [r for r in rows if r["name"] or r["map"].strip() not in ("", NEW_VIEW_MAP)]

    def typed(self, name):
        return (self[name].value() or "").replace("\r\n", "\n")


def stored_views(ddoc):
    views = ddoc.get("views")
    return views if isinstance(views, dict) else {}


def function_text(value):
    """A member that should hold a function's text; what is not text is shown as JSON for the person to correct."""
    if value is None:
        return ""
    return value if isinstance(value, str) else jsontext.dumps(value)


def stored_rows(ddoc):
    """The editor's rows for the views a design document has; a member may store anything there."""
    rows = []
    for name, view in sorted(stored_views(ddoc).items()):
        view = view if isinstance(view, dict) else {"map": view}
        reduce_fn = function_text(view.get("reduce"))
        builtin = reduce_fn if reduce_fn in REDUCE_BUILTINS else ("custom" if reduce_fn else "")
        rows.append({"name": name, "map": function_text(view.get("map")), "reduce": builtin,
                     "custom": reduce_fn if builtin == "custom" else ""})
    return rows


class ViewDeleteForm(forms.Form):
    view = forms.CharField(max_length=4000, strip=False)
    rev = RevisionField(required=False)


class ViewNameForm(forms.Form):
    view = forms.CharField(max_length=4000, strip=False,
                           error_messages={"required": "Choose a view: the link names none."})


# The map a new view row starts with; a row left with no name and this map untouched adds no view.
NEW_VIEW_MAP = "function (doc) {\n  emit(doc._id, 1);\n}"


def views_from_post(post):
    """The views a design-document form describes: rows view-N-name/map/reduce/custom. Browsers send every
    textarea with CRLF line endings: text is compared and stored with LF."""
    views, errors = {}, []
    indexes = sorted({key.split("-")[1] for key in post if key.startswith("view-") and key.count("-") >= 2},
                     key=lambda i: (not _is_number(i), int(i) if _is_number(i) else 0, i))
    for i in indexes:
        name = post.get(f"view-{i}-name", "").strip()
        map_fn = post.get(f"view-{i}-map", "").replace("\r\n", "\n")
        if not name and (not map_fn.strip() or map_fn.strip() == NEW_VIEW_MAP):
            continue
        if not name:
            errors.append("Every view needs a name.")
            continue
        if name in views:
            errors.append(f"There are two views named “{name}”.")
        view = {"map": map_fn}
        reduce_choice = post.get(f"view-{i}-reduce", "")
        if reduce_choice == "custom":
            view["reduce"] = post.get(f"view-{i}-custom", "").replace("\r\n", "\n")
        elif reduce_choice:
            view["reduce"] = reduce_choice
        views[name] = view
    return views, errors


def _is_number(text):
    return text.isascii() and text.isdigit()


class NotGiven:
    """The value of a view key field left empty (None is the key `null`)."""

    def __repr__(self):
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
KEY_FIELDS = ("key", "keys", "startkey", "endkey")


class ViewQueryForm(forms.Form):
    """Every view query option, typed in the query string so results can be bookmarked."""

    key = QueryJsonField(required=False, missing=NOT_GIVEN, label="key (JSON)")
    keys = QueryJsonField(required=False, missing=NOT_GIVEN, expect=list, label="keys (JSON array)")
    startkey = QueryJsonField(required=False, missing=NOT_GIVEN, label="startkey (JSON)")
    startkey_docid = forms.CharField(required=False, strip=False, label="startkey_docid")
    endkey = QueryJsonField(required=False, missing=NOT_GIVEN, label="endkey (JSON)")
    endkey_docid = forms.CharField(required=False, strip=False, label="endkey_docid")
    inclusive_end = forms.ChoiceField(choices=[("", "default (true)"), ("true", "true"), ("false", "false")],
                                      required=False, label="inclusive_end")
    descending = forms.BooleanField(required=False, label="descending")
    reduce = forms.ChoiceField(choices=[("", "default"), ("true", "true"), ("false", "false")], required=False,
                               label="reduce")
    group = forms.BooleanField(required=False, label="group")
    group_level = forms.IntegerField(required=False, min_value=0, max_value=100, label="group_level")
    include_docs = forms.BooleanField(required=False, label="include_docs")
    conflicts = forms.BooleanField(required=False, label="conflicts")
    limit = forms.IntegerField(required=False, min_value=1, max_value=1000, initial=20, label="limit")
    skip = forms.IntegerField(required=False, min_value=0, label="skip")
    update = forms.ChoiceField(choices=[("", "default (true)"), ("true", "true"), ("false", "false"),
                                        ("lazy", "lazy")], required=False, label="update")
    stable = forms.BooleanField(required=False, label="stable")
    partition = PartitionNameField(required=False, label="partition (partitioned databases only)")

    def clean(self):
        data = super().clean()
        if self.given("keys") and any(self.given(k) for k in ("key", "startkey", "endkey")):
            raise forms.ValidationError("keys cannot be combined with key, startkey or endkey.")
        return data

    def given(self, name):
        return self.cleaned_data.get(name, NOT_GIVEN) is not NOT_GIVEN

    def couch_params(self, limit):
        """The query string CouchDB expects (JSON-encoded keys), asking one row more than shown."""
        data = self.cleaned_data
        params = {}
        for name in KEY_FIELDS:
            if self.given(name):
                params[name] = jsontext.dumps(data[name])
        for name in ("startkey_docid", "endkey_docid", "inclusive_end", "reduce", "update"):
            if data.get(name):
                params[name] = data[name]
        for name in ("descending", "group", "include_docs", "conflicts", "stable"):
            if data.get(name):
                params[name] = "true"
        if data.get("group_level") is not None:
            params["group_level"] = data["group_level"]
        if data.get("skip"):
            params["skip"] = data["skip"]
        params["limit"] = limit + 1
        return params

    def next_page(self, row):
        """The query string of the page that starts at `row`, by key (and document id), or None for rows
        asked by `keys`, which CouchDB does not let a start key narrow."""
        if self.given("keys"):
            return None
        params = QueryDict(mutable=True)
        params.update(self.data)
        for name in ("key", "skip", "startkey_docid"):
            params.pop(name, None)
        if self.given("key"):
            params["endkey"] = jsontext.dumps(self.cleaned_data["key"])
            params.pop("inclusive_end", None)
        params["startkey"] = jsontext.dumps(row.get("key"))
        if "id" in row:
            params["startkey_docid"] = row["id"]
        return params.urlencode()
