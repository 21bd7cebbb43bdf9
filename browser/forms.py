"""Every input, query strings included, goes through one of these forms."""

import json
import re
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from browser.couch import jsontext
from browser.couch.changes import ChangeFilter
from browser.couch.databases import database_name_problem
from browser.couch.documents import DESIGN_PREFIX, id_problem, partitioned_id_problem
from browser.couch.partitions import PARTITION_MOST, partition_problem
from browser.couch.saved_queries import HISTORY_KEPT, NAME_MOST, QUERY_FIELDS
from browser.couch.tasks import SORT_ORDERS, TASK_KINDS

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
    mismatch = "The name you typed does not match the database name."

    def __init__(self, *args, database, **kwargs):
        self.expected = database
        super().__init__(*args, **kwargs)

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"]
        if typed != self.expected:
            raise forms.ValidationError(self.mismatch)
        return typed


class GlobalChangesCreateForm(DatabaseDeleteForm):
    """Creating CouchDB's _global_changes database changes the whole server: confirmed by typing its name."""

    confirm_name = forms.CharField(max_length=238, strip=False, label="Type _global_changes to confirm")
    mismatch = "The name you typed is not “_global_changes”: nothing was created."


class UserDeleteForm(DatabaseDeleteForm):
    confirm_name = forms.CharField(max_length=1000, strip=False, label="Type the user name to confirm")
    mismatch = "The name you typed does not match the user name."

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, database=user, **kwargs)


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


class PartitionNameField(RuleCheckedField):
    """A partition of a partitioned database (issue 14): no ":", no leading "_"."""

    def __init__(self, **kwargs):
        super().__init__(problem=partition_problem, max_length=PARTITION_MOST, **kwargs)


class PartitionOpenForm(forms.Form):
    partition = PartitionNameField(label="Partition name",
                                   help_text="The part of the document ids before the “:”, e.g. “sensor-1”.")


class ShardLookupForm(forms.Form):
    docid = forms.CharField(max_length=4000, strip=False, label="Document id",
                            help_text="Any id: the document need not exist.")


class NewDocumentForm(forms.Form):
    """The id of a new document: typed here, or as "_id" in the JSON (`typed_id`), or left to the server
    (except in a partitioned database, where it must be "partition:id")."""

    docid = DocumentIdField(required=False, label="Document id",
                            help_text="Leave empty for an id from the server (or give “_id” in the JSON). Start "
                                      "with _design/ for a design document or _local/ for a local one.")
    # An empty document is created only when asked for: an empty or truncated POST must not make one.
    create_empty = forms.BooleanField(required=False, label="Create it empty (no fields)")

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
    rev = RevisionField(widget=forms.HiddenInput,
                        error_messages={"required": "The page did not say which revision to delete; reload it."})


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
    # The revision whose body the page put in the box: the box left as it was keeps the chosen revision.
    filled_from = RevisionField(required=False, widget=forms.HiddenInput)


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
    # Given only from the page that showed what the new name would replace.
    replace = forms.BooleanField(required=False)


class UploadForm(forms.Form):
    rev = RevisionField(required=False)
    # Browsers send only a file's base name; this lets one file be stored as "dir/sub/file.json".
    name = AttachmentNameField(required=False, label="Store as (optional, one file)")
    replace = forms.BooleanField(required=False, label="Replace an attachment that has the same name")

    def clean(self):
        if not self.files.getlist("files"):
            raise forms.ValidationError("Choose at least one file.")
        return super().clean()


class NewWithFilesForm(forms.Form):
    """A new document for files: the files come along, or a script says how many it uploads next (the document
    is created first, empty, so that each file's upload shows its progress)."""

    files_follow = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean(self):
        data = super().clean()
        if not self.files.getlist("files") and not data.get("files_follow"):
            raise forms.ValidationError("Choose at least one file: a new document is made to hold files.")
        return data


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
            parsed = jsontext.loads_strict(text.replace("\r\n", "\n"))
        except jsontext.JsonSyntaxError as exc:
            raise forms.ValidationError(f"Invalid JSON at line {exc.line}, column {exc.column}: {exc.message}.") \
                from None
        if self.expect is dict and not isinstance(parsed, dict):
            raise forms.ValidationError("This must be a JSON object: { … }.")
        if self.expect is list and not isinstance(parsed, list):
            raise forms.ValidationError("This must be a JSON array: [ … ].")
        return parsed


# CouchDB answers a key 600 deep in a URL with a bare 400 (its request line is full) and keeps a
# selector 10,000 deep; no query a person means nests past a few levels.
QUERY_DEPTH_MOST = 100
TOO_DEEP = f"This JSON is nested deeper than {QUERY_DEPTH_MOST} levels; a query may nest at most {QUERY_DEPTH_MOST}."
SORT_DIRECTIONS = ("asc", "desc")


