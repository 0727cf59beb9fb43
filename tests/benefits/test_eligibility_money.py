"""No float in money code (issue 18): the benefits modules and the pack's benefits schema
use Decimal — no ``float(``, no FloatField, no float literal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import jisheng

SRC = Path(jisheng.__file__).parent
FILES = [*sorted((SRC / "benefits").rglob("*.py")), SRC / "policy" / "schema_benefits.py"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_float_in_money_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "float":
            found.append(f"float at line {node.lineno}")
        if isinstance(node, ast.Attribute) and node.attr == "FloatField":
            found.append(f"FloatField at line {node.lineno}")
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            found.append(f"float literal {node.value!r} at line {node.lineno}")
    assert not found, f"{path.name}: {found}"


def test_the_scan_finds_a_float():
    tree = ast.parse("x = float('1.5') + 0.1")
    kinds = [type(n).__name__ for n in ast.walk(tree) if isinstance(n, ast.Name | ast.Constant)]
    assert "Name" in kinds and any(
        isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(tree)
    )
