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


# The map a new view row starts with; a row left with no name and this map untouched adds no view.
NEW_VIEW_MAP = "function (doc) {\n  emit(doc._id, 1);\n}"
ROW_FIELDS = ("name", "map", "reduce", "custom")


class FunctionField(forms.CharField):
    """A JavaScript function's text as the person typed it. Browsers send every textarea with CRLF line
    endings: the text is compared and stored with LF."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


def _code_area(rows):
    return forms.Textarea(attrs={"rows": rows, "class": "json-text", "spellcheck": "false"})


def _adds_no_view(name, map_fn):
    """A row with no name whose map is empty or the new row's untouched one describes no view."""
    return not name and map_fn.strip() in ("", NEW_VIEW_MAP)


class ViewForm(forms.Form):
    """One view row of the design editor (view-N-name/map/reduce/custom): a reduce is a builtin, or the custom
    JavaScript below it. `unsaved`: the row shows text that differs from the view CouchDB has."""

    name = forms.CharField(required=False, label="Name")
    map = FunctionField(initial=NEW_VIEW_MAP, widget=_code_area(5), label="Map function")
    reduce = forms.ChoiceField(choices=REDUCE_CHOICES, required=False, label="Reduce")
    custom = FunctionField(widget=_code_area(3), label="Custom reduce function (when “custom JavaScript”)")

    def __init__(self, *args, unsaved=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.unsaved = unsaved

    def adds_no_view(self):
        data = self.cleaned_data
        return _adds_no_view(data.get("name", ""), data.get("map", ""))

    def view(self):
        """The view as CouchDB stores it."""
        data = self.cleaned_data
        view = {"map": data["map"]}
        if data["reduce"] == "custom":
            view["reduce"] = data["custom"]
        elif data["reduce"]:
            view["reduce"] = data["reduce"]
        return view

    def typed(self):
        """The row as typed (with LF line endings), to show again."""
        return {name: (self[name].value() or "").replace("\r\n", "\n") for name in ROW_FIELDS}


class BaseViewFormSet(forms.BaseFormSet):
    """The design editor's view rows, prefixed "view" (view-TOTAL_FORMS, view-0-name, …): one row a view, then
    one new row. Unbound, `initial` are the rows shown (as stored, or as typed) and `stored` the views CouchDB
    has, so a row that differs from them says it is not saved. Bound and valid, `views` is what the rows
    describe: a row that adds no view (no name, and an empty or untouched map) is left out."""

    default_error_messages = {
        "missing_management_form": "The page sent its view rows without their count; open the design document "
                                   "again and make your change there.",
        "too_many_forms": "A design document edited here has at most %(num)d views.",
    }

    def __init__(self, data=None, *, stored=(), **kwargs):
        super().__init__(data, prefix="view", auto_id="%s", **kwargs)
        self.stored = list(stored)
        self.views = {}

    def get_form_kwargs(self, index):
        shown = self.initial or []
        return {"unsaved": index is not None and index < len(shown) and shown[index] not in self.stored}

    def clean(self):
        views, problems = {}, []
        for form in self.forms:
            if form.errors or form.adds_no_view():
                continue
            name = form.cleaned_data["name"]
            if not name:
                problems.append("Every view needs a name.")
                continue
            if name in views:
                problems.append(f"There are two views named “{name}”.")
            views[name] = form.view()
        if problems:
            raise forms.ValidationError(problems)
        self.views = views

    def problems(self):
        """Every error as a sentence; one about a row's field names the row (by its name, unless the name is
        what is wrong) and the field."""
        found = []
        for number, form in enumerate(self.forms, start=1):
            shown = "" if "name" in form.errors else form["name"].value()
            row = f"View “{shown}”" if shown else f"View row {number}"
            found += [f"{row}, {form.fields[name].label}: {error}"
                      for name, errors in form.errors.items() for error in errors]
        return found + list(self.non_form_errors())

    def typed_rows(self):
        """The rows as typed, to show again; rows that add no view are left out."""
        return [row for row in (form.typed() for form in self.forms) if not _adds_no_view(row["name"], row["map"])]


ViewFormSet = forms.formset_factory(ViewForm, formset=BaseViewFormSet, extra=1)


class DesignEditForm(forms.Form):
    """The design editor: validate_doc_update, options and the view rows (`view_rows`, a ViewFormSet), whose
    errors are the form's own."""

    rev = RevisionField()
    overwrite_rev = RevisionField(required=False)
    validate_doc_update = FunctionField()
    options = JsonField(expect=dict, required=False, label="Options")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.view_rows = ViewFormSet(data)

    def clean(self):
        data = super().clean()
        for problem in self.view_rows.problems():
            self.add_error(None, problem)
        data["views"] = self.view_rows.views
        return data

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