def json_depth(value):
    """How many containers deep a parsed JSON value goes (a scalar is 0), level by level, without recursion."""
    depth, level = 0, [value]
    while level:
        containers = [v for v in level if isinstance(v, (dict, list))]
        if not containers:
            break
        depth += 1
        level = [item for c in containers for item in (c.values() if isinstance(c, dict) else c)]
    return depth


class QueryJsonField(JsonField):
    """JSON in a query (selector, key, filter), at most QUERY_DEPTH_MOST levels deep; `missing` is the value
    of an empty field, so that a typed `null` is told from nothing typed."""

    def __init__(self, *, missing=None, **kwargs):
        self.missing = missing
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value or not str(value).strip():
            return self.missing
        parsed = super().to_python(value)
        if json_depth(parsed) > QUERY_DEPTH_MOST:
            raise forms.ValidationError(TOO_DEEP)
        return parsed


def parse_sort(text):
    """`price desc, name` or JSON `[{"price": "desc"}, "name"]` -> [{"price": "desc"}, {"name": "asc"}]."""
    text = (text or "").strip()
    if not text:
        return []
    if text[0] in "[{":
        return _sort_from_json(jsontext.loads_strict(text))
    specs = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        direction = words[1].lower() if len(words) > 1 else "asc"
        if direction not in SORT_DIRECTIONS or len(words) > 2:
            raise ValueError(f"“{part.strip()}” is not “field” or “field asc|desc”.")
        specs.append({words[0]: direction})
    return specs


def _sort_from_json(parsed):
    if json_depth(parsed) > QUERY_DEPTH_MOST:
        raise ValueError(TOO_DEEP)
    if not isinstance(parsed, list):
        raise ValueError('A sort written in JSON is an array: [{"field": "asc"}, "other field"].')
    specs = []
    for place, item in enumerate(parsed, 1):
        if isinstance(item, str) and not isinstance(item, jsontext.JsonNumber) and item:
            specs.append({item: "asc"})
        elif isinstance(item, dict) and len(item) == 1 and next(iter(item.values())) in SORT_DIRECTIONS:
            specs.append(dict(item))
        else:
            raise ValueError(f'Item {place} of the sort is not "field" or {{"field": "asc"}} (or "desc").')
    return specs


BOOKMARK_MOST = 4000
BACK_KEPT = 20


class BookmarkStackField(forms.Field):
    """`back`, repeated in the query string: the bookmarks of the pages before this one, oldest first; only
    the last BACK_KEPT are kept (the page then still offers the first page)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else ([value] if value else [])
        if any(not isinstance(v, str) or len(v) > BOOKMARK_MOST for v in values):
            raise forms.ValidationError(f"A bookmark is text of at most {BOOKMARK_MOST} characters.")
        return list(values)[-BACK_KEPT:]


class MangoForm(forms.Form):
    selector = QueryJsonField(expect=dict, widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false",
                                                                        "class": "json-text"}),
                              label="Selector (JSON)", initial='{\n  "_id": {"$gt": null}\n}')
    fields = forms.CharField(required=False, label="Fields (comma-separated; empty for whole documents)")
    sort = forms.CharField(required=False, label="Sort (e.g. “price desc, name”)")
    limit = forms.IntegerField(min_value=1, max_value=1000, initial=25, label="Limit")
    use_index = forms.CharField(required=False, label="Use index (design document, or ddoc/name)")
    partition = PartitionNameField(required=False, label="Within partition (partitioned databases only)")
    execution_stats = forms.BooleanField(required=False, label="Execution statistics")
    mode = forms.ChoiceField(choices=[("table", "Table"), ("json", "JSON")], required=False, initial="table",
                             label="Show results as")
    bookmark = forms.CharField(required=False, max_length=BOOKMARK_MOST, widget=forms.HiddenInput)
    back = BookmarkStackField()
    page = forms.IntegerField(required=False, min_value=1, max_value=10**9, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(a, a) for a in ("run", "explain", "save", "create-index", "next")],
                               required=False, widget=forms.HiddenInput)

    def clean_action(self):
        return self.cleaned_data.get("action") or "run"

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
            query["use_index"] = _use_index(use_index)
        if data.get("execution_stats"):
            query["execution_stats"] = True
        return query

    def as_saved(self):
        """The form's own text, to store in history and load back exactly as typed."""
        return {name: self.data.get(name, "") for name in QUERY_FIELDS}

    def page_query(self, bookmark="", back=(), page=1):
        """The query string of one page of this query's results, as typed (a GET, so it can be bookmarked)."""
        params = {"run": "1", **self.as_saved()}
        for name in ("execution_stats", "mode"):
            if self.cleaned_data.get(name):
                params[name] = "on" if name == "execution_stats" else self.cleaned_data[name]
        if bookmark:
            params.update(bookmark=bookmark, page=str(page))
        pairs = [(k, v) for k, v in params.items() if v not in ("", None)]
        return urlencode(pairs + [("back", b) for b in list(back)[-BACK_KEPT:]])


