"""Write the audit log. Services call :func:`record` inside their transaction."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models

from jisheng.core.context import current_request
from jisheng.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values of ``instance`` as JSON-able data (foreign keys as their ids)."""
    result: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        result[field.name] = _jsonable(getattr(instance, field.attname))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def scope_path(obj: models.Model | None) -> str:
    """The organisation-tree path of ``obj`` through its ``scope_path_field``."""
    if obj is None:
        return ""
    field = getattr(type(obj), "scope_path_field", None)
    if not field:
        return ""
    value: Any = obj
    for part in field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


# Person fields whose audit copies are coarsened (issue 13): the audit log is read by
# roles that may not see full ID numbers, so a birth date is written as year-month and a
# masked ID number with the region only (``people.privacy``, ``core.idnumber.mask``).
BIRTH_DATE_KEYS = frozenset({"birth_date"})
MASK_KEYS = frozenset({"id_masked", "outside_id_masked"})


def _birth_month(value: Any) -> Any:
    if isinstance(value, list):
        return [_birth_month(v) for v in value]
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = value.isoformat()
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return value[:7]
    return value


def _remask(value: Any) -> Any:
    if isinstance(value, list):
        return [_remask(v) for v in value]
    if isinstance(value, str) and len(value) > 6:
        return value[:6] + "*" * (len(value) - 6)
    return value


def redact_person_fields(value: Any) -> Any:
    """``value`` (an audit event's ``changes``) with every ``birth_date`` as year-month
    (``1990-05``) and every masked ID number reduced to its region, at any depth."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in BIRTH_DATE_KEYS:
                result[key] = _birth_month(item)
            elif key in MASK_KEYS:
                result[key] = _remask(item)
            else:
                result[key] = redact_person_fields(item)
        return result
    if isinstance(value, list):
        return [redact_person_fields(v) for v in value]
    return value


def user_of(actor: Any) -> Any:
    """The user to record as the author of a write (``None``: the system, or anonymous)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    message: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one audit event. ``actor`` is the user (or None for the system)."""
    meta = current_request.get()
    user = user_of(actor)
    unit = getattr(user, "unit", None) if user is not None else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return AuditEvent.objects.create(
        user=user,
        username=getattr(actor, "username", "") or (str(actor) if actor else "system"),
        unit_code=getattr(unit, "code", "") or "",
        unit_name=getattr(unit, "name", "") or "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        object_scope_path=scope_path(obj),
        changes=redact_person_fields(changes or {}),
        message=message[:500],
        ip_address=meta.ip_address if meta else None,
        request_path=meta.path if meta else "",
        request_id=meta.request_id if meta else "",
    )
