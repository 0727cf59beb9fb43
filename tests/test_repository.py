"""What the repository holds: no keys, secrets or data directories (they live in ./var,
outside version control)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECRET_NAMES = {"field_key", "lookup_key", "secret_key"}


def tracked_files() -> list[str]:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [name for name in out.split("\0") if name]


def test_no_key_or_var_file_is_tracked() -> None:
    offending = [
        name
        for name in tracked_files()
        if Path(name).name in SECRET_NAMES
        or "var" in Path(name).parts
        or name.endswith((".sqlite3", ".sqlite3-journal"))
    ]
    assert offending == []


def test_any_var_directory_is_ignored() -> None:
    """A command run from another directory (``cd src/jisheng && jisheng …``) makes its
    ./var there; git must never offer its keys for a commit."""
    tracked_files()
    probe = "src/jisheng/var/field_key"
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", probe], cwd=ROOT, check=False
    )
    assert result.returncode == 0
