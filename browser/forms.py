"""Every input, query strings included, goes through one of these forms."""

import json
import re

from django import forms

from browser.couch import jsontext
from browser.couch.databases import database_name_problem
from browser.couch.documents import id_problem, partitioned_id_problem

PAGE_SIZES = (20, 50, 100)
_REV_RE = re.compile(r"^\d+-[0-9a-zA-Z]+$")


class LoginForm(forms.Form):
    username = forms.CharField(max_length=512, strip=False,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=1024, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class DatabaseListForm(forms.Form):
    prefix = forms.CharField(required=False, max_length=238, strip=False, label="Name starts with")
    start = forms.CharField(required=False, max_length=238, strip=False)
    before = forms.CharField(required=False, max_length=238, strip=False)
    size = forms.TypedChoiceField(choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False,
                                  empty_value=PAGE_SIZES[0], label="Per page")

    def page_args(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "prefix": data.get("prefix") or "",
            "start": data.get("start") or None,
            "before": data.get("before") or None,
            "limit": data.get("size") or PAGE_SIZES[0],
        }


class RuleCheckedField(forms.CharField):
    """Text checked against one of CouchDB's naming rules: `problem(value)` says what is wrong, or None."""

    def __init__(self, *, problem, **kwargs):
        self.problem = problem
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        message = value and self.problem(value)
        if message:
            raise forms.ValidationError(message, code="invalid_name")


class DatabaseNameField(RuleCheckedField):
    def __init__(self, **kwargs):
        super().__init__(problem=database_name_problem, strip=True, max_length=238, **kwargs)


class DatabaseCreateForm(forms.Form):
    name = DatabaseNameField(label="Database name",
                             help_text="Lowercase letters, digits and _ $ ( ) + - /; starts with a letter.")
    partitioned = forms.BooleanField(required=False, label="Partitioned")
    shards_q = forms.IntegerField(required=False, min_value=1, max_value=256, label="Shards (q)")
    replicas_n = forms.IntegerField(required=False, min_value=1, max_value=16, label="Replicas (n)")


class OpenDatabaseForm(forms.Form):
    name = DatabaseNameField(label="Database name")


class DatabaseDeleteForm(forms.Form):
    confirm_name = forms.CharField(max_length=238, strip=False, label="Type the database name to confirm")

    def __init__(self, *args, database, **kwargs):
        self.database = database
        super().__init__(*args, **kwargs)

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"]
        if typed != self.database:
            raise forms.ValidationError("The name you typed does not match the database name.")
        return typed


DOC_PAGE_SIZES = (20, 50, 100, 500)
DISPLAY_MODES = (("table", "Table"), ("json", "JSON"), ("meta", "Metadata"))


class DocumentListForm(forms.Form):
    start = forms.CharField(required=False, strip=False)
    before = forms.CharField(required=False, strip=False)
    jump = forms.CharField(required=False, strip=False, label="Jump to id (prefix)")
    size = forms.TypedChoiceField(choices=[(n, n) for n in DOC_PAGE_SIZES], coerce=int, required=False,
                                  empty_value=DOC_PAGE_SIZES[0], label="Per page")
    order = forms.ChoiceField(choices=[("asc", "Ascending"), ("desc", "Descending")], required=False,
                              label="Order")
    design = forms.ChoiceField(choices=[("show", "Show"), ("hide", "Hide")], required=False,
                               label="Design documents")
    mode = forms.ChoiceField(choices=DISPLAY_MODES, required=False, label="Display")
    columns = forms.CharField(required=False, strip=True, label="Columns (comma-separated fields)")
    kind = forms.ChoiceField(choices=[("all", "All documents"), ("local", "Local documents")], required=False,
                             label="Documents")

    def values(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "start": data.get("start") or None,
            "before": data.get("before") or None,
            "prefix": data.get("jump") or "",
            "limit": data.get("size") or DOC_PAGE_SIZES[0],
            "descending": data.get("order") == "desc",
            "include_design": data.get("design") != "hide",
            "mode": data.get("mode") or "table",
            "columns": [c.strip() for c in (data.get("columns") or "").split(",") if c.strip()],
            "local": data.get("kind") == "local",
        }


class DocumentIdField(RuleCheckedField):
    def __init__(self, **kwargs):
        super().__init__(problem=id_problem, **kwargs)


class NewDocumentForm(forms.Form):
    """The id of a new document: typed here, or as "_id" in the JSON (`typed_id`), or left to the server
    (except in a partitioned database, where it must be "partition:id")."""

    docid = DocumentIdField(required=False, label="Document id",
                            help_text="Leave empty for an id from the server (or give “_id” in the JSON). Start "
                                      "with _design/ for a design document or _local/ for a local one.")

    def __init__(self, *args, partitioned=False, typed_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partitioned, self.typed_id = partitioned, typed_id
        if partitioned:
            self.fields["docid"].help_text = ("This database is partitioned: give “partition:id”, for example "
                                              "“sensor-1:reading-42” (or _design/… or _local/…).")

    def clean_docid(self):
        docid, typed = self.cleaned_data.get("docid") or "", self.typed_id
        if typed is not None and not isinstance(typed, str):
            raise forms.ValidationError("The “_id” in the JSON must be a string.")
        if typed is not None and docid and typed != docid:
            raise forms.ValidationError(f"The JSON says “_id”: “{typed}”, but this field says “{docid}”: "
                                        "make them the same, or leave one empty.")
        docid = docid or typed or ""
        problem = id_problem(docid) if typed and not self.cleaned_data.get("docid") else None
        if not problem and self.partitioned:
            problem = partitioned_id_problem(docid) if docid else "Enter an id: “partition:id”."
        if problem:
            raise forms.ValidationError(problem)
        return docid


class CopyDocumentForm(forms.Form):
    destination = DocumentIdField(label="Copy to id")


class RevisionField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not _REV_RE.match(value):
            raise forms.ValidationError("That is not a revision (like 3-a1b2…).")


class DeleteDocumentForm(forms.Form):
    rev = RevisionField()


class RevisionListField(forms.Field):
    """Several revisions posted under one name (hidden inputs)."""

    widget = forms.MultipleHiddenInput
    MOST = 1000

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, (list, tuple)) or len(value) > self.MOST:
            raise forms.ValidationError("The list of revisions is not valid; reload the page.")
        return [str(v) for v in value]

    def validate(self, value):
        super().validate(value)
        if any(not _REV_RE.match(rev) for rev in value):
            raise forms.ValidationError("The list of revisions is not valid; reload the page.")


class ResolveConflictForm(forms.Form):
    keep = RevisionField(label="Revision to keep")
    seen = RevisionListField(error_messages={"required": "The page did not say which revisions you saw; reload it."})
    merged = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 12}),
                             label="Body to save (JSON); leave as it is to keep the chosen revision unchanged")


