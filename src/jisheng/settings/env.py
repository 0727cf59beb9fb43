"""The one place that reads the environment (JISHENG_* variables)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TRUE_VALUES = {"1", "true", "yes", "on"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_VALUES


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Files and directories the application creates are private to its user: the SQLite
# database, the keys, uploads and error workbooks hold personal data (0600 / 0700).
PRIVATE_UMASK = 0o077


def private_files() -> None:
    """Make every file this process creates readable by its own user only (umask 077)."""
    os.umask(PRIVATE_UMASK)


def make_private(path: Path) -> None:
    """Take the group's and others' rights away from an existing file or directory."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except OSError:  # not ours, or gone: nothing to tighten
        pass


def var_dir() -> Path:
    """Directory for the SQLite database, the generated secret key, uploads and logs
    (created 0700; an existing one, and the files in it — the SQLite database made
    before this rule — lose the group's and others' rights)."""
    path = Path(env_str("JISHENG_VAR_DIR", str(Path.cwd() / "var"))).resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private(path)
    for item in path.iterdir():
        make_private(item)
    return path


def write_private(path: Path, text: str) -> None:
    """Create ``path`` (mode 0600) with ``text``; it must not exist yet."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def secret_from_file(name: str, *, nbytes: int = 50) -> str:
    """Read a secret from ``var/<name>``, generating it once (mode 0600) when absent.

    Only for secrets whose loss loses no data (the session secret key); the keys of
    personal data are read by :func:`key_from_file` and generated only for an empty
    database (:mod:`jisheng.core.keycheck`).
    """
    path = var_dir() / name
    if not path.exists():
        write_private(path, secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


def key_from_file(name: str) -> str:
    """A key of personal data from ``var/<name>`` (``field_key``, ``lookup_key``), or ""
    when the file is absent — never generated here: a missing key must not be replaced
    silently while the database holds data encrypted with it."""
    path = var_dir() / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


def new_key_text(name: str) -> str:
    """A fresh key for ``var/<name>``: a Fernet key for ``field_key``, a random string
    otherwise."""
    if name == "field_key":
        from cryptography.fernet import Fernet

        return Fernet.generate_key().decode()
    return secrets.token_urlsafe(50)


def fernet_key_from_file(name: str = "field_key") -> str:
    """The Fernet key of personal fields from ``var/<name>`` ("" when absent)."""
    return key_from_file(name)
