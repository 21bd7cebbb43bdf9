"""Benchmark: the document editor (form and text) with documents of 1 KiB to 5 MiB, beside CouchDB.

    .venv/bin/python -m bench.editor_sizes [--runs 3] [--sizes 1,100,1024,5120]

Runs the dashboard under gunicorn (one sync worker) against the benchmark server. For each size (in
KiB) it stores a document of small objects (like an order list), then times (median of --runs) the
editor opening as text and in the form, and saving from each, beside CouchDB's own GET and PUT of the
same document; reports each as a ratio, the form's HTML per value, and the worker's peak memory
(VmHWM) after each size. A document past the form's limits opens as text: its form is then asked for
explicitly with the Form button, as a person would; past the form's hard limits that is refused.
"""

import argparse
import uuid

from bench.attachments_transfer import peak_and_current_kib, start_dashboard, worker_pid
from bench.common import admin_http, benchmark_server, dashboard_session, median_seconds
from browser.couch import jsontext
from browser.editor.rows import ROW_BUDGET, nodes_from_value, shape


def document_of(kib):
    """A body of small objects about `kib` KiB long as compact JSON."""
    items, length, i = [], 20, 0
    while length < kib * 1024:
        item = {"id": i, "name": f"item {i}", "price": jsontext.JsonNumber(f"{12.5 + i}"), "tags": ["a", "b"],
                "paid": i % 2 == 0, "note": None}
        length += len(jsontext.dumps(item)) + 1
        items.append(item)
        i += 1
    return {"items": items}


def form_fields(body):
    """What the browser posts for the form editor holding `body`: its rows, and JSON fields past the budget."""
    fields = {"f:r:t": "object"}
    pending = list(nodes_from_value(body, budget=ROW_BUDGET).children)
    while pending:
        node = pending.pop()
        fields[f"f:{node.path}:t"] = node.type
        if node.key is not None:
            fields[f"f:{node.path}:k"] = node.key
        if not node.is_container:
            fields[f"f:{node.path}:v"] = node.value
        pending.extend(node.children)
    return fields


class Editor:
    """The dashboard's editor for one document, and CouchDB's own GET/PUT of it."""

    def __init__(self, couch, couch_url, dash, dash_url, csrf, db, docid, body):
        self.couch, self.doc_url = couch, f"{couch_url}{db}/{docid}"
        self.dash, self.edit_url, self.csrf = dash, f"{dash_url}/db/{db}/edit/{docid}", csrf
        self.body, self.text = body, jsontext.dumps(body)
        self.pretty = jsontext.dumps(body, indent=2)
        self.form_html = ""

    def rev(self):
        return self.couch.get(self.doc_url).json()["_rev"]

    def couch_get(self):
        self.couch.get(self.doc_url).raise_for_status()

    def couch_put(self):
        text = self.text[:-1] + f',"_rev":"{self.rev()}"}}'
        self.couch.put(self.doc_url, data=text.encode(), headers={"Content-Type": "application/json"},
                       timeout=300).raise_for_status()

    def _post(self, fields):
        """Posted as multipart/form-data, as the editor's form is."""
        multipart = {name: (None, value) for name, value in fields.items()}
        return self.dash.post(self.edit_url, files=multipart, allow_redirects=False, timeout=900,
                              headers={"X-CSRFToken": self.csrf, "Referer": self.edit_url})

    def text_render(self):
        answer = self.dash.get(self.edit_url, params={"mode": "text"}, timeout=900)
        assert answer.status_code == 200 and 'value="text"' in answer.text

    def text_save(self):
        answer = self._post({"mode": "text", "base_rev": self.rev(), "text": self.pretty})
        assert answer.status_code == 302, answer.text[:300]

    def form_render(self):
        """The form as a person reaches it: the Edit link, or the Form button when that opens text."""
        answer = self.dash.get(self.edit_url, timeout=900)
        if 'name="mode" value="form"' not in answer.text:
            answer = self._post({"mode": "text", "base_rev": self.rev(), "text": self.pretty, "switch": "form"})
        self.form_html = answer.text if 'name="mode" value="form"' in answer.text else ""

    def form_save(self):
        answer = self._post({"mode": "form", "base_rev": self.rev(), **form_fields(self.body)})
        assert answer.status_code == 302, answer.text[:300]


def measure(editor, runs):
    steps = (("couch GET", editor.couch_get), ("couch PUT", editor.couch_put), ("text render", editor.text_render),
             ("text save", editor.text_save), ("form render", editor.form_render))
    results = {label: median_seconds(step, runs) for label, step in steps}
    results["form save"] = median_seconds(editor.form_save, runs) if editor.form_html else None
    return results


def form_bytes_per_value(html, body):
    """The form's HTML per value of the document (its rows and JSON fields together), and its rows."""
    rows = html.count('class="field-row')
    start, end = html.find('data-path="r"'), html.find("Apply type changes")
    values, _ = shape(body, float("inf"), float("inf"))
    return (end - start) / values if rows else None, rows


def report(kib, body, results, html, peak_mib):
    per_value, rows = form_bytes_per_value(html, body)
    get, put = results["couch GET"], results["couch PUT"]
    print(f"{kib} KiB document ({len(jsontext.dumps(body)) / 1024:.0f} KiB, {rows or 'form refused'} form rows); "
          f"worker peak {peak_mib:.0f} MiB")
    for label, seconds in results.items():
        if seconds is None:
            print(f"  {label:12s}      n/a (the form is refused at this size)")
            continue
        base = get if label in ("text render", "form render") else put
        ratio = "" if label.startswith("couch") else f"  {seconds / base:6.2f}x CouchDB"
        print(f"  {label:12s} {seconds * 1000:9.1f} ms{ratio}")
    if results["form save"] is not None:
        print(f"  form / text: render {results['form render'] / results['text render']:.2f}x, "
              f"save {results['form save'] / results['text save']:.2f}x; form HTML {per_value:.0f} bytes per value")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,100,1024,5120", help="document sizes in KiB")
    args = parser.parse_args()

    with benchmark_server() as (couch_url, name, password):
        couch = admin_http(name, password)
        db = f"bench-editor-{uuid.uuid4().hex[:8]}"
        couch.put(couch_url + db).raise_for_status()
        dashboard, dash_url = start_dashboard(couch_url)
        try:
            http, csrf = dashboard_session(dash_url, name, password)
            pid = worker_pid(dashboard.pid)
            _, rss_before = peak_and_current_kib(pid)
            print(f"dashboard worker RSS before: {rss_before / 1024:.0f} MiB; median of {args.runs} runs")
            for kib in (int(size) for size in args.sizes.split(",")):
                body = document_of(kib)
                docid = f"doc-{kib}k"
                couch.put(f"{couch_url}{db}/{docid}", data=jsontext.dumps(body).encode(),
                          headers={"Content-Type": "application/json"}, timeout=300).raise_for_status()
                editor = Editor(couch, couch_url, http, dash_url, csrf, db, docid, body)
                results = measure(editor, args.runs)
                peak, _ = peak_and_current_kib(pid)
                report(kib, body, results, editor.form_html, peak / 1024)
        finally:
            dashboard.terminate()
            dashboard.wait()
            couch.delete(couch_url + db)


if __name__ == "__main__":
    main()
