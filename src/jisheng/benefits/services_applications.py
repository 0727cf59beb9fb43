"""Applications (issue 18): the office enters one, or imports them from an upper system's
Excel, and each is evaluated at once against the kind's clauses.

- :func:`evaluate_person` — the clauses of a kind for one person in a period (the facts
  of :func:`jisheng.benefits.facts.family_of`): what the application page shows before
  anything is written.
- :func:`application_create` — records the application as an ``ENTERED`` case in the
  open DRAFT batch of that kind, unit and period (made when there is none): eligible →
  ``CANDIDATE`` with amount and shares; a failed clause → ``INELIGIBLE``, the clause
  shown. It is the power to confirm eligibility on that batch (四权分离).
- :func:`disability_create` — a disability grade as certified (特别扶助 reads it).
- :func:`applications_import` — rows of an upper system's Excel (see
  :mod:`jisheng.benefits.importers_applications`).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from jisheng.benefits import duties
from jisheng.benefits.choices import BatchStatus, CaseSource, Power
from jisheng.benefits.facts import family_of
from jisheng.benefits.models import Batch, Case, DisabilityRecord
from jisheng.benefits.rules import Context
from jisheng.benefits.services_sweep import (
    Line,
    _refuse_new,
    batch_title,
    evaluate_family,
    kind_in_force,
    open_batch,
    refresh_totals,
    save_lines,
)
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Person


def evaluate_person(
    *,
    kind: str,
    person: Person,
    period_start: datetime.date,
    period_end: datetime.date,
    unit: Unit | None = None,
) -> Line:
    """The clauses of ``kind`` for ``person`` in the period (in ``unit``'s subtree: by
    default where her household is registered)."""
    unit = unit or person.unit
    benefit, _version = kind_in_force(kind, unit, period_end)
    ctx = Context(unit_path=unit.path, period_start=period_start, period_end=period_end)
    with translation.override("zh-hans"):
        return evaluate_family(benefit, family_of(benefit, person), ctx)


def _batch_for(
    *,
    actor: User | None,
    kind: str,
    unit: Unit,
    period_start: datetime.date,
    period_end: datetime.date,
) -> Batch | None:
    """The open DRAFT batch (checked for the actor's power), or None when one is to be
    made; refused when the batch of that period has left DRAFT."""
    batch = open_batch(kind, unit, period_start, period_end)
    if batch is not None and batch.status != BatchStatus.DRAFT:
        raise ValidationError(
            _(
                "The batch “%(title)s” has left the candidates stage (%(status)s): no "
                "application can be added to it."
            )
            % {"title": batch.title, "status": batch.get_status_display()}
        )
    if batch is not None:
        duties.check(batch, actor, Power.CONFIRM, action="application")
    else:
        _refuse_new(actor, unit)
    return batch


def application_create(
    *,
    actor: User | None,
    kind: str,
    person: Person,
    unit: Unit,
    period_start: datetime.date,
    period_end: datetime.date,
    source: str = CaseSource.ENTERED,
    note: str = "",
) -> Case:
    """Record an application (see the module). Returns the case: ``case.eligible`` says
    whether it was refused, ``case.explanation`` by which clause."""
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    require_in_scope(actor, person, path=person.unit.path)
    benefit, version = kind_in_force(kind, unit, period_end)
    if benefit.subject == "staff":
        raise ValidationError(_("A staff allowance takes no application."))
    line = evaluate_person(
        kind=kind, person=person, period_start=period_start, period_end=period_end, unit=unit
    )
    batch = _batch_for(
        actor=actor, kind=kind, unit=unit, period_start=period_start, period_end=period_end
    )
    with transaction.atomic():
        if batch is None:
            batch = Batch.objects.create(
                kind=kind,
                unit=unit,
                title=batch_title(benefit, unit, period_start, period_end),
                period_start=period_start,
                period_end=period_end,
                pack_version=version,
                created_by=audit.user_of(actor),
            )
        duties.exercise(batch, actor, Power.CONFIRM, action="application")
        if Case.objects.filter(
            batch=batch, person=person, beneficiary_id=line.evaluation.beneficiary.id
        ).exists():
            raise ValidationError(
                _("%(name)s already has a case in this batch.") % {"name": person.name}
            )
        (case,) = save_lines(
            batch=batch, kind_key=kind, benefit=benefit, lines=[line], source=source
        )
        if note:
            case.note = note[:500]
            case.save(update_fields=["note"])
        refresh_totals(batch)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=case,
            changes={"amount": [None, str(case.amount)], "status": [None, case.status]},
            message=_("Application for %(benefit)s: %(result)s")
            % {
                "benefit": benefit.label,
                "result": _("eligible") if case.eligible else _("not eligible"),
            },
        )
    return case


def disability_create(
    *,
    actor: User | None,
    person: Person,
    grade: int,
    certified_on: datetime.date,
    certificate_number: str = "",
) -> DisabilityRecord:
    """A disability grade (1–4, 1 the most severe) as the federation certified it."""
    if grade not in (1, 2, 3, 4):
        raise ValidationError({"grade": _("A disability grade is 1 to 4.")})
    if certified_on < person.birth_date:
        raise ValidationError({"certified_on": _("The date is before the person's birth.")})
    if actor is not None and not actor.has_perm("benefits.add_disabilityrecord"):
        raise PermissionDenied(_("You may not record disability grades."))
    require_in_scope(actor, person, path=person.unit.path)
    with transaction.atomic():
        record = DisabilityRecord.objects.create(
            person=person,
            unit=person.unit,
            grade=grade,
            certified_on=certified_on,
            certificate_number=certificate_number.strip()[:40],
            recorded_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=record,
            changes={"grade": [None, grade], "certified_on": [None, certified_on.isoformat()]},
        )
    return record