class MergeChoicesForm(forms.Form):
    """On the 409 screen: the saved revision the merge is made with, and the overlapping members for which
    the person chose the other version (radios `take-N` = "theirs", with the member's path in `path-N`)."""

    merge_theirs_rev = RevisionField(required=False)
    PATH_MOST = 10_000

    def clean(self):
        data = super().clean()
        data["take_theirs"] = [path for key, value in self.data.items()
                               if key.startswith("take-") and value == "theirs"
                               for path in [self._path(self.data.get("path-" + key[len("take-"):], ""))] if path]
        return data

    def _path(self, text):
        if len(text) > self.PATH_MOST:
            return None
        try:
            path = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if not isinstance(path, list) or not path or not all(isinstance(p, str) for p in path):
            return None
        return tuple(path)


def attachment_name_problem(name):
    if not name:
        return "Enter an attachment name."
    if name.startswith("_"):
        return "Attachment names may not start with “_”."
    return None


class AttachmentNameField(RuleCheckedField):
    def __init__(self, **kwargs):
        super().__init__(problem=attachment_name_problem, **kwargs)


class AttachmentNameForm(forms.Form):
    name = AttachmentNameField()
    rev = RevisionField(required=False)


class RenameAttachmentForm(forms.Form):
    name = AttachmentNameField()
    new_name = AttachmentNameField(label="New name")
    rev = RevisionField()


