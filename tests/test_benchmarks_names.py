"""The benchmarks are not run by the suite (they generate their own county), so a rename in
the code can break them unseen — as ``reports.dashboard.parse_period`` did when periods
moved to ``core.periods``. Every ``module.name`` a benchmark reads from a jisheng module it
imports must exist."""

from __future__ import annotations

import ast
import importlib
import pathlib
import types

import pytest

BENCHMARKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py"))


def _module_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name → dotted jisheng module, for ``from jisheng.x import y`` where y is a
    module and ``import jisheng.x as y``."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jisheng"):
            for name in node.names:
                dotted = f"{node.module}.{name.name}"
                try:
                    importlib.import_module(dotted)
                except ImportError:
                    continue  # a function or a class, not a module
                aliases[name.asname or name.name] = dotted
        elif isinstance(node, ast.Import):
            for name in node.names:
                if name.name.startswith("jisheng") and name.asname:
                    aliases[name.asname] = name.name
    return aliases


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_what_a_benchmark_reads_from_jisheng_exists(path: pathlib.Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = _module_aliases(tree)
    missing = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            module = importlib.import_module(aliases[node.value.id])
            assert isinstance(module, types.ModuleType)
            if not hasattr(module, node.attr):
                missing.append(f"{aliases[node.value.id]}.{node.attr} (line {node.lineno})")
    assert missing == []
