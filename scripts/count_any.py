#!/usr/bin/env python3
"""Count the uses of ``Any`` in the code, against a committed ceiling that only goes down.

    python scripts/count_any.py            print the count, per file with -v
    python scripts/count_any.py --check    fail (exit 1) when the count is above the ceiling
    python scripts/count_any.py --update   write the current count as the new ceiling
                                           (only when it went down, or with --force)

A use is the name ``Any`` in code (an annotation, a cast, a TypeVar bound …); its import,
comments and strings do not count. Migrations are left out (Django writes them). The
ceiling lives in ``scripts/any-ceiling.txt``; ``scripts/run-tests.sh`` runs ``--check``
after ruff and mypy, so a change that adds an ``Any`` either removes another one or says
why by raising the ceiling in the same commit.
"""

from __future__ import annotations

import argparse
import io
import sys
import tokenize
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "jisheng"
CEILING = ROOT / "scripts" / "any-ceiling.txt"


def count_in_text(text: str) -> int:
    """Uses of the name ``Any`` in ``text`` (Python source), imports left out."""
    count = 0
    in_import = False
    at_line_start = True
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            in_import, at_line_start = False, True
            continue
        if token.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            continue
        if at_line_start:
            in_import = token.type == tokenize.NAME and token.string in ("import", "from")
            at_line_start = False
        if token.type == tokenize.NAME and token.string == "Any" and not in_import:
            count += 1
    return count


def python_files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.rglob("*.py")):
        if "migrations" not in path.relative_to(folder).parts:
            yield path


def count(folder: Path = SOURCE) -> dict[str, int]:
    """Uses of ``Any`` per file (relative path) under ``folder``, files without one left out."""
    found = {}
    for path in python_files(folder):
        n = count_in_text(path.read_text(encoding="utf-8"))
        if n:
            found[str(path.relative_to(folder))] = n
    return found


def read_ceiling(path: Path = CEILING) -> int:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return int(line)
    raise ValueError(f"{path}: no number in it")


def write_ceiling(value: int, path: Path = CEILING) -> None:
    path.write_text(
        "# The most uses of Any allowed in src/jisheng (scripts/count_any.py --check).\n"
        "# Lower it when the count goes down (scripts/count_any.py --update); never raise it\n"
        "# without saying why in the commit.\n"
        f"{value}\n",
        encoding="utf-8",
    )


def check(total: int, ceiling: int) -> tuple[bool, str]:
    """Whether ``total`` is within ``ceiling``, and what to say."""
    if total > ceiling:
        return False, (
            f"count_any: {total} uses of Any in src/jisheng, above the ceiling of {ceiling} "
            f"(scripts/any-ceiling.txt): type the new code instead"
        )
    if total < ceiling:
        return True, (
            f"count_any: {total} uses of Any (ceiling {ceiling}): lower the ceiling with "
            f"scripts/count_any.py --update"
        )
    return True, f"count_any: {total} uses of Any (ceiling {ceiling})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail above the ceiling")
    parser.add_argument("--update", action="store_true", help="write the count as ceiling")
    parser.add_argument("--force", action="store_true", help="with --update: also raise it")
    parser.add_argument("-v", "--verbose", action="store_true", help="per file")
    args = parser.parse_args(argv)
    per_file = count()
    total = sum(per_file.values())
    if args.verbose:
        for name, n in sorted(per_file.items(), key=lambda item: (-item[1], item[0])):
            print(f"{n:5d}  {name}")
    if args.update:
        ceiling = read_ceiling() if CEILING.exists() else None
        if ceiling is not None and total > ceiling and not args.force:
            print(f"count_any: {total} is above the ceiling {ceiling}; --force to raise it")
            return 1
        write_ceiling(total)
        print(f"count_any: ceiling set to {total}")
        return 0
    if args.check:
        ok, message = check(total, read_ceiling())
        print(message, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    print(total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
