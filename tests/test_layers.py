"""The code's layers, checked from its imports (function-local ones included).

From the bottom up: pure modules (algorithms on plain values) ← models ← domain modules ← web (views,
forms, template tags, middleware) ← entry points (urls, management commands, settings). A module may
import its own layer and the ones below it, never one above. Two more rules keep the web layer flat:
a view module imports no other view module (shared plumbing lives in `argmap/views/__init__.py`, and
the tree rows every map view draws in `argmap/views/rows.py`),
and template tags import no views. Between the project's Django apps, imports go one way only.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "argmap"

# Lowest first. A module belongs to the first layer with a prefix that names it or a package above it;
# anything under argmap/ that no prefix names is a domain module.
LAYERS = {
    "pure": ("argmap.anchoring", "argmap.tree", "argmap.strength", "argmap.highlights",
             "argmap.sourcefiles", "argmap.usernames", "argmap.spreadsheet", "argmap.caching",
             "argmap.spans"),
    "models": ("argmap.models", "argmap.migrations"),
    "domain": ("argmap",),
    "web": ("argmap.views", "argmap.forms", "argmap.templatetags", "argmap.middleware", "argmap.classroom.middleware"),
    "entry": ("argmap.urls", "argmap.management", "argmap.settings", "argmap.wsgi", "argmap.asgi"),
}
ORDER = list(LAYERS)
# View plumbing that any view module may import, as it may import argmap.views itself.
SHARED_VIEW_MODULES = ("argmap.views.rows",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    best, best_length = None, -1
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = layer, len(prefix)
    return best


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(module: str, source: str, known: set[str]) -> set[str]:
    """The project modules that `source` (the text of `module`) imports, at any depth of the file."""
    package = module if module in known and (PACKAGE / "/".join(module.split(".")[1:]) / "__init__.py").exists() \
        else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from argmap import history` imports the module argmap.history, not a name of argmap.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        found.update(name for name in names if name == "argmap" or name.startswith("argmap."))
    found.discard(module)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {module: imports_of(module, path.read_text(), known) for module, path in modules.items()}


def layering_problems(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, imported in sorted(graph.items()):
        mine = layer_of(module)
        for other in sorted(imported):
            if other == "argmap":  # the package itself (its __init__ defines nothing)
                continue
            theirs = layer_of(other)
            if ORDER.index(theirs) > ORDER.index(mine):
                problems.append(f"{module} ({mine}) imports {other} ({theirs}), a layer above it")
            elif mine == "web" and theirs == "web" and module.startswith("argmap.views.") \
                    and other.startswith("argmap.views.") and other not in SHARED_VIEW_MODULES:
                problems.append(f"{module} imports the view module {other}: move what both need below the views")
            elif module.startswith("argmap.templatetags") and other.startswith("argmap.views"):
                problems.append(f"{module} is a template tag module and imports the view module {other}")
    return problems


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other in a loop (Tarjan's strongly connected components).
    A function-local import does not break a loop: it only hides it."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.get(module, ())):
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def project_apps() -> list[str]:
    return sorted(config.name for config in apps.get_app_configs() if config.name.startswith("argmap"))


def app_cycles(graph: dict[str, set[str]], app_names: list[str]) -> list[str]:
    def app_of(module: str) -> str | None:
        owners = [name for name in app_names if module == name or module.startswith(name + ".")]
        return max(owners, key=len) if owners else None

    depends = defaultdict(set)
    for module, imported in graph.items():
        for other in imported:
            a, b = app_of(module), app_of(other)
            if a and b and a != b:
                depends[a].add(b)
    return sorted(f"{a} and {b} import each other" for a in depends for b in depends[a] if a < b and a in depends[b])


def test_it_keeps_every_module_in_its_layer():
    problems = layering_problems(import_graph())
    assert not problems, "\n".join(problems)


def test_it_has_no_modules_importing_each_other_in_a_loop():
    assert not import_cycles(import_graph())


def test_it_reports_a_loop_hidden_by_a_function_local_import():
    known = {"argmap", "argmap.browsing", "argmap.permissions", "argmap.tree"}
    graph = {
        "argmap.browsing": imports_of("argmap.browsing", "from argmap.permissions import Access\n", known),
        "argmap.permissions": imports_of("argmap.permissions", "def f():\n    from argmap.browsing import hides\n", known),
        "argmap.tree": set(),
    }
    assert import_cycles(graph) == [["argmap.browsing", "argmap.permissions"]]


def test_it_keeps_the_apps_depending_one_way():
    assert not app_cycles(import_graph(), project_apps())


def test_it_reports_an_import_from_a_lower_layer_up():
    graph = {"argmap.tree": {"argmap.models"}, "argmap.models": {"argmap.permissions", "argmap.tree"},
             "argmap.permissions": {"argmap.views.maps", "argmap.models"}, "argmap.views.maps": {"argmap.permissions"}}
    assert layering_problems(graph) == [
        "argmap.models (models) imports argmap.permissions (domain), a layer above it",
        "argmap.permissions (domain) imports argmap.views.maps (web), a layer above it",
        "argmap.tree (pure) imports argmap.models (models), a layer above it",
    ]


def test_it_reports_views_importing_views_and_tags_importing_views():
    graph = {"argmap.views.maps": {"argmap.views.editing", "argmap.views"}, "argmap.templatetags.x": {"argmap.views.live"}}
    assert layering_problems(graph) == [
        "argmap.templatetags.x is a template tag module and imports the view module argmap.views.live",
        "argmap.views.maps imports the view module argmap.views.editing: move what both need below the views",
    ]


def test_it_reports_two_apps_importing_each_other():
    graph = {"argmap.classroom.exercises": {"argmap.models"}, "argmap.models": {"argmap.classroom.exercises"}}
    assert app_cycles(graph, ["argmap", "argmap.classroom"]) == ["argmap and argmap.classroom import each other"]


def test_it_reads_function_local_and_relative_imports():
    known = {"argmap", "argmap.models", "argmap.history", "argmap.exports", "argmap.exports.loading"}
    source = "def f():\n    from argmap import history\n    from .loading import MapExport\n    import argmap.models\n"
    assert imports_of("argmap.exports.svg", source, known) == {"argmap.history", "argmap.exports.loading", "argmap.models"}


@pytest.mark.parametrize("module", ["argmap.tree", "argmap.models", "argmap.permissions", "argmap.views.maps",
                                    "argmap.urls", "argmap.classroom.exercises", "argmap.exports.svg"])
def test_it_places_each_module_in_a_layer(module):
    assert layer_of(module) in ORDER