class UploadForm(forms.Form):
    rev = RevisionField(required=False)
    # Browsers send only a file's base name; this lets one file be stored as "dir/sub/file.json".
    name = AttachmentNameField(required=False, label="Store as (optional, one file)")

    def clean(self):
        if not self.files.getlist("files"):
            raise forms.ValidationError("Choose at least one file.")
        return super().clean()


class JsonField(forms.CharField):
    """JSON typed by a person: parsed without rounding numbers; errors name line and column."""

    def __init__(self, *, expect=None, **kwargs):
        self.expect = expect
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text or not text.strip():
            return None
        try:
            parsed = jsontext.loads(text.replace("\r\n", "\n"))
        except jsontext.JsonSyntaxError as exc:
            raise forms.ValidationError(f"Invalid JSON at line {exc.line}, column {exc.column}: {exc.message}.") \
                from None
        if self.expect is dict and not isinstance(parsed, dict):
            raise forms.ValidationError("This must be a JSON object: { … }.")
        if self.expect is list and not isinstance(parsed, list):
            raise forms.ValidationError("This must be a JSON array: [ … ].")
        return parsed


def parse_sort(text):
    """`price desc, name` or JSON `[{"price": "desc"}]` -> [{"price": "desc"}, {"name": "asc"}]."""
    text = (text or "").strip()
    if not text:
        return []
    if text.startswith("["):
        parsed = jsontext.loads(text)
        return [s if isinstance(s, dict) else {str(s): "asc"} for s in parsed]
    specs = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        direction = words[1].lower() if len(words) > 1 else "asc"
        if direction not in ("asc", "desc") or len(words) > 2:
            raise ValueError(f"“{part.strip()}” is not “field” or “field asc|desc”.")
        specs.append({words[0]: direction})
    return specs


class MangoForm(forms.Form):
    selector = JsonField(expect=dict, widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false",
                                                                   "class": "json-text"}),
                         label="Selector (JSON)", initial='{\n  "_id": {"$gt": null}\n}')
    fields = forms.CharField(required=False, label="Fields (comma-separated; empty for whole documents)")
    sort = forms.CharField(required=False, label="Sort (e.g. “price desc, name”)")
    limit = forms.IntegerField(min_value=1, max_value=1000, initial=25, label="Limit")
    use_index = forms.CharField(required=False, label="Use index (design document, or ddoc/name)")
    execution_stats = forms.BooleanField(required=False, label="Execution statistics")
    mode = forms.ChoiceField(choices=[("table", "Table"), ("json", "JSON")], required=False, initial="table",
                             label="Show results as")
    bookmark = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_sort(self):
        try:
            return parse_sort(self.cleaned_data.get("sort"))
        except (ValueError, jsontext.JsonSyntaxError) as exc:
            raise forms.ValidationError(str(exc)) from None

    def query(self):
        """The _find body these fields describe."""
        data = self.cleaned_data
        query = {"selector": data["selector"] if data["selector"] is not None else {}, "limit": data["limit"]}
        fields = [f.strip() for f in (data.get("fields") or "").split(",") if f.strip()]
        if fields:
            query["fields"] = fields
        if data["sort"]:
            query["sort"] = data["sort"]
        use_index = (data.get("use_index") or "").strip()
        if use_index:
            query["use_index"] = use_index.split("/", 1) if "/" in use_index else use_index
        if data.get("execution_stats"):
            query["execution_stats"] = True
        return query

    def as_saved(self):
        """The form's own text, to store in history and load back exactly as typed."""
        return {name: self.data.get(name, "") for name in ("selector", "fields", "sort", "limit", "use_index")}


class SaveQueryForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name for this query")


class IndexForm(forms.Form):
    fields = forms.CharField(label="Fields (e.g. “type, price desc”)")
    name = forms.CharField(required=False, max_length=200, label="Index name (optional)")
    ddoc = forms.CharField(required=False, max_length=200, label="Design document (optional)")
    partial_filter_selector = JsonField(expect=dict, required=False, label="Partial filter selector (JSON, optional)",
                                        widget=forms.Textarea(attrs={"rows": 3, "class": "json-text"}))
    index_type = forms.ChoiceField(choices=[("json", "json"), ("text", "text")], initial="json", label="Type")

    def clean_fields(self):
        try:
            specs = parse_sort(self.cleaned_data["fields"])
        except (ValueError, jsontext.JsonSyntaxError) as exc:
            raise forms.ValidationError(str(exc)) from None
        if not specs:
            raise forms.ValidationError("Name at least one field.")
        return [next(iter(s.items())) for s in specs]


