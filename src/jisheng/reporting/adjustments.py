"""Snapshots of a report and what changed in the registry since (补报/更正).

A submitted report freezes :func:`snapshot_of` its :class:`~jisheng.core.statforms.Form`:
the figure of every cell AND the record references behind it (``Form.records``,
"app_label.model:pk"). Later:

- :func:`changes_since` compares an approved report's snapshot with the form built from
  the registry now, cell by cell: the records added and removed ("registry changed since
  approval: +3 births");
- :func:`adjustments_for` gives the next open report of the same unit and form the
  changes of every prior approved period that no later report has carried yet — frozen
  into that report's snapshot when it is submitted (``snapshot["adjustments"]``), so a
  change is carried once;
- :func:`late_reasons` the reasons of the late entries (``core.locks.late_entries``)
  behind those records.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.apps import apps

from jisheng.core import locks
from jisheng.core.statforms import Form

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit
    from jisheng.reporting.models import Submission

# A JSON object (a snapshot, a finding, a cell of changes).
Json = dict[str, object]

TOTAL = "total"


def cell_key(row: int | None, column: str) -> str:
    """The snapshot's key of a cell: "<row unit pk or total>|<column key>"."""
    return f"{TOTAL if row is None else row}|{column}"


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def snapshot_of(form: Form, *, version: str = "") -> Json:
    """The JSON snapshot of ``form``: columns, rows (unit, label, cells) and records."""
    return {
        "version": version,
        "title": str(form.title),
        "columns": [[key, str(label)] for key, label in form.columns],
        "rows": [
            {
                "unit": row.unit.pk if row.unit is not None else None,
                "label": row.label,
                "cells": {k: _plain(row.cells.get(k)) for k, _label in form.columns},
            }
            for row in form.rows
        ],
        "records": {
            cell_key(row, column): sorted(refs) for (row, column), refs in form.records.items()
        },
    }


@dataclass
class CellChange:
    """The records of one cell added and removed since the snapshot."""

    row: str  # the row unit's pk as text, or "total"
    row_label: str
    column: str
    column_label: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def delta(self) -> int:
        return len(self.added) - len(self.removed)

    def as_dict(self) -> Json:
        return {
            "row": self.row,
            "row_label": self.row_label,
            "column": self.column,
            "column_label": self.column_label,
            "added": self.added,
            "removed": self.removed,
        }


def diff(snapshot: Json, form: Form) -> list[CellChange]:
    """The cells whose records differ between ``snapshot`` and ``form`` (built now)."""
    then: dict[str, list[str]] = snapshot.get("records") or {}
    now = {cell_key(row, column): refs for (row, column), refs in form.records.items()}
    labels = {col: str(label) for col, label in form.columns}
    labels.update({col: label for col, label in snapshot.get("columns") or []})
    rows = {TOTAL: form.total.label if form.rows else ""}
    for row in snapshot.get("rows") or []:
        rows[TOTAL if row["unit"] is None else str(row["unit"])] = row["label"]
    for row in form.rows:
        if row.unit is not None:
            rows.setdefault(str(row.unit.pk), row.label)
    changes = []
    for key in sorted(set(then) | set(now)):
        before, after = set(then.get(key, ())), set(now.get(key, ()))
        if before == after:
            continue
        row, _sep, column = key.partition("|")
        changes.append(
            CellChange(
                row=row,
                row_label=rows.get(row, row),
                column=column,
                column_label=labels.get(column, column),
                added=sorted(after - before),
                removed=sorted(before - after),
            )
        )
    return changes


def changes_since(submission: Submission, form: Form) -> list[CellChange]:
    """What changed in the registry since ``submission`` (approved) froze its snapshot."""
    if not submission.snapshot:
        return []
    return diff(submission.snapshot, form)


@dataclass
class Adjustment:
    """A prior approved period's changes the next open report carries (补报/更正)."""

    submission_id: int
    period_code: str
    first: datetime.date
    last: datetime.date
    cells: list[CellChange]

    def as_dict(self) -> Json:
        return {
            "submission": self.submission_id,
            "period": self.period_code,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "cells": [c.as_dict() for c in self.cells],
        }


def carried(snapshots: list[Json]) -> dict[int, dict[str, set[tuple[str, str]]]]:
    """Per prior submission and cell: the (sign, ref) pairs later snapshots already carried."""
    out: dict[int, dict[str, set[tuple[str, str]]]] = {}
    for snap in snapshots:
        for adj in snap.get("adjustments") or []:
            cells = out.setdefault(int(adj["submission"]), {})
            for cell in adj["cells"]:
                done = cells.setdefault(f"{cell['row']}|{cell['column']}", set())
                done.update(("+", r) for r in cell["added"])
                done.update(("-", r) for r in cell["removed"])
    return out


def late_reasons(unit: Unit, first: datetime.date, last: datetime.date) -> dict[str, str]:
    """ "app_label.model:pk" → the reason of its late entry, for records dated in the period;
    also ``"@<unit pk>:<day>"`` → the reason, for the other rows the same write made (a birth's
    late entry names the birth, the report counts the parents' BIRTH events): see
    :func:`reason_for`."""
    out: dict[str, str] = {}
    entries = locks.late_entries(unit, first=first, last=last).select_related("content_type")
    for entry in entries:
        out.setdefault(f"@{entry.unit_id}:{entry.day.isoformat()}", entry.reason)
        if entry.content_type is not None:
            ref = f"{entry.content_type.app_label}.{entry.content_type.model}:{entry.object_id}"
            out[ref] = entry.reason
    return out


def reason_for(ref: str, reasons: dict[str, str]) -> str:
    """The late entry's reason behind the record ``ref``: its own, else the one of its unit
    and date (one late entry per unit and day of a write), else ""."""
    if ref in reasons or not reasons:
        return reasons.get(ref, "")
    label, _sep, pk = ref.partition(":")
    try:
        model = apps.get_model(label)
        obj = model._default_manager.filter(pk=pk).first()
    except (LookupError, ValueError):
        return ""
    day = getattr(obj, "date", None)
    unit_id = getattr(obj, "unit_id", None)
    if not isinstance(day, datetime.date) or unit_id is None:
        return ""
    return reasons.get(f"@{unit_id}:{day.isoformat()}", "")


ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def cn_dates(text: str) -> str:
    """``text`` with its ISO dates (a record's own text: "2026-11-23 死亡") as 2026年11月23日."""
    return ISO_DAY.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)


def describe(ref: str) -> str:
    """A record reference in words (the record's own text, else the reference)."""
    label, _sep, pk = ref.partition(":")
    try:
        model = apps.get_model(label)
        obj = model._default_manager.filter(pk=pk).first()
    except (LookupError, ValueError):
        return ref
    if obj is None:
        return ref
    parts = [str(model._meta.verbose_name)]
    for name in ("person", "mother", "child"):
        who = getattr(obj, name, None) if hasattr(obj, f"{name}_id") else None
        if who is not None:
            parts.append(str(getattr(who, "name", who)))
            break
    day = getattr(obj, "date", None)
    if isinstance(day, datetime.date):
        parts.append(f"{day.year}年{day.month}月{day.day}日")
    return " · ".join(parts) if len(parts) > 1 else cn_dates(str(obj))
