"""The keys of personal data: never replaced silently, refused when missing or wrong.

Two keys protect the ID numbers: the field key (``JISHENG_FIELD_KEYS`` or
``var/field_key``, Fernet: encrypts them) and the look-up key (``JISHENG_LOOKUP_KEY`` or
``var/lookup_key``: the keyed hash that finds a person by number). A new key loses every
number encrypted with the old one (field key) or makes exact search find nobody and lets
the same number be registered twice (look-up key). So:

- a key is **generated only while the database is empty** — no check value stored and no
  encrypted value in any table (a model field whose name ends in ``_encrypted``);
- the first use of the keys stores a **check value** of each in
  :class:`~jisheng.core.models.KeyCheck`: a Fernet token of a fixed text for the field
  keys (it decrypts with the right keys, also after a rotation that keeps the old key),
  an HMAC of a fixed text for the look-up key. Neither reveals the key;
- a database from before the check values is checked against its data: one stored
  value must decrypt, and its number must hash to the stored hash (a sibling field whose
  name ends in ``_hash``);
- every start checks: the system check (``jisheng serve``, ``worker``, ``demo``,
  ``migrate``, ``check`` …), the web application's first request
  (:class:`KeyCheckMiddleware`, 503 until the keys are right) and the first encryption
  of a process that has no key configured. A problem is a Chinese message naming the key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import DatabaseError, connections, router
from django.http import HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FIELD_KEY = "field_key"
LOOKUP_KEY = "lookup_key"
CHECK_TEXT = b"jisheng key check v1"


class KeyProblem(ImproperlyConfigured):
    """A key is missing or is not the one the database's data was written with."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --------------------------------------------------------------------------- the keys


def key_path(name: str) -> Path:
    return Path(settings.VAR_DIR) / name


def configured_field_keys() -> list[str]:
    """The field keys from the settings, else from ``var/field_key`` ([] when none)."""
    keys = [k.decode() if isinstance(k, bytes) else k for k in settings.JISHENG_FIELD_KEYS]
    if keys:
        return keys
    from_file = key_from_file(FIELD_KEY)
    return [from_file] if from_file else []


def configured_lookup_key() -> str:
    """The look-up key from the settings, else from ``var/lookup_key`` ("" when none)."""
    raw = settings.JISHENG_LOOKUP_KEY
    if raw:
        return raw.decode() if isinstance(raw, bytes) else raw
    return key_from_file(LOOKUP_KEY)


def key_from_file(name: str) -> str:
    """The key in ``settings.VAR_DIR/<name>``, "" when the file is absent."""
    try:
        return key_path(name).read_text().strip()
    except FileNotFoundError:
        return ""


def _generate(name: str) -> str:
    """Write a new key into ``var/<name>`` (0600) — only called for an empty database."""
    from jisheng.settings.env import new_key_text, write_private

    path = key_path(name)
    try:
        write_private(path, new_key_text(name))
        logger.warning(
            "generated a new %s in %s (the database holds no encrypted data)", name, path
        )
    except FileExistsError:  # another process was first
        pass
    return path.read_text().strip()


def field_keys(*, generate: bool = False) -> list[str]:
    """The field keys; with ``generate``, a new one when none is configured and the
    database is empty. Raises :class:`KeyProblem` when a key is missing for a database
    that holds data."""
    keys = configured_field_keys()
    if keys:
        return keys
    if generate and not database_holds_data():
        return [_generate(FIELD_KEY)]
    raise KeyProblem([missing_message(FIELD_KEY)])


def lookup_key(*, generate: bool = False) -> str:
    """The look-up key, as :func:`field_keys`."""
    key = configured_lookup_key()
    if key:
        return key
    if generate and not database_holds_data():
        return _generate(LOOKUP_KEY)
    raise KeyProblem([missing_message(LOOKUP_KEY)])


# --------------------------------------------------------------------------- messages


def _source(name: str) -> str:
    variable = "JISHENG_FIELD_KEYS" if name == FIELD_KEY else "JISHENG_LOOKUP_KEY"
    return f"{variable} / {key_path(name)}"


