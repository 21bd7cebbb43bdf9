"""The layers of browser/ (ARCHITECTURE.md), read from the imports themselves: no import from a lower layer to a
higher one, no circle between modules, and no view module importing another."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "browser"

# Each package may import itself and the packages listed for it; "helpers" are browser/*.py.
MAY_IMPORT = {
    "couch": set(),
    "editor": {"couch"},
    "helpers": {"couch", "editor", "forms", "rendering"},
    "forms": {"couch", "editor", "helpers"},
    "rendering": {"couch", "editor", "helpers"},
    "management": {"couch", "helpers"},
    "views": {"couch", "editor", "forms", "helpers", "rendering"},
}
SITE_MAP = "browser.urls"  # the one module that names every view


def module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(path):
    """The browser modules `path` imports, anywhere in it but under `if TYPE_CHECKING:` (types only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in ast.walk(tree):
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
            block.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in MODULES and name != "browser"}


GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def package_of(name):
    if name == SITE_MAP:
        return "site map"
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in MAY_IMPORT else "helpers"


def test_every_package_imports_only_the_layers_below_it():
    wrong = []
    for name, imported in GRAPH.items():
        package = package_of(name)
        if package == "site map":
            continue
        allowed = MAY_IMPORT[package] | {package}
        wrong += [f"{name} -> {other}" for other in imported if package_of(other) not in allowed]
    assert not wrong, "\n".join(sorted(wrong))


def test_no_view_module_imports_another():
    wrong = [f"{name} -> {other}" for name, imported in GRAPH.items() if package_of(name) == "views"
             for other in imported if package_of(other) == "views" and other != "browser.views"]
    assert not wrong, "\n".join(sorted(wrong))


def test_no_circle_between_modules():
    # A package's __init__ that only holds a docstring takes no part; any circle is listed once.
    state, circles = {}, []

    def visit(name, trail):
        state[name] = "open"
        for other in sorted(GRAPH[name]):
            if state.get(other) == "open":
                circles.append(" -> ".join([*trail[trail.index(other):], other]))
            elif other not in state:
                visit(other, [*trail, other])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert not circles, "\n".join(circles)


@pytest.mark.parametrize("package", ["couch", "editor", "forms", "views", "rendering"])
def test_each_layer_is_a_package(package):
    assert (PACKAGE / package / "__init__.py").exists()


def test_the_architecture_table_names_modules_that_exist():
    """ARCHITECTURE.md's "one name across the layers" table names, for each endpoint family, the modules in
    couch/, forms/ and views/ and the templates: each must exist, so the map cannot drift from the code."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("## One name across the layers", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[2:6] for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) > 20
    missing = []
    for couch, forms, views, templates in rows:
        for package, cell in (("couch", couch), ("forms", forms), ("views", views)):
            missing += [f"browser/{package}/{name}.py" for name in re.findall(r"`(\w+)`", cell)
                        if not (PACKAGE / package / f"{name}.py").exists()]
        for pattern in re.findall(r"`([^`]+\.html)`", templates):
            if not list((ROOT / "templates" / "browser").glob(pattern)):
                missing.append(f"templates/browser/{pattern}")
    assert not missing, missing
