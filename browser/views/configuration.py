"""Configuration: every section and key per node, compared across a cluster's nodes; set, add and delete a
key on one node or all of them with a typed confirmation; CORS explained. Server admins only; secrets are
masked by the service layer (browser/couch/configuration.py) before anything reaches a template."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from browser.audit_trail import audited
from browser.capabilities import needs
from browser.couch.configuration import (
    ALL_NODES,
    cluster_nodes,
    current_values,
    delete_value,
    is_secret,
    read_configuration,
    set_value,
)
from browser.denials import server_admin_required
from browser.forms.configuration import (
    ConfigChangeAskedForm,
    ConfigDeleteForm,
    ConfigFilterForm,
    ConfigSetForm,
    node_choices,
)
from browser.responses import render_page_or_fragment

# Keys whose change can cut the dashboard (or everyone) off: said on the confirmation page.
RISKY = {("chttpd", "port"): "the server stops answering on its current port",
         ("chttpd", "bind_address"): "the server may stop answering on its current address",
         ("httpd", "port"): "the node-local port moves", ("httpd", "bind_address"): "the node-local address moves",
         ("chttpd_auth", "secret"): "every login session ends at once (the dashboard's included)",
         ("couch_httpd_auth", "secret"): "every login session ends at once (the dashboard's included)",
         ("chttpd", "require_valid_user"): "anonymous requests are refused, the login page's included",
         ("couchdb", "uuid"): "replications restart from scratch (their ids derive from it)"}


def _nodes(client):
    return cluster_nodes(client) or ["_local"]


def _link(name, **params):
    return reverse(name) + "?" + urlencode(params)


@require_GET
@server_admin_required
def config_page(request):
    client = request.couch
    nodes = _nodes(client)
    form = ConfigFilterForm(request.GET, nodes=nodes, default=ALL_NODES if len(nodes) > 1 else nodes[0])
    chosen = form.chosen_node()
    shown = nodes if chosen == ALL_NODES else [chosen]
    config = read_configuration(client, shown)
    editable = client.flavour.edits_node_config
    sections = [{"name": s.name, "rows": [_row(r, chosen, editable) for r in s.rows]}
                for s in config.filtered(form.value("q"), form.value("section"), form.value("differing"))]
    context = {"form": form, "config": config, "sections": sections, "chosen": chosen, "editable": editable,
               "node_choices": node_choices(nodes), "comparing": len(shown) > 1, "server_name": client.flavour.name,
               "cors": _cors_by_setting(config), "not_editable": client.flavour.lacking("edits_node_config"),
               "add_url": _link("browser:config-set", node=chosen)}
    return render_page_or_fragment(request, "browser/config.html", "browser/_config_sections.html", context)


def _cors_by_setting(config):
    """Nodes with the same CORS settings share one entry: [(node names, summary)]."""
    groups = {}
    for node, summary in zip(config.nodes, config.cors, strict=True):
        groups.setdefault(summary, []).append(node.name)
    return [(names, summary) for summary, names in groups.items()]


def _row(row, node, editable):
    links = {}
    if editable and row.section.lower() != "admins":
        links = {"edit_url": _link("browser:config-set", section=row.section, key=row.key, node=node),
                 "delete_url": _link("browser:config-delete", section=row.section, key=row.key, node=node)}
    return {"row": row, **links}


@require_http_methods(["GET", "POST"])
@server_admin_required
@needs("edits_node_config")
def config_set(request):
    return _change(request, ConfigSetForm)


@require_http_methods(["GET", "POST"])
@server_admin_required
@needs("edits_node_config")
def config_delete(request):
    return _change(request, ConfigDeleteForm)


def _change(request, form_class):
    client = request.couch
    nodes = _nodes(client)
    asked = ConfigChangeAskedForm(request.POST if request.method == "POST" else request.GET, nodes=nodes,
                                  default=nodes[0])
    section, key = asked.asked_key()
    extra = {"secret": is_secret(section, key)} if form_class is ConfigSetForm else {}
    if request.method == "GET":
        initial = {"section": section, "key": key, "node": asked.chosen_node()}
        return _change_page(request, form_class(initial=initial, nodes=nodes, **extra), nodes)
    form = form_class(request.POST, nodes=nodes, **extra)
    if not form.is_valid():
        return _change_page(request, form, nodes, status=400)
    return _apply(request, form, nodes)


def _apply(request, form, nodes):
    data = form.cleaned_data
    section, key, targets = data["section"], data["key"], form.target_nodes()
    deleting = isinstance(form, ConfigDeleteForm)
    action, outcomes = "config.delete" if deleting else "config.set", []
    for node in targets:
        with audited(request, action, f"{node} [{section}] {key}") as entry:
            if deleting:
                outcome = delete_value(request.couch, [node], section, key)[0]
            else:
                outcome = set_value(request.couch, [node], section, key, data["value"])[0]
            entry.before, entry.after = outcome.before, outcome.after
            if not outcome.ok:
                entry.failed(outcome.problem)
        outcomes.append(outcome)
    if not any(o.ok for o in outcomes):
        for outcome in outcomes:
            form.add_error(None, f"{outcome.node} {outcome.problem}: nothing was changed there.")
        return _change_page(request, form, nodes, status=400)
    _tell(request, outcomes, section, key, deleting)
    return redirect(_link("browser:config", node=data["node"], section=section))


def _tell(request, outcomes, section, key, deleting):
    for o in outcomes:
        if not o.ok:
            messages.error(request, f"[{section}] {key} on {o.node}: {o.problem}; nothing was changed there.")
        elif deleting:
            messages.success(request, f"[{section}] {key} deleted on {o.node}.")
        elif not o.existed:
            messages.success(request, f"[{section}] {key} added on {o.node}.")
        else:
            messages.success(request, f"[{section}] {key} changed on {o.node}.")


def _change_page(request, form, nodes, status=200):
    section = form.data.get("section") if form.is_bound else form.initial.get("section")
    key = form.data.get("key") if form.is_bound else form.initial.get("key")
    node = form.data.get("node") if form.is_bound else form.initial.get("node")
    shown = nodes if node == ALL_NODES else [n for n in nodes if n == node] or nodes[:1]
    current = current_values(request.couch, shown, section, key) if section and key else []
    _start_from_current(form, current)
    context = {"form": form, "section": section or "", "key": key or "", "current": current,
               "secret": is_secret(section or "", key or ""), "risk": RISKY.get((section, key)),
               "back_url": _link("browser:config", node=node or "", section=section or ""),
               "deleting": isinstance(form, ConfigDeleteForm)}
    return render(request, "browser/config_change.html", context, status=status)


def _start_from_current(form, current):
    """An edit starts from the value the nodes share (never a secret's: the service gives none)."""
    values = {c.cell.value for c in current if c.cell and c.cell.present and not c.cell.secret}
    if not form.is_bound and "value" in form.fields and len(values) == 1:
        form.initial["value"] = values.pop()
