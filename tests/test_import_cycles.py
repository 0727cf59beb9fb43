"""No import cycles among the jisheng modules (issue 14 item 5).

The import graph is read with ``ast`` from ``src/jisheng`` (migrations aside): an edge
for every ``import``/``from … import`` of a jisheng module, at module level AND inside
functions — an import deferred into a function hides a cycle (``people.services`` ↔
``family`` ↔ ``transfers`` and ``indicators.engine`` ↔ ``cyp`` ↔ ``catalogue`` were two
such), it does not break it. Imports under ``if TYPE_CHECKING:`` are left out (they never
run). Importing ``a.b.c`` is an edge to ``a.b.c`` only (not to the package ``a.b``'s
``__init__``, which a package re-exporting its modules would otherwise turn into a
cycle).

The cycles left are :data:`KNOWN`: that set may only shrink — a new cycle fails, and so
does a known one that is gone (remove it from the list).
"""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterable

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"

# Cycles still there, each a set of modules importing each other (directly or not).
KNOWN: set[frozenset[str]] = {
    # the key check reads the hash key; the crypto helpers run the key check first
    frozenset({"jisheng.core.crypto", "jisheng.core.keycheck"}),
    # issue 18 skeleton: the benefits section reads the §0 sanction words of the schema
    # inside its validators (function-level imports; the schema imports the section)
    frozenset({"jisheng.policy.schema", "jisheng.policy.schema_benefits"}),
}


def _modules(root: pathlib.Path) -> dict[str, tuple[pathlib.Path, bool]]:
    modules = {}
    for path in root.rglob("*.py"):
        if "migrations" in path.relative_to(root).parts:
            continue
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        modules[".".join(parts)] = (path, package)
    return modules


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _import_nodes(tree: ast.AST, *, module_level: bool) -> Iterable[ast.Import | ast.ImportFrom]:
    todo = list(ast.iter_child_nodes(tree))
    while todo:
        node = todo.pop()
        if _type_checking(node):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not (
            module_level and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        ):
            todo.extend(ast.iter_child_nodes(node))


def import_graph(root: pathlib.Path, *, module_level: bool = False) -> dict[str, set[str]]:
    """Module → the modules of the same tree it imports."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, (path, package) in modules.items():
        targets: set[str] = set()
        for node in _import_nodes(ast.parse(path.read_text()), module_level=module_level):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                here = name.split(".") if package else name.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join([*here, base] if base else here)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.add(full if full in modules else base)
        edges = set()
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.add(frozenset(component))
    return found


def test_no_new_import_cycle_and_the_known_ones_only_shrink():
    found = cycles(import_graph(SRC / "jisheng"))
    new = found - KNOWN
    assert not new, f"new import cycles: {[sorted(c) for c in new]}"
    gone = KNOWN - found
    assert not gone, f"cycles gone, remove them from KNOWN: {[sorted(c) for c in gone]}"


def test_no_cycle_at_module_level():
    """What Python executes on import: no cycle at all."""
    assert cycles(import_graph(SRC / "jisheng", module_level=True)) == set()


def test_the_two_cycles_of_issue_14_are_broken():
    graph = import_graph(SRC / "jisheng")
    # the events module is below the services, the family and the transfers
    assert not graph["jisheng.people.events"] & {
        "jisheng.people.services",
        "jisheng.people.family",
    }
    assert not graph["jisheng.people.transfers"] & {
        "jisheng.people.services",
        "jisheng.people.family",
        "jisheng.people.events",
    }
    # CYP plugs itself into the engine and the catalogue, which do not know it
    engine = {m for m in graph if m.startswith("jisheng.indicators.engine")}
    assert engine >= {
        "jisheng.indicators.engine.vocabulary",
        "jisheng.indicators.engine.compiler",
        "jisheng.indicators.engine.executor",
        "jisheng.indicators.engine.drilldown",
    }
    for module in (*engine, "jisheng.indicators.catalogue"):
        assert "jisheng.indicators.cyp" not in graph[module], module


def test_the_checker_sees_a_cycle_hidden_in_a_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.c import x\n")
    (package / "c.py").write_text("from . import a\nx = 1\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
    )
    graph = import_graph(package)
    assert graph["pkg.d"] == set()
    assert cycles(graph) == {frozenset({"pkg.a", "pkg.b", "pkg.c"})}
    assert cycles(import_graph(package, module_level=True)) == set()
