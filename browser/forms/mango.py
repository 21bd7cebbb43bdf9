"""Forms of the Mango query page: the query, its sort, paging by bookmark, and the saved queries and history."""

from urllib.parse import urlencode

from django import forms

from browser.couch import jsontext
from browser.couch.documents import DESIGN_PREFIX
from browser.couch.saved_queries import HISTORY_KEPT, NAME_MOST, QUERY_FIELDS
from browser.forms.fields import QUERY_DEPTH_MOST, TOO_DEEP, PartitionNameField, QueryJsonField, json_depth

SORT_DIRECTIONS = ("asc", "desc")


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
    # Sent by "Run the full scan anyway", and kept in the links to further pages of what it found.
    full_scan = forms.BooleanField(required=False, widget=forms.HiddenInput)

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
        for name in ("execution_stats", "mode", "full_scan"):
            if self.cleaned_data.get(name):
                params[name] = self.cleaned_data[name] if name == "mode" else "on"
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