def missing_message(name: str) -> str:
    if name == FIELD_KEY:
        return _(
            "The field key (%(source)s) is missing, but the database holds encrypted ID "
            "numbers. Restore the key from the backup; no new key is generated, so that "
            "no ID number is lost."
        ) % {"source": _source(name)}
    return _(
        "The look-up key (%(source)s) is missing, but the database holds ID numbers. "
        "Restore the key from the backup; without it exact search by ID number finds "
        "nobody and the same number could be registered twice."
    ) % {"source": _source(name)}


def wrong_message(name: str) -> str:
    if name == FIELD_KEY:
        return _(
            "The field key (%(source)s) is not the key the database's ID numbers were "
            "encrypted with. Configure the right key (from the backup)."
        ) % {"source": _source(name)}
    return _(
        "The look-up key (%(source)s) is not the key the database's ID numbers were "
        "indexed with. Configure the right key (from the backup)."
    ) % {"source": _source(name)}


# --------------------------------------------------------------------------- check values


def field_check_value(keys: list[str]) -> str:
    from cryptography.fernet import Fernet

    return Fernet(keys[0].encode()).encrypt(CHECK_TEXT).decode()


def field_check_matches(keys: list[str], value: str) -> bool:
    """Whether ``value`` decrypts with one of ``keys`` (a rotation keeps the old key)."""
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet

    try:
        fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        return fernet.decrypt(value.encode()) == CHECK_TEXT
    except (InvalidToken, ValueError, TypeError):
        return False


def field_check_is_current(keys: list[str], value: str) -> bool:
    """Whether the first (encrypting) key made ``value``."""
    return field_check_matches(keys[:1], value)


