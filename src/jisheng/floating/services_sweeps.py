"""Writes of sweeps (清查, issue 17): a sweep over a unit with the security department
(派出所), twice a year (``000:86``).

Opening a sweep builds its checklist: every let property and every household of the
unit's subtree, one :class:`~jisheng.floating.models.SweepItem` each (bulk-created in
batches: a township has thousands). Field staff record each visit's outcome; each finding
becomes a task on the responsible unit's worklist (``floating_findings``) until resolved:

- due :func:`finding_due`: for a person living here, not registered, the pack's
  ``deadlines.in_migrant_registration`` days after the finding
  (:func:`~jisheng.floating.services_arrivals.registration_due`), and such a finding also
  reports an arrival (source ``sweep``); any other finding 30 days after it.

A finding names records for the office to bring up to date (SPEC §0): it never labels
a person and nothing follows from it for her. A sweep closes once every line of its
checklist is visited or marked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.floating.choices import (
    ArrivalSource,
    FindingKind,
    FindingResolution,
    SweepItemOutcome,
    SweepStatus,
)
from jisheng.floating.models import RentalProperty, Sweep, SweepFinding, SweepItem
from jisheng.floating.services_arrivals import arrival_report, registration_due
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Household, Person

FINDING_DAYS = 30  # a finding other than "not registered": due 30 days after it
BATCH = 2000
NOTE_REQUIRED = (FindingResolution.EXPLAINED, FindingResolution.FALSE)


def finding_due(finding: SweepFinding) -> datetime.date:
    """The day a finding should be dealt with by: see the module's docstring."""
    if finding.kind == FindingKind.NOT_REGISTERED:
        return registration_due(finding.unit, finding.found_on)
    return finding.found_on + datetime.timedelta(days=FINDING_DAYS)


def finding_dues(findings: Iterable[SweepFinding]) -> dict[int, datetime.date]:
    """:func:`finding_due` of each finding (by id), the pack read once per unit and day
    (a list of findings costs no query per row)."""
    memo: dict[tuple[int, datetime.date], datetime.date] = {}
    dues: dict[int, datetime.date] = {}
    for finding in findings:
        if finding.kind != FindingKind.NOT_REGISTERED:
            dues[finding.pk] = finding.found_on + datetime.timedelta(days=FINDING_DAYS)
            continue
        key = (finding.unit_id, finding.found_on)
        if key not in memo:
            memo[key] = registration_due(finding.unit, finding.found_on)
        dues[finding.pk] = memo[key]
    return dues


def _checklist(sweep: Sweep) -> Iterator[SweepItem]:
    path = sweep.unit.path
    props = (
        RentalProperty.objects.filter(unit__path__startswith=path, is_active=True)
        .order_by("unit_id", "id")
        .values_list("pk", "unit_id")
    )
    for pk, unit_id in props.iterator(chunk_size=BATCH):
        yield SweepItem(sweep=sweep, unit_id=unit_id, property_id=pk)
    households = (
        Household.objects.filter(unit__path__startswith=path)
        .order_by("unit_id", "id")
        .values_list("pk", "unit_id")
    )
    for pk, unit_id in households.iterator(chunk_size=BATCH):
        yield SweepItem(sweep=sweep, unit_id=unit_id, household_id=pk)