def _use_index(text):
    """`_design/x`, `x`, `x/name` or `_design/x/name` as _find's use_index: "_design/x" or ["_design/x", "name"]."""
    ddoc, slash, name = text.removeprefix(DESIGN_PREFIX).partition("/")
    return [DESIGN_PREFIX + ddoc, name] if slash else DESIGN_PREFIX + ddoc


class MangoOpenForm(forms.Form):
    """The Mango page's query string: a query from the history (by place) or a saved one (by name)."""

    history = forms.IntegerField(required=False, min_value=0, max_value=HISTORY_KEPT - 1,
                                 error_messages={"invalid": "A place in the history is a whole number."})
    saved = forms.CharField(required=False, strip=False, max_length=NAME_MOST)
    partition = PartitionNameField(required=False)


class SaveQueryForm(forms.Form):
    name = forms.CharField(max_length=NAME_MOST, label="Name for this query")


class IndexForm(forms.Form):
    fields = forms.CharField(label="Fields (e.g. “type, price desc”)")
    name = forms.CharField(required=False, max_length=200, label="Index name (optional)")
    ddoc = forms.CharField(required=False, max_length=200, label="Design document (optional)")
    partial_filter_selector = QueryJsonField(expect=dict, required=False,
                                             label="Partial filter selector (JSON, optional)",
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


class IndexDeleteForm(forms.Form):
    ddoc = forms.CharField(max_length=4000, strip=False)
    type = forms.CharField(max_length=100)
    name = forms.CharField(max_length=4000, strip=False)


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


class MaintenanceForm(forms.Form):
    action = forms.ChoiceField(choices=[("compact", "compact"), ("compact-views", "compact-views"),
                                        ("cleanup", "cleanup")],
                               error_messages={"invalid_choice": "“%(value)s” is not a maintenance action."})
    ddoc = forms.CharField(required=False, max_length=4000, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "compact-views" and not data.get("ddoc"):
            raise forms.ValidationError("Say which design document's views to compact.")
        return data


class PermissionChangeForm(forms.Form):
    section = forms.ChoiceField(choices=[("admins", "Admins"), ("members", "Members")], label="Section")
    kind = forms.ChoiceField(choices=[("names", "User name"), ("roles", "Role")], label="By")
    value = forms.CharField(max_length=500, strip=True, label="Name or role",
                            widget=forms.TextInput(attrs={"list": "user-names", "autocomplete": "off"}))
    op = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")], initial="add", widget=forms.HiddenInput)
    unknown_ok = forms.BooleanField(required=False, label="Add this name although no such user exists (yet)")


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


class QueryStringForm(forms.Form):
    """Paging and display parameters: a missing or malformed one reads as None, and the page starts over."""

    def value(self, name):
        self.is_valid()
        return self.cleaned_data.get(name) or None


class EditorActionForm(QueryStringForm):
    """What an editor post asks for besides saving: a row operation, a switch of editor, save over a rev."""

    op = forms.CharField(required=False, max_length=10_000)
    switch = forms.ChoiceField(required=False, choices=[("form", "form"), ("text", "text"), ("merge", "merge")])
    overwrite_rev = RevisionField(required=False)
    mode = forms.ChoiceField(required=False, choices=[("form", "form"), ("text", "text")])


class DocumentViewForm(QueryStringForm):
    download = forms.ChoiceField(required=False, choices=[("json", "json")])
    rev = RevisionField(required=False)


class AttachmentViewForm(QueryStringForm):
    preview = forms.CharField(required=False, max_length=10_000)
    inline = forms.BooleanField(required=False)


class BulkDeleteForm(QueryStringForm):
    """The selection ("<rev> <id>" each) and whether the person has confirmed it."""

    selected = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    confirmed = forms.ChoiceField(required=False, choices=[("yes", "yes")])

    def clean_selected(self):
        return [pair for pair in (_selection(v) for v in (self.cleaned_data["selected"] or [])[:10_000]) if pair]

    def valid_selected(self):
        self.is_valid()
        return self.cleaned_data.get("selected") or []


def _selection(value):
    rev, _, docid = str(value).partition(" ")
    return (docid, rev) if docid and _REV_RE.match(rev) else None


class RestoreRevisionForm(forms.Form):
    rev = RevisionField()
    current_rev = RevisionField()


class UserActionForm(QueryStringForm):
    action = forms.ChoiceField(required=False, choices=[(a, a) for a in ("roles", "password", "delete")])


class NextForm(QueryStringForm):
    next = forms.CharField(required=False, max_length=4000)


class StartForm(QueryStringForm):
    start = forms.CharField(required=False, max_length=1000)


class AccessScanForm(StartForm):
    scanned = forms.IntegerField(required=False, min_value=0, max_value=10**9)


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=100, label="Action")
    who = forms.CharField(required=False, max_length=300, label="Who")
    target = forms.CharField(required=False, max_length=300, label="Target contains")
    bookmark = forms.CharField(required=False, max_length=10_000, widget=forms.HiddenInput)
    check = forms.BooleanField(required=False, label="Check the whole chain")


# The changes feed: what to show and where a page starts. Sequences are opaque strings (long on clusters).
SEQUENCE_MOST = 20_000
CHANGE_ORDERS = [("newest", "Newest first"), ("oldest", "Oldest first")]
CHANGES_FEED_FIELDS = ("order", "id_prefix", "selector", "filter", "include_docs", "since", "live")


class SequenceField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=SEQUENCE_MOST, **kwargs)


