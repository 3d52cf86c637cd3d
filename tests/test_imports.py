"""No import cycles in kortools/ (issue #36 item 4): the modules import in one direction, a
function's own import counted as an import. The two package facades, ``kortools`` and
``kortools.ui``, import their public names lazily (PEP 562) and are not nodes of the graph;
that they stay lazy is checked too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACADES = ("kortools", "kortools.ui")


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def imported(tree: ast.AST) -> list[str]:
    """The kortools modules ``tree`` imports (any depth, but not for type checkers only)."""
    for_checkers = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test)
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in for_checkers:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kortools"):
            found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("kortools")]
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in (ROOT / "kortools").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        if name in FACADES:
            continue
        targets = set(imported(ast.parse(path.read_text(encoding="utf-8"))))
        graph[name] = {t for t in targets if t in modules and t != name and t not in FACADES}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_kortools_imports_one_that_imports_it_back():
    graph = import_graph()
    assert len(graph) > 60
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_facades_import_nothing_of_kortools_when_imported():
    # their names come from the modules on first use (module-level __getattr__)
    for facade in FACADES:
        path = ROOT / Path(*facade.split(".")) / "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        eager = [m for node in top for m in imported(ast.Module(body=[node], type_ignores=[]))]
        assert set(eager) <= {"kortools.parameters", "kortools.parameters.read_tax_data"}, facade
