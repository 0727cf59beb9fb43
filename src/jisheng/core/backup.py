"""Backup and restore: the database, the keys and the uploads in one archive.

``jisheng backup ARCHIVE`` writes a tar archive (gzip-compressed when the name ends in
``.gz``/``.tgz``), mode 0600, holding:

- ``manifest.json`` — format version, jisheng's version, the database engine, how the
  database was dumped, when, and the SHA-256 and size of every other member;
- ``database/…`` — SQLite: a consistent copy made with SQLite's backup API
  (``jisheng.sqlite3``); PostgreSQL: ``pg_dump --format=custom`` (``jisheng.pgdump``) when
  ``pg_dump`` is installed and works, else Django's ``dumpdata`` (``jisheng.json``, which
  also restores into another engine);
- ``keys/field_key``, ``keys/lookup_key`` — the keys in use (whether they come from the
  environment or ``var/``), and ``keys/check.json`` — their check values as stored in the
  database (:mod:`jisheng.core.keycheck`);
- ``media/…`` — the uploaded files (``MEDIA_ROOT``).

``jisheng restore ARCHIVE [--force]`` checks the manifest (every member present, no
other member, sizes and SHA-256 equal) and that the archive's keys match its check
values before it changes anything; it refuses a database that holds data unless
``--force``; then it restores the database, writes the keys into ``var/`` (0600; keys
already there and different are kept beside as ``*.replaced-…``), the uploads, and
checks the restored database against the restored keys. Messages are Chinese.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import keycheck

logger = logging.getLogger(__name__)

FORMAT = "jisheng-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/jisheng.sqlite3"
PGDUMP_MEMBER = "database/jisheng.pgdump"
DUMPDATA_MEMBER = "database/jisheng.json"
KEY_MEMBERS = {keycheck.FIELD_KEY: "keys/field_key", keycheck.LOOKUP_KEY: "keys/lookup_key"}
CHECK_MEMBER = "keys/check.json"
# Left out of a dumpdata dump: worth nothing in a restore. Content types and permissions
# are kept (by natural key), since the restore empties the database without post_migrate.
DUMPDATA_EXCLUDE = ["sessions", "core.workerheartbeat"]


class BackupError(Exception):
    """A backup or a restore cannot be done; the message says why, in Chinese."""


@dataclass
class Outcome:
    archive: Path
    engine: str
    method: str
    media_files: int = 0
    notes: list[str] = field(default_factory=list)


def _engine(using: str = "default") -> str:
    return connections[using].vendor  # "sqlite" / "postgresql"


def _method_label(method: str) -> str:
    return {
        "sqlite": _("SQLite backup API"),
        "pg_dump": "pg_dump / pg_restore",
        "dumpdata": _("Django dumpdata / loaddata"),
    }.get(method, method)


def summary_values(outcome: Outcome) -> dict[str, object]:
    """What the backup and restore commands print of an outcome (engine, method in
    words, number of uploaded files)."""
    return {
        "engine": outcome.engine,
        "method": _method_label(outcome.method),
        "count": outcome.media_files,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("jisheng")
    except Exception:  # not installed as a distribution
        return "unknown"


# --------------------------------------------------------------------------- backup


def _pg_env_args(using: str) -> tuple[dict[str, str], list[str]]:
    params = connections[using].settings_dict
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    options = params.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    args = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    args += ["--dbname", str(params["NAME"])]
    return env, args


def _dump_sqlite(target: Path, using: str) -> None:
    connection = connections[using]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _dump_pg(target: Path, using: str) -> None:
    env, args = _pg_env_args(using)
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
    subprocess.run([*command, *args], env=env, check=True, capture_output=True, timeout=6 * 3600)


def _unmanaged() -> list[str]:
    """Models with no table of their own (a permission holder such as the under-reporting
    scan's): nothing to dump, and dumpdata would fail on the missing table."""
    from django.apps import apps

    return [m._meta.label_lower for m in apps.get_models() if not m._meta.managed]


def _dump_dumpdata(target: Path, using: str) -> None:
    with target.open("w", encoding="utf-8") as handle:
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=[*DUMPDATA_EXCLUDE, *_unmanaged()],
            database=using,
            stdout=handle,
            verbosity=0,
        )


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, "media/" + path.relative_to(root).as_posix()


