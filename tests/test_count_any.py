"""scripts/count_any.py: the number of ``Any`` in src may go down, not up."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("count_any", ROOT / "scripts" / "count_any.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


count_any = _load()


def test_uses_are_counted_and_imports_comments_and_strings_are_not() -> None:
    text = (
        "from typing import Any, cast\n"
        "import typing\n"
        "x: Any = cast(Any, 1)  # Any here is a comment\n"
        "def f(a: dict[str, Any]) -> typing.Any:\n"
        '    """Any in a docstring."""\n'
        "    return 'Any'\n"
    )
    assert count_any.count_in_text(text) == 4
    assert count_any.count_in_text("Anything = AnyStr = 1\n") == 0


def test_a_count_above_the_ceiling_fails_and_below_asks_to_lower_it() -> None:
    ok, message = count_any.check(11, 10)
    assert not ok
    assert "above the ceiling of 10" in message
    ok, message = count_any.check(9, 10)
    assert ok
    assert "--update" in message
    assert count_any.check(10, 10)[0]


def test_the_count_skips_migrations(tmp_path: Path) -> None:
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "a.py").write_text("x: Any\ny: list[Any]\n")
    (tmp_path / "app" / "migrations" / "0001.py").write_text("z: Any\n")
    assert count_any.count(tmp_path) == {"app/a.py": 2}


def test_the_ceiling_file_is_read_past_its_comments(tmp_path: Path) -> None:
    path = tmp_path / "ceiling.txt"
    count_any.write_ceiling(42, path)
    assert count_any.read_ceiling(path) == 42
    path.write_text("# nothing\n")
    with pytest.raises(ValueError):
        count_any.read_ceiling(path)


def test_the_code_stays_within_the_committed_ceiling() -> None:
    total = sum(count_any.count().values())
    ceiling = count_any.read_ceiling()
    assert total > 0
    assert total <= ceiling, f"{total} uses of Any, ceiling {ceiling}: type the new code"


def test_mypy_covers_core_policy_and_orgs_and_make_test_runs_it() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    for package in ("core", "policy", "orgs"):
        assert f"src/jisheng/{package}" in config["files"]
    assert "mypy_django_plugin.main" in config["plugins"]
    script = (ROOT / "scripts" / "run-tests.sh").read_text()
    assert "run mypy" in script
    assert "scripts/count_any.py --check" in script