def lookup_check_value(key: str) -> str:
    from jisheng.core.crypto import derive_hash_key

    return hmac.new(derive_hash_key(key), CHECK_TEXT, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- the database


@dataclass(frozen=True)
class EncryptedColumn:
    model: Any
    field: str
    hash_fields: tuple[str, ...]


def encrypted_columns() -> list[EncryptedColumn]:
    """Every model field holding an encrypted value (``*_encrypted``), with the model's
    look-up hash fields (``*_hash``)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields]
        hashes = tuple(n for n in names if n.endswith("_hash"))
        for name in names:
            if name.endswith("_encrypted"):
                found.append(EncryptedColumn(model, name, hashes))
    return found


def _tables(using: str) -> set[str]:
    with connections[using].cursor() as cursor:
        return set(connections[using].introspection.table_names(cursor))


def _stored(using: str, tables: set[str]) -> dict[str, Any]:
    from jisheng.core.models import KeyCheck

    if KeyCheck._meta.db_table not in tables:
        return {}
    return {row.name: row for row in KeyCheck.objects.using(using).all()}


def encrypted_samples(using: str, tables: set[str], limit: int = 3) -> list[tuple[str, list[str]]]:
    """A few stored encrypted values with the hashes of their rows."""
    rows: list[tuple[str, list[str]]] = []
    for column in encrypted_columns():
        if column.model._meta.db_table not in tables:
            continue
        values = (
            column.model._default_manager.using(using)
            .exclude(**{column.field: ""})
            .values_list(column.field, *column.hash_fields)[:limit]
        )
        rows.extend((row[0], [h for h in row[1:] if h]) for row in values)
        if len(rows) >= limit:
            break
    return rows


def database_holds_data(using: str = "default") -> bool:
    """Whether the database holds a key check value or any encrypted value."""
    tables = _tables(using)
    return bool(_stored(using, tables)) or bool(encrypted_samples(using, tables, limit=1))


def verify(using: str = "default", *, generate: bool = True, store: bool = True) -> list[str]:
    """Check the configured keys against the database; returns the problems (Chinese
    messages, none when all is well). An empty database gets keys generated (with
    ``generate``); with ``store`` the check values are written when absent, and
    rewritten with the first field key after a rotation."""
    from jisheng.core import crypto
    from jisheng.core.models import KeyCheck

    tables = _tables(using)
    stored = _stored(using, tables)
    samples = encrypted_samples(using, tables)
    holds_data = bool(stored) or bool(samples)
    problems: list[str] = []

    keys = configured_field_keys()
    if not keys and generate and not holds_data:
        keys = [_generate(FIELD_KEY)]
    field_ok = False
    if not keys:
        problems.append(missing_message(FIELD_KEY))
    elif FIELD_KEY in stored:
        field_ok = field_check_matches(keys, stored[FIELD_KEY].value)
    else:
        field_ok = all(_decrypts(keys, token) for token, _hashes in samples)
    if keys and not field_ok:
        problems.append(wrong_message(FIELD_KEY))

    key = configured_lookup_key()
    if not key and generate and not holds_data:
        key = _generate(LOOKUP_KEY)
    lookup_ok = False
    if not key:
        problems.append(missing_message(LOOKUP_KEY))
    elif LOOKUP_KEY in stored:
        lookup_ok = hmac.compare_digest(stored[LOOKUP_KEY].value, lookup_check_value(key))
    elif field_ok:
        lookup_ok = all(
            not hashes or crypto.lookup_hash_with(key, _decrypt(keys, token)) in hashes
            for token, hashes in samples
        )
    else:  # the numbers cannot be read: nothing tells a wrong look-up key yet
        lookup_ok = True
    if key and not lookup_ok:
        problems.append(wrong_message(LOOKUP_KEY))

    if store and not problems and KeyCheck._meta.db_table in tables:
        try:
            if FIELD_KEY not in stored:
                KeyCheck.objects.using(using).get_or_create(
                    name=FIELD_KEY, defaults={"value": field_check_value(keys)}
                )
            elif not field_check_is_current(keys, stored[FIELD_KEY].value):
                KeyCheck.objects.using(using).filter(name=FIELD_KEY).update(
                    value=field_check_value(keys)
                )
            if LOOKUP_KEY not in stored:
                KeyCheck.objects.using(using).get_or_create(
                    name=LOOKUP_KEY, defaults={"value": lookup_check_value(key)}
                )
        except DatabaseError:  # a read-only replica, a lost connection: check next time
            logger.warning("cannot store the keys' check values", exc_info=True)
    return problems


def _decrypt(keys: list[str], token: str) -> str:
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(k.encode()) for k in keys]).decrypt(token.encode()).decode()


def _decrypts(keys: list[str], token: str) -> bool:
    try:
        _decrypt(keys, token)
    except Exception:  # InvalidToken, a malformed key or value
        return False
    return True


# --------------------------------------------------------------------------- once a process

_lock = threading.Lock()
_verified: list[str] | None = None


def clear_cache() -> None:
    global _verified
    with _lock:
        _verified = None


def problems_once() -> list[str]:
    """:func:`verify`, run once a process (until the keys' settings change); a database
    that cannot be reached is checked again on the next call."""
    global _verified
    with _lock:
        if _verified is None:
            _verified = verify(router.db_for_write(_model_keycheck()))
        return _verified


def _model_keycheck() -> Any:
    from jisheng.core.models import KeyCheck

    return KeyCheck


def require_keys() -> None:
    """Raise :class:`KeyProblem` unless the keys are right."""
    problems = problems_once()
    if problems:
        raise KeyProblem(problems)


@checks.register()
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The system check run by every management command that checks (serve, worker,
    demo, migrate, check …): errors name the missing or wrong key."""
    try:
        problems = verify()
    except DatabaseError as exc:  # no database yet, or it does not answer
        return [
            checks.Warning(
                _("The keys could not be checked against the database: %(error)s") % {"error": exc},
                id="jisheng.W010",
            )
        ]
    return [checks.Error(message, id="jisheng.E010") for message in problems]


def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    if setting in ("JISHENG_FIELD_KEYS", "JISHENG_LOOKUP_KEY", "VAR_DIR"):
        clear_cache()


setting_changed.connect(_on_setting_changed, dispatch_uid="jisheng.keycheck.keys")


class KeyCheckMiddleware:
    """The web application's first request checks the keys; while they are missing or
    wrong every page answers 503 with the reason (``/healthz`` still answers)."""

    EXEMPT_PREFIXES = ("/healthz", "/static/")

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if not request.path.startswith(self.EXEMPT_PREFIXES):
            try:
                problems = problems_once()
            except DatabaseError:  # the database does not answer: the view will say so
                clear_cache()
                problems = []
            if problems:
                return key_problem_response(problems)
        return self.get_response(request)


def key_problem_response(problems: list[str]) -> HttpResponse:
    from django.utils.html import escape

    items = "".join(f"<li>{escape(p)}</li>" for p in problems)
    title = escape(_("The system cannot start: a key is missing or wrong"))
    body = (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1><ul>{items}</ul></body></html>"
    )
    return HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