def sweep_open(
    *,
    actor: User | None,
    unit: Unit,
    name: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    partner: str = "",
    note: str = "",
) -> Sweep:
    """Open a sweep over ``unit`` and build its checklist (every let property and every
    household of the subtree). Refuses another unit's data (audited) and bad fields."""
    require_in_scope(actor, unit)
    name = (name or "").strip()
    partner = (partner or "").strip()
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the name.")
    elif len(name) > 100:
        errors["name"] = _("At most %(n)d characters.") % {"n": 100}
    if len(partner) > 100:
        errors["partner"] = _("At most %(n)d characters.") % {"n": 100}
    if len(note) > 500:
        errors["note"] = _("At most %(n)d characters.") % {"n": 500}
    if starts_on is None:
        errors["starts_on"] = _("Give the date.")
    if ends_on is None:
        errors["ends_on"] = _("Give the date.")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end is before the start.")
    elif starts_on is not None and (ends_on - starts_on).days > 366:
        errors["ends_on"] = _("A sweep lasts at most a year.")
    if errors:
        raise ValidationError(errors)
    assert starts_on is not None and ends_on is not None
    with transaction.atomic():
        sweep = Sweep.objects.create(
            unit=unit,
            name=name,
            partner=partner,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=audit.user_of(actor),
            note=note,
        )
        lines = 0
        batch: list[SweepItem] = []
        for item in _checklist(sweep):
            batch.append(item)
            if len(batch) >= BATCH:
                SweepItem.objects.bulk_create(batch)
                lines += len(batch)
                batch = []
        if batch:
            SweepItem.objects.bulk_create(batch)
            lines += len(batch)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=sweep,
            changes={
                "name": [None, name],
                "starts_on": [None, starts_on.isoformat()],
                "ends_on": [None, ends_on.isoformat()],
                "lines": [None, lines],
            },
        )
    return sweep


def _require_open(sweep: Sweep) -> None:
    """Refuse a write to a completed sweep (read again: the caller's copy may be old)."""
    if not Sweep.objects.filter(pk=sweep.pk, status=SweepStatus.OPEN).exists():
        raise ValidationError(_("The sweep is completed; nothing more can be recorded."))


def _visit_day(sweep: Sweep, day: datetime.date | None, field: str) -> dict[str, str]:
    if day is None:
        return {field: _("Give the date.")}
    if day > timezone.localdate():
        return {field: _("The date is in the future.")}
    if day < sweep.starts_on:
        return {field: _("The date is before the sweep started.")}
    return {}