class ChangesForm(forms.Form):
    order = forms.ChoiceField(required=False, choices=CHANGE_ORDERS, label="Order")
    id_prefix = forms.CharField(required=False, max_length=1000, strip=False, label="Document id starts with")
    selector = QueryJsonField(required=False, expect=dict, max_length=10_000, label="Mango selector",
                              widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
                              help_text='Only changes of documents matching it, e.g. {"type": "order"}.')
    filter = forms.CharField(required=False, max_length=1000, label="Design filter", widget=forms.Select)
    include_docs = forms.BooleanField(required=False, label="Show the documents")
    since = SequenceField(label="Start after sequence (oldest first)")
    live = forms.ChoiceField(required=False, choices=[("on", "on"), ("off", "off")], widget=forms.HiddenInput)
    top = SequenceField(widget=forms.HiddenInput)
    skip = forms.IntegerField(required=False, min_value=0, max_value=10**6, widget=forms.HiddenInput)
    below = forms.CharField(required=False, max_length=SEQUENCE_MOST, strip=False, widget=forms.HiddenInput)
    after = SequenceField(widget=forms.HiddenInput)
    arrived = forms.IntegerField(required=False, min_value=0, max_value=10**9, widget=forms.HiddenInput)

    def offer_filters(self, design_filters):
        """The design filters to choose from (and the one asked for, known or not)."""
        current = self.data.get("filter") or ""
        names = list(design_filters) + ([current] if current and current not in design_filters else [])
        self.fields["filter"].widget.choices = [("", "(none)")] + [(n, n) for n in names]

    def clean_filter(self):
        name = self.cleaned_data["filter"]
        if name and "/" not in name.strip("/"):
            raise forms.ValidationError("A design filter is named “design document/filter”.")
        return name

    def clean(self):
        data = super().clean()
        if data.get("filter") and (data.get("id_prefix") or data.get("selector") is not None):
            raise forms.ValidationError("CouchDB applies one filter at a time: choose a design filter, or an id "
                                        "prefix and a selector.")
        return data

    def mark_lacking(self, *names):
        """Shown but greyed out: the server cannot filter this way (the page says so)."""
        for name in names:
            self.fields[name].widget.attrs.update({"disabled": True, "aria-describedby": "filters-lacking"})

    def change_filter(self):
        data = self.cleaned_data
        return ChangeFilter(id_prefix=data.get("id_prefix") or "", selector=data.get("selector"),
                            design_filter=data.get("filter") or "")

    @property
    def oldest_first(self):
        return self.cleaned_data.get("order") == "oldest"

    def query(self, **overrides):
        """The query string of this feed (as the person typed it) with some parameters changed."""
        values = {name: self.data.get(name) for name in CHANGES_FEED_FIELDS}
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


class TaskListForm(forms.Form):
    type = forms.ChoiceField(required=False, label="Type", choices=[("", "All types"), *TASK_KINDS.items()])
    sort = forms.ChoiceField(required=False, label="Sort by", choices=list(SORT_ORDERS.items()))


THEMES = ("system", "dark", "light")


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(choices=[(t, t) for t in THEMES])

    @staticmethod
    def chosen(value):
        return value if value in THEMES else "system"

    @staticmethod
    def after(theme):
        """The theme the toggle offers next: system → dark → light → system."""
        return THEMES[(THEMES.index(theme) + 1) % len(THEMES)]