REDUCE_CHOICES = [("", "none"), ("_count", "_count"), ("_sum", "_sum"), ("_stats", "_stats"),
                  ("_approx_count_distinct", "_approx_count_distinct"), ("custom", "custom JavaScript")]


class NewDesignForm(forms.Form):
    name = forms.CharField(max_length=500, label="Design document name (after _design/)")


def views_from_post(post):
    """The views a design-document form describes: rows view-N-name/map/reduce/custom."""
    views, errors = {}, []
    indexes = sorted({key.split("-")[1] for key in post if key.startswith("view-") and key.count("-") >= 2},
                     key=lambda i: (not i.isdigit(), int(i) if i.isdigit() else 0))
    for i in indexes:
        name = post.get(f"view-{i}-name", "").strip()
        map_fn = post.get(f"view-{i}-map", "").replace("\r\n", "\n")
        if not name and not map_fn.strip():
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


class ViewQueryForm(forms.Form):
    """Every view query option, typed in the query string so results can be bookmarked."""

    key = JsonField(required=False, label="key (JSON)")
    keys = JsonField(required=False, expect=list, label="keys (JSON array)")
    startkey = JsonField(required=False, label="startkey (JSON)")
    startkey_docid = forms.CharField(required=False, strip=False, label="startkey_docid")
    endkey = JsonField(required=False, label="endkey (JSON)")
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

    def clean(self):
        data = super().clean()
        if data.get("keys") is not None and any(data.get(k) is not None for k in ("key", "startkey", "endkey")):
            raise forms.ValidationError("keys cannot be combined with key, startkey or endkey.")
        return data

    def couch_params(self, limit):
        """The query string CouchDB expects (JSON-encoded keys), asking one row more than shown."""
        data = self.cleaned_data
        params = {}
        for name in ("key", "keys", "startkey", "endkey"):
            if data.get(name) is not None:
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


class PermissionChangeForm(forms.Form):
    section = forms.ChoiceField(choices=[("admins", "Admins"), ("members", "Members")], label="Section")
    kind = forms.ChoiceField(choices=[("names", "User name"), ("roles", "Role")], label="By")
    value = forms.CharField(max_length=500, strip=True, label="Name or role")
    op = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")], initial="add", widget=forms.HiddenInput)


def _roles(text):
    return [r.strip() for r in (text or "").split(",") if r.strip()]


class RolesField(forms.CharField):
    def to_python(self, value):
        roles = _roles(super().to_python(value))
        for role in roles:
            if role.startswith("_"):
                raise forms.ValidationError(f"Roles starting with “_” are CouchDB's own: “{role}”.")
        return roles


class NewUserForm(forms.Form):
    name = forms.CharField(max_length=500, label="User name")
    password = forms.CharField(max_length=1024, strip=False, widget=forms.PasswordInput(render_value=False),
                               label="Password")
    roles = RolesField(required=False, label="Roles (comma-separated)")

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name.startswith("_") or ":" in name:
            raise forms.ValidationError("A user name may not start with “_” or contain “:”.")
        return name


class UserRolesForm(forms.Form):
    roles = RolesField(required=False, label="Roles (comma-separated)")


class PasswordForm(forms.Form):
    password = forms.CharField(max_length=1024, strip=False, widget=forms.PasswordInput, label="New password")
    confirm = forms.CharField(max_length=1024, strip=False, widget=forms.PasswordInput, label="New password again")

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm"):
            raise forms.ValidationError("The two passwords differ.")
        return data


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=100, label="Action")
    who = forms.CharField(required=False, max_length=300, label="Who")
    target = forms.CharField(required=False, max_length=300, label="Target contains")
    bookmark = forms.CharField(required=False, max_length=10_000, widget=forms.HiddenInput)