def backup(archive: Path, *, using: str = "default", method: str = "auto") -> Outcome:
    """Write the archive (see the module's docstring); returns what it holds."""
    archive = Path(archive)
    engine = _engine(using)
    problems = keycheck.verify(using)  # also stores the check values when absent
    if problems:
        raise BackupError("\n".join(problems))
    field_keys = keycheck.configured_field_keys()
    lookup = keycheck.configured_lookup_key()
    if not field_keys or not lookup:
        raise BackupError(_("No keys are configured, so there is nothing to back up with them."))
    if engine == "sqlite":
        method = "sqlite" if method in ("auto", "sqlite") else method
    elif method == "auto":
        method = "pg_dump" if shutil.which("pg_dump") else "dumpdata"
    usable = {"sqlite": engine == "sqlite", "pg_dump": engine == "postgresql", "dumpdata": True}
    if not usable.get(method, False):
        raise BackupError(
            _("This database cannot be dumped that way: %(method)s.") % {"method": method}
        )
    outcome = Outcome(archive=archive, engine=engine, method=method)
    with tempfile.TemporaryDirectory(prefix="jisheng-backup-") as scratch_name:
        scratch = Path(scratch_name)
        members: list[tuple[Path, str]] = []
        dump = scratch / "dump"
        if method == "sqlite":
            _dump_sqlite(dump, using)
            members.append((dump, SQLITE_MEMBER))
        elif method == "pg_dump":
            try:
                _dump_pg(dump, using)
                members.append((dump, PGDUMP_MEMBER))
            except (OSError, subprocess.SubprocessError) as exc:
                detail = getattr(exc, "stderr", b"") or b""
                logger.warning("pg_dump failed, using dumpdata: %s %s", exc, detail[-500:])
                outcome.notes.append(
                    _("pg_dump failed (%(error)s); the database was dumped with Django's dumpdata.")
                    % {"error": (detail.decode(errors="replace").strip() or str(exc))[-200:]}
                )
                method = outcome.method = "dumpdata"
        if method == "dumpdata":
            _dump_dumpdata(dump, using)
            members.append((dump, DUMPDATA_MEMBER))
        for name, text in (
            (keycheck.FIELD_KEY, ",".join(field_keys)),
            (keycheck.LOOKUP_KEY, lookup),
        ):
            path = scratch / name
            path.write_text(text + "\n", encoding="utf-8")
            members.append((path, KEY_MEMBERS[name]))
        from jisheng.core.models import KeyCheck

        checks = dict(KeyCheck.objects.using(using).values_list("name", "value"))
        check_path = scratch / "check.json"
        check_path.write_text(json.dumps(checks, indent=2), encoding="utf-8")
        members.append((check_path, CHECK_MEMBER))
        for path, name in _media_files():
            members.append((path, name))
            outcome.media_files += 1
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "jisheng_version": _version(),
            "engine": engine,
            "method": method,
            "created_at": timezone.now().isoformat(),
            "members": {
                name: {"sha256": _sha256(path), "size": path.stat().st_size}
                for path, name in members
            },
        }
        _write_tar(archive, manifest, members)
    return outcome


def _write_tar(archive: Path, manifest: dict[str, Any], members: list[tuple[Path, str]]) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(f".{archive.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    mode = "w:gz" if archive.name.endswith((".gz", ".tgz")) else "w"
    try:
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode=mode) as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = (
                len(data),
                0o600,
                int(time.time()),
            )
            tar.addfile(info, io.BytesIO(data))
            for path, name in members:
                info = tar.gettarinfo(str(path), arcname=name)
                info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                with path.open("rb") as source:
                    tar.addfile(info, source)
        os.chmod(partial, 0o600)
        os.replace(partial, archive)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- restore


