"""The databases page (home): list, filter, page, open, create and delete databases."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from browser.audit_trail import audited
from browser.auth import recent_databases
from browser.couch.databases import (
    create_database,
    database_info,
    database_summaries,
    delete_database,
    list_databases,
)
from browser.couch.errors import BadRequest, CouchError, PreconditionFailed, Unauthorized
from browser.couch.session import current_user
from browser.denials import server_admin_required
from browser.forms.databases import DatabaseCreateForm, DatabaseDeleteForm, DatabaseListForm, OpenDatabaseForm
from browser.responses import render_page_or_fragment


@require_GET
def database_list(request):
    return _render_databases(request, create_form=DatabaseCreateForm())


def _render_databases(request, create_form, status=200):
    list_form = DatabaseListForm(request.GET)
    args = list_form.page_args()
    try:
        page = list_databases(request.couch, **args)
    except Unauthorized:
        if current_user(request.couch).is_anonymous:
            raise
        return _render_open_by_name(request, OpenDatabaseForm())
    databases = database_summaries(request.couch, page.names)
    context = {
        "list_form": list_form,
        "page": page,
        "prefix": args["prefix"],
        "databases": databases,
        "rows": _chart_rows(databases),
        "create_form": create_form if request.couch_user.is_server_admin else None,
    }
    return render_page_or_fragment(request, "browser/databases.html", "browser/_database_table.html",
                                   context, status=status)


def _chart_rows(databases):
    """Each database with bar lengths (0-100) for its documents, deleted documents and size, scaled to the
    largest on this page: the page is what the bars compare."""
    columns = {"docs": lambda d: d.doc_count, "deleted": lambda d: d.doc_del_count,
               "size": lambda d: d.active_size if d.active_size is not None else d.file_size}
    values = {key: [_count(get(db)) for db in databases] for key, get in columns.items()}
    most = {key: max((v for v in found if v is not None), default=0) for key, found in values.items()}
    return [{"db": db, **{key: _share(values[key][i], most[key]) for key in columns}}
            for i, db in enumerate(databases)]


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _share(value, most):
    if value is None or not most:
        return None if value is None else 0
    return max(1, round(100 * value / most)) if value else 0


def _render_open_by_name(request, open_form, status=200):
    # CouchDB 3 lets only server admins list databases; everyone else opens one by name.
    context = {"open_form": open_form, "recent": recent_databases(request.session)}
    return render(request, "browser/databases_by_name.html", context, status=status)


@require_GET
def database_open(request):
    form = OpenDatabaseForm(request.GET)
    if not form.is_valid():
        return _render_open_by_name(request, form, status=400)
    return redirect("browser:database", db=form.cleaned_data["name"])


@server_admin_required
@require_POST
def database_create(request):
    form = DatabaseCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        layout = {k: data[k] for k in ("partitioned", "shards_q", "replicas_n")}
        try:
            with audited(request, "database.create", data["name"], after=layout) as entry:
                kept = create_database(request.couch, data["name"], data["partitioned"],
                                       data["shards_q"], data["replicas_n"])
                entry.target = kept
        except PreconditionFailed:
            form.add_error("name", f"A database named “{data['name']}” already exists.")
        except BadRequest as exc:
            form.add_error("name", f"CouchDB refused this database: {exc.message}")
        else:
            _announce_created(request, data["name"], kept)
            _announce_layout(request, kept, data)
            return redirect("browser:database", db=kept)
    return _render_databases(request, create_form=form, status=400)


def _announce_created(request, asked, kept):
    if kept == asked:
        messages.success(request, f"Database “{kept}” created.")
    else:
        messages.warning(request, f"The server created the database as “{kept}”, not “{asked}” "
                                  f"({request.couch.flavour.name} drops “/” from names).")


def _announce_layout(request, name, asked):
    """What CouchDB actually gave the new database (GET /{db}): q, n and partitioned, and where that differs."""
    lacking = request.couch.flavour.lacking("has_shards")
    if lacking:
        if asked["partitioned"] or asked["shards_q"] or asked["replicas_n"]:
            messages.warning(request, f"{lacking} The shard, copy and partition settings you chose have no effect "
                                      "here.")
        return
    try:
        info = database_info(request.couch, name)
    except CouchError:
        return
    messages.info(request, f"“{name}” has {info.shards_q} shard{pluralize(info.shards_q)} (q) with "
                           f"{info.replicas_n} cop{pluralize(info.replicas_n, 'y,ies')} of each (n); "
                           f"{'partitioned' if info.partitioned else 'not partitioned'}.")
    differs = [f"{label} {got} (you asked for {want})" for label, want, got in
               (("q", asked["shards_q"], info.shards_q), ("n", asked["replicas_n"], info.replicas_n))
               if want and want != got]
    if differs:
        messages.warning(request, f"CouchDB gave {' and '.join(differs)}: n is capped by the nodes in the "
                                  "cluster and its settings.")


@server_admin_required
@require_http_methods(["GET", "POST"])
def database_delete(request, db):
    if db == settings.AUDIT_DATABASE:
        return render(request, "browser/database_delete.html", {"db": db, "audit_log": True}, status=403)
    form = DatabaseDeleteForm(request.POST or None, database=db)
    if request.method == "POST" and form.is_valid():
        try:
            with audited(request, "database.delete", db):
                delete_database(request.couch, db)
        except CouchError as exc:
            if exc.status in (401, 403):
                raise
            form.add_error(None, f"CouchDB did not delete the database: {exc.message}")
        else:
            messages.success(request, f"Database “{db}” deleted.")
            return redirect("browser:databases")
    status = 400 if form.errors else 200
    return render(request, "browser/database_delete.html", {"db": db, "form": form}, status=status)
