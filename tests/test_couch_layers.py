"""browser/couch imports in layers, without a circle: wire at the bottom, then errors and jsontext, the flavour,
the client, and the concept modules above them (issue 25). Read from the source, no server needed."""

import ast
from pathlib import Path

COUCH = Path(__file__).resolve().parent.parent / "browser" / "couch"
PACKAGE = "browser.couch"


def _imports(tree, runtime_only):
    """The browser.couch modules a module imports, at run time (TYPE_CHECKING blocks left out) or at all."""
    found = set()
    for node in ast.walk(tree):
        if runtime_only and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # type-only imports: they never run
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            found.update(f"{node.module}.{a.name}" if node.module == PACKAGE else node.module for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(PACKAGE + "."))
    return {name.removeprefix(PACKAGE + ".") for name in found}


def graph(runtime_only=True):
    modules = {path.stem: path for path in COUCH.glob("*.py") if path.stem != "__init__"}
    return {name: _imports(ast.parse(path.read_text()), runtime_only) & modules.keys()
            for name, path in modules.items()}


def circles(edges):
    """Every import circle, as the path of modules that closes it."""
    found, done = [], set()

    def visit(name, path):
        if name in path:
            found.append(path[path.index(name):] + [name])
            return
        if name in done:
            return
        for other in sorted(edges[name]):
            visit(other, path + [name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])
    return found


def test_no_module_of_browser_couch_imports_itself_in_a_circle():
    assert circles(graph()) == []


def test_the_flavour_stands_on_the_client_and_what_the_client_stands_on_only():
    assert graph()["flavour"] <= {"errors", "jsontext", "wire"}
    assert graph(runtime_only=False)["flavour"] <= {"client", "changes", "errors", "jsontext", "wire"}
    assert graph()["wire"] == set()
    assert "flavour" in graph()["client"]