def _damaged(reason: str) -> BackupError:
    return BackupError(
        _("The backup archive is damaged or incomplete: %(reason)s") % {"reason": reason}
    )


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def read_archive(archive: Path, scratch: Path) -> dict[str, Any]:
    """Extract the archive into ``scratch`` after checking it against its manifest;
    returns the manifest. Raises :class:`BackupError` for a damaged archive."""
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115  (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise _damaged(str(exc)) from exc
    with tar:
        try:
            entries = {m.name: m for m in tar.getmembers()}
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise _damaged(str(exc)) from exc
        if MANIFEST not in entries:
            raise _damaged(_("it has no manifest"))
        try:
            manifest = json.loads(tar.extractfile(entries[MANIFEST]).read().decode())
        except (ValueError, AttributeError, OSError, tarfile.TarError) as exc:
            raise _damaged(_("its manifest cannot be read")) from exc
        if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
            raise _damaged(_("it is not a jisheng backup of a known version"))
        listed = manifest.get("members") or {}
        present = set(entries) - {MANIFEST}
        if set(listed) != present:
            missing = sorted(set(listed) - present)
            extra = sorted(present - set(listed))
            raise _damaged(
                _("members missing: %(missing)s; members not in the manifest: %(extra)s")
                % {"missing": ", ".join(missing) or "—", "extra": ", ".join(extra) or "—"}
            )
        for name, expected in listed.items():
            entry = entries[name]
            if not entry.isfile() or not _safe_name(name):
                raise _damaged(_("member %(name)s is not a plain file") % {"name": name})
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            digest = hashlib.sha256()
            size = 0
            try:
                source = tar.extractfile(entry)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out:
                    while block := source.read(1 << 20):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
            except (OSError, tarfile.TarError, EOFError) as exc:
                raise _damaged(str(exc)) from exc
            if digest.hexdigest() != expected.get("sha256") or size != expected.get("size"):
                raise _damaged(_("the checksum of %(name)s does not match") % {"name": name})
    return manifest


def _archive_keys(scratch: Path) -> tuple[list[str], str, dict[str, str]]:
    field_keys = [
        k for k in (scratch / KEY_MEMBERS[keycheck.FIELD_KEY]).read_text().strip().split(",") if k
    ]
    lookup = (scratch / KEY_MEMBERS[keycheck.LOOKUP_KEY]).read_text().strip()
    checks = json.loads((scratch / CHECK_MEMBER).read_text() or "{}")
    return field_keys, lookup, checks


def _keys_match(field_keys: list[str], lookup: str, checks: dict[str, str]) -> list[str]:
    problems = []
    if not field_keys or (
        keycheck.FIELD_KEY in checks
        and not keycheck.field_check_matches(field_keys, checks[keycheck.FIELD_KEY])
    ):
        problems.append(keycheck.FIELD_KEY)
    if not lookup or (
        keycheck.LOOKUP_KEY in checks
        and checks[keycheck.LOOKUP_KEY] != keycheck.lookup_check_value(lookup)
    ):
        problems.append(keycheck.LOOKUP_KEY)
    return problems


def database_has_data(using: str = "default") -> bool:
    """Whether the database holds accounts, units or persons (what a restore would
    overwrite); tables created by ``migrate`` alone do not count."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    tables = set(connections[using].introspection.table_names())
    models = [get_user_model()]
    for label in ("orgs", "people"):
        try:
            models += list(apps.get_app_config(label).get_models())
        except LookupError:
            continue
    for model in models:
        if model._meta.db_table in tables and model._default_manager.using(using).exists():
            return True
    return bool(keycheck.encrypted_samples(using, tables, limit=1))  # encrypted values anywhere


def _restore_sqlite(source: Path, using: str) -> None:
    connection = connections[using]
    connection.close()
    connection.ensure_connection()
    archive_db = sqlite3.connect(source)
    try:
        archive_db.backup(connection.connection)
    finally:
        archive_db.close()
    connection.close()


def _restore_pg(source: Path, using: str) -> None:
    connections[using].close()
    env, args = _pg_env_args(using)
    command = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
    ]
    result = subprocess.run(
        [*command, *args, str(source)], env=env, capture_output=True, timeout=6 * 3600
    )
    if result.returncode:
        raise BackupError(
            _("pg_restore failed: %(error)s")
            % {"error": result.stderr.decode(errors="replace")[-500:]}
        )


def _restore_dumpdata(source: Path, using: str) -> None:
    call_command("migrate", database=using, interactive=False, verbosity=0)
    # emptied without post_migrate, whose handlers would seed rows the dump holds too
    call_command("flush", database=using, interactive=False, verbosity=0, inhibit_post_migrate=True)
    call_command("loaddata", str(source), database=using, verbosity=0)


def _write_key(name: str, text: str, *, stamp: str) -> str | None:
    """Write ``var/<name>`` (0600); a different key already there is kept beside it.
    Returns the name of that copy, if any."""
    from jisheng.settings.env import write_private

    path = keycheck.key_path(name)
    kept = None
    if path.exists():
        if path.read_text().strip() == text:
            return None
        kept_path = path.with_name(f"{name}.replaced-{stamp}")
        os.replace(path, kept_path)
        kept = kept_path.name
    write_private(path, text + "\n")
    return kept


def restore(archive: Path, *, using: str = "default", force: bool = False) -> Outcome:
    """Restore the archive (see the module's docstring)."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("There is no backup archive %(path)s.") % {"path": archive})
    engine = _engine(using)
    with tempfile.TemporaryDirectory(prefix="jisheng-restore-") as scratch_name:
        scratch = Path(scratch_name)
        manifest = read_archive(archive, scratch)
        method = manifest.get("method")
        outcome = Outcome(archive=archive, engine=engine, method=str(method))
        field_keys, lookup, checks = _archive_keys(scratch)
        wrong = _keys_match(field_keys, lookup, checks)
        if wrong:
            raise BackupError(
                _("The keys in the archive (%(keys)s) do not match its data; nothing was restored.")
                % {"keys": ", ".join(wrong)}
            )
        if method in ("sqlite", "pg_dump") and (method == "sqlite") != (engine == "sqlite"):
            raise BackupError(
                _(
                    "The archive holds a %(archive)s database but this installation uses "
                    "%(engine)s; restore it into the same kind of database (a dumpdata "
                    "backup goes into either)."
                )
                % {"archive": manifest.get("engine"), "engine": engine}
            )
        env_problems = _environment_key_conflicts(field_keys, lookup)
        if env_problems:
            raise BackupError("\n".join(env_problems))
        if database_has_data(using) and not force:
            raise BackupError(
                _(
                    "The database already holds data; a restore would replace it. Run it "
                    "again with --force to overwrite it."
                )
            )
        if method == "sqlite":
            _restore_sqlite(scratch / SQLITE_MEMBER, using)
        elif method == "pg_dump":
            if not shutil.which("pg_restore"):
                raise BackupError(
                    _("pg_restore is not installed; install the PostgreSQL client programs.")
                )
            _restore_pg(scratch / PGDUMP_MEMBER, using)
        elif method == "dumpdata":
            _restore_dumpdata(scratch / DUMPDATA_MEMBER, using)
        else:
            raise _damaged(_("it names an unknown dump method"))
        stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
        for name, text in (
            (keycheck.FIELD_KEY, ",".join(field_keys)),
            (keycheck.LOOKUP_KEY, lookup),
        ):
            kept = _write_key(name, text, stamp=stamp)
            if kept:
                outcome.notes.append(
                    _("The key %(name)s that was there is kept as %(kept)s.")
                    % {"name": name, "kept": kept}
                )
        media_root = Path(settings.MEDIA_ROOT)
        for name in manifest["members"]:
            if name.startswith("media/"):
                target = media_root / PurePosixPath(name).relative_to("media")
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                shutil.copyfile(scratch / name, target)
                os.chmod(target, 0o600)
                outcome.media_files += 1
    from jisheng.core import crypto

    crypto.clear_caches()
    connections[using].close()
    problems = _verify_restored(field_keys, lookup, using)
    if problems:
        raise BackupError("\n".join(problems))
    return outcome


def _environment_key_conflicts(field_keys: list[str], lookup: str) -> list[str]:
    """Keys set in the environment win over ``var/``: they must be the archive's."""
    problems = []
    env_field = [k for k in os.environ.get("JISHENG_FIELD_KEYS", "").split(",") if k.strip()]
    if env_field and not keycheck.field_check_matches(
        [k.strip() for k in env_field], keycheck.field_check_value(field_keys)
    ):
        problems.append(
            _(
                "JISHENG_FIELD_KEYS is set to another key than the archive's; unset it "
                "or set it to the archive's key."
            )
        )
    env_lookup = os.environ.get("JISHENG_LOOKUP_KEY", "")
    if env_lookup and env_lookup != lookup:
        problems.append(
            _(
                "JISHENG_LOOKUP_KEY is set to another key than the archive's; unset it "
                "or set it to the archive's key."
            )
        )
    return problems


def _verify_restored(field_keys: list[str], lookup: str, using: str) -> list[str]:
    """The restored database checked against the restored keys."""
    from django.test.utils import override_settings

    with override_settings(JISHENG_FIELD_KEYS=field_keys, JISHENG_LOOKUP_KEY=lookup):
        return keycheck.verify(using, generate=False)
