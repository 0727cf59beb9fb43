"""Generic write helpers used by the domain services."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from jisheng.core import audit
from jisheng.core.choices import AuditAction

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def model_create(*, model: type[M], actor: Any, data: dict[str, Any]) -> M:
    """Validate and create one row, recording the audit event."""
    instance = model(**data)
    instance.full_clean()
    instance.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=instance,
        changes={k: [None, v] for k, v in audit.snapshot(instance).items() if v not in (None, "")},
    )
    return instance


@transaction.atomic
def model_update(*, instance: M, fields: list[str], data: dict[str, Any], actor: Any) -> M:
    """Update ``fields`` of ``instance`` from ``data``; validate, save and audit the diff.

    Only the listed fields present in ``data`` are touched; nothing is written when no
    value changed.
    """
    before = audit.snapshot(instance)
    touched = [f for f in fields if f in data]
    for field in touched:
        setattr(instance, field, data[field])
    after = audit.snapshot(instance)
    changes = audit.diff(before, after)
    if not changes:
        return instance
    instance.full_clean()
    update_fields = [instance._meta.get_field(f).name for f in touched]
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=instance, changes=changes)
    return instance


@transaction.atomic
def model_delete(*, instance: models.Model, actor: Any) -> None:
    before = audit.snapshot(instance)
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=instance,
        changes={k: [v, None] for k, v in before.items() if v not in (None, "")},
    )
    instance.delete()