def sweep_item_record(
    *,
    actor: User | None,
    item: SweepItem,
    outcome: str,
    visited_on: datetime.date | None = None,
) -> SweepItem:
    """Record the visit of a checklist line (checked, nobody at home, vacant), or put it
    back to not visited (``pending``)."""
    require_in_scope(actor, item)
    sweep = item.sweep
    _require_open(sweep)
    day = visited_on or timezone.localdate()
    errors: dict[str, str] = {}
    if outcome not in SweepItemOutcome.values:
        errors["outcome"] = _("Choose the outcome from the list.")
    elif outcome != SweepItemOutcome.PENDING:
        errors.update(_visit_day(sweep, day, "visited_on"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = SweepItem.objects.select_for_update().get(pk=item.pk)
        before = row.outcome
        row.outcome = outcome
        pending = outcome == SweepItemOutcome.PENDING
        row.visited_on = None if pending else day
        row.visited_by = None if pending else audit.user_of(actor)
        row.save(update_fields=["outcome", "visited_on", "visited_by"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            changes={"outcome": [before, outcome]},
        )
    return row


def finding_record(
    *,
    actor: User | None,
    sweep: Sweep,
    kind: str,
    found_on: datetime.date | None,
    item: SweepItem | None = None,
    unit: Unit | None = None,
    name: str = "",
    person: Person | None = None,
    id_number: str = "",
    phone: str = "",
    note: str = "",
) -> SweepFinding:
    """A finding of ``sweep`` (at a checklist line, or in ``unit`` of its subtree): a task
    for the office of the line's unit until resolved. A person living here, not
    registered (``not_registered``, her name required) is also reported as an arrival.
    Recording a finding marks its line as checked."""
    _require_open(sweep)
    if item is not None:
        unit = item.unit
    target = unit or sweep.unit
    require_in_scope(actor, target)
    name = (name or "").strip()
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if item is not None and item.sweep_id != sweep.pk:
        errors["item"] = _("The line is not on this sweep's checklist.")
    if not target.path.startswith(sweep.unit.path):
        errors["unit"] = _("The unit is not covered by the sweep.")
    if kind not in FindingKind.values:
        errors["kind"] = _("Choose the finding from the list.")
    if person is not None:
        name = name or person.name
        if not person.unit.path.startswith(sweep.unit.path):
            errors["person"] = _("The person is not a resident of the units swept.")
    if kind == FindingKind.NOT_REGISTERED and not name:
        errors["name"] = _("Give the name of the person living here.")
    if kind in (FindingKind.OTHER,) and not note:
        errors["note"] = _("Say what was found.")
    if len(name) > 50:
        errors["name"] = _("At most %(n)d characters.") % {"n": 50}
    if len(note) > 500:
        errors["note"] = _("At most %(n)d characters.") % {"n": 500}
    errors.update(_visit_day(sweep, found_on, "found_on"))
    if errors:
        raise ValidationError(errors)
    assert found_on is not None
    with transaction.atomic():
        finding = SweepFinding.objects.create(
            sweep=sweep,
            item=item,
            unit=target,
            kind=kind,
            person=person,
            name=name,
            found_on=found_on,
            note=note,
            found_by=audit.user_of(actor),
        )
        if kind == FindingKind.NOT_REGISTERED:
            arrival_report(
                actor=actor,
                unit=target,
                name=name,
                arrived_on=found_on,
                source=ArrivalSource.SWEEP,
                id_number=id_number,
                phone=phone,
                property=item.property if item is not None else None,
                note=_("Found by the sweep %(name)s.") % {"name": sweep.name},
            )
        if item is not None and item.outcome == SweepItemOutcome.PENDING:
            SweepItem.objects.filter(pk=item.pk).update(
                outcome=SweepItemOutcome.CHECKED,
                visited_on=found_on,
                visited_by=audit.user_of(actor),
            )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=finding,
            changes={
                "kind": [None, kind],
                "found_on": [None, found_on.isoformat()],
                "item": [None, item.pk if item is not None else None],
            },
        )
    return finding


def finding_resolve(
    *,
    actor: User | None,
    finding: SweepFinding,
    resolution: str,
    note: str = "",
    resolved_on: datetime.date | None = None,
) -> SweepFinding:
    """Resolve a finding: registered now, recorded in the registry, explained, or not
    confirmed (the last two with a note). It leaves the worklist."""
    require_in_scope(actor, finding)
    note = (note or "").strip()
    day = resolved_on or timezone.localdate()
    errors: dict[str, str] = {}
    if finding.resolved_on is not None:
        errors["resolution"] = _("The finding is already resolved.")
    elif resolution not in FindingResolution.values:
        errors["resolution"] = _("Choose the resolution from the list.")
    elif resolution in NOTE_REQUIRED and not note:
        errors["note"] = _("Say how it was explained or checked.")
    if len(note) > 500:
        errors["note"] = _("At most %(n)d characters.") % {"n": 500}
    if day > timezone.localdate():
        errors["resolved_on"] = _("The date is in the future.")
    elif day < finding.found_on:
        errors["resolved_on"] = _("The date is before the finding.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = SweepFinding.objects.select_for_update().get(pk=finding.pk)
        row.resolution = resolution
        row.resolution_note = note
        row.resolved_on = day
        row.resolved_by = audit.user_of(actor)
        row.save(
            update_fields=[
                "resolution",
                "resolution_note",
                "resolved_on",
                "resolved_by",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            changes={"resolution": [None, resolution], "resolved_on": [None, day.isoformat()]},
        )
    return row


def sweep_close(
    *, actor: User | None, sweep: Sweep, closed_on: datetime.date | None = None
) -> Sweep:
    """Complete a sweep: refused, in Chinese, while a line of its checklist is neither
    visited nor marked. Open findings stay on the worklist."""
    require_in_scope(actor, sweep)
    _require_open(sweep)
    day = closed_on or timezone.localdate()
    pending = sweep.items.filter(outcome=SweepItemOutcome.PENDING).count()
    if pending:
        raise ValidationError(
            _(
                "%(n)d lines of the checklist are not yet visited or marked: the sweep "
                "cannot be completed."
            )
            % {"n": pending}
        )
    if day > timezone.localdate():
        raise ValidationError({"closed_on": _("The date is in the future.")})
    if day < sweep.starts_on:
        raise ValidationError({"closed_on": _("The date is before the sweep started.")})
    with transaction.atomic():
        row = Sweep.objects.select_for_update().get(pk=sweep.pk)
        row.status = SweepStatus.CLOSED
        row.closed_on = day
        row.save(update_fields=["status", "closed_on", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            changes={"status": [SweepStatus.OPEN, SweepStatus.CLOSED]},
        )
    return row
