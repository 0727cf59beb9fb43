"""Issue 13: re-mask stored ID numbers and coarsen the audit log's copies.

The old mask ``AAAAAA********BBBB`` kept the sequence and check characters; with the birth
date beside it the full number followed. The new mask keeps the region only,
``AAAAAA************`` (``core.idnumber.mask``), derivable from the old one without any
key. Re-masked here:

- ``people.Person.id_masked`` and ``people.Couple.outside_id_masked``;
- ``core.AuditEvent.changes``: every ``id_masked``/``outside_id_masked`` value, and every
  ``birth_date`` written as year-month (``1990-05``), at any depth; any other string in
  the old mask's shape (an exported list's ID search filter), and the same in ``message``.

Batches by primary key, each its own statement (the migration is not atomic: a big table
is not held in one transaction); re-running it changes nothing (the functions are
idempotent), so an interrupted run is finished by running it again. The audit log refuses
``.save()`` and ``.update()`` through the application's model; the historical model used
here has neither guard (a plain manager), and only ``changes`` is written.
"""

import re
from typing import Any

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr

KEEP = 6
BATCH = 5000
MASK_KEYS = frozenset({"id_masked", "outside_id_masked"})
BIRTH_KEYS = frozenset({"birth_date"})
# The old mask wherever it was copied (an exported list's search filter, a message).
OLD_MASK = re.compile(r"(?<![0-9A-Za-z*])([0-9]{6})\*{8}[0-9X]{4}(?![0-9A-Za-z*])")


def remask_text(text: Any) -> Any:
    """Every old mask inside ``text`` re-masked; anything not a string unchanged."""
    if not isinstance(text, str) or "********" not in text:
        return text
    return OLD_MASK.sub(lambda m: m.group(1) + "*" * 12, text)


def remask(value: Any) -> Any:
    """``AAAAAA********BBBB`` → ``AAAAAA************``; lists element-wise; other values
    (``""``, ``None``, numbers) unchanged."""
    if isinstance(value, list):
        return [remask(v) for v in value]
    if isinstance(value, str) and len(value) > KEEP:
        return value[:KEEP] + "*" * (len(value) - KEEP)
    return value


def birth_month(value: Any) -> Any:
    """``1990-05-17`` → ``1990-05``; lists element-wise; other values unchanged."""
    if isinstance(value, list):
        return [birth_month(v) for v in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return value[:7]
    return value


def redact(changes: Any) -> Any:
    """An audit event's ``changes`` with masks and birth dates coarsened, at any depth."""
    if isinstance(changes, dict):
        out = {}
        for key, item in changes.items():
            if key in MASK_KEYS:
                out[key] = remask(item)
            elif key in BIRTH_KEYS:
                out[key] = birth_month(item)
            else:
                out[key] = redact(item)
        return out
    if isinstance(changes, list):
        return [redact(v) for v in changes]
    return remask_text(changes)


def _pk_batches(queryset, size: int = BATCH):
    """``(low, high)`` primary-key ranges covering ``queryset``, ``size`` rows at most."""
    low = None
    while True:
        page = queryset.order_by("pk")
        if low is not None:
            page = page.filter(pk__gt=low)
        pks = list(page.values_list("pk", flat=True)[:size])
        if not pks:
            return
        yield pks[0], pks[-1]
        low = pks[-1]


def _remask_column(model, field: str) -> None:
    # Masks of 18 characters (every stored one) in SQL; anything else in Python.
    pending = model.objects.exclude(**{field: ""}).exclude(**{f"{field}__endswith": "*" * 12})
    for low, high in _pk_batches(pending):
        rows = pending.filter(pk__gte=low, pk__lte=high)
        rows.annotate(_n=Length(field)).filter(_n=18).update(
            **{field: Concat(Substr(field, 1, KEEP), Value("*" * (18 - KEEP)))}
        )
    for pk, value in pending.values_list("pk", field).iterator(chunk_size=BATCH):
        new = remask(value)
        if new != value:
            model.objects.filter(pk=pk).update(**{field: new})


def _redact_audit(AuditEvent) -> None:
    for low, high in _pk_batches(AuditEvent.objects.all()):
        changed = []
        rows = AuditEvent.objects.filter(pk__gte=low, pk__lte=high).values_list(
            "pk", "changes", "message"
        )
        for pk, changes, message in rows:
            new, new_message = redact(changes), remask_text(message)
            if new != changes or new_message != message:
                changed.append(AuditEvent(pk=pk, changes=new, message=new_message))
        if changed:
            AuditEvent.objects.bulk_update(changed, ["changes", "message"], batch_size=500)


def forwards(apps, schema_editor) -> None:
    _remask_column(apps.get_model("people", "Person"), "id_masked")
    _remask_column(apps.get_model("people", "Couple"), "outside_id_masked")
    _redact_audit(apps.get_model("core", "AuditEvent"))


class Migration(migrations.Migration):
    # Batches commit one by one: a county's registry is not re-masked in one transaction.
    atomic = False

    dependencies = [
        ("people", "0006_person_name_keys"),
        ("core", "0005_idempotency"),
    ]

    operations = [
        # No way back: the hidden digits are gone (the full numbers are still encrypted).
        migrations.RunPython(forwards, migrations.RunPython.noop, atomic=False),
    ]
