"""Writes of leave approval (SPEC §7): apply, sign (unit leader), approve (计生办, the
slip issued), return with a message, apply again, cancel.

The days come from the pack in force for the employer on the first day (``leave_days``),
counted in calendar or working days as the rule says (:mod:`jisheng.leave.calendar`).
Every refusal is a ``ValidationError`` with a Chinese message naming the field; every
status change goes through ``core.workflow`` (the table is ``leave/workflows.py``).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import override

from jisheng.certificates.kinds import kind as certificate_kind
from jisheng.certificates.services import issue_now
from jisheng.core import audit, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.leave import calendar
from jisheng.leave.choices import (
    HOLDING,
    OPERATION_KINDS,
    DayCount,
    LeaveKind,
    LeaveStatus,
)
from jisheng.leave.models import LeaveRequest
from jisheng.people.choices import PregnancyOutcome
from jisheng.people.models import Birth, Couple, Person, PersonPeriod, Pregnancy
from jisheng.policy.choices import Method
from jisheng.policy.schema import LeaveRule, MaternityRule
from jisheng.policy.selectors import pack_in_force
from jisheng.services.models import ContraceptionRecord

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit, User

SLIP = "leave_slip"
PARENTING_CHILD_YEARS = 3
# operation leave kind → the method of the record that proves it
OPERATION_METHOD = {
    LeaveKind.IUD_INSERTION: Method.IUD,
    LeaveKind.IUD_REMOVAL: Method.IUD,
    LeaveKind.FEMALE_STERILISATION: Method.FEMALE_STERILISATION,
    LeaveKind.MALE_STERILISATION: Method.MALE_STERILISATION,
}


# --------------------------------------------------------------------------- rules


def leave_rule(*, unit: Unit, kind: str, on: datetime.date) -> LeaveRule | None:
    """The pack's rule for ``kind`` in force for ``unit`` on ``on`` (None: no days).

    The unit's pack (or its nearest ancestor's) with a ``leave_days`` section, else the
    default pack's national minimum; a day before the default pack took effect follows
    today's default (the national minimum has not changed)."""
    for candidate in (unit, None):
        for day in (on, None):
            pack = pack_in_force(candidate, day)
            if pack is not None and pack.leave_days is not None:
                return pack.leave_days.rule(kind)
    return None


def employer_on(person: Person, day: datetime.date) -> Unit | None:
    """The person's employer on ``day`` in the registry (the period covering it; the
    current employer when no period covers it)."""
    period = (
        PersonPeriod.objects.filter(person=person, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .select_related("employer")
        .order_by("-valid_from")
        .first()
    )
    return period.employer if period is not None else person.employer


def is_employee(person: Person, unit: Unit, day: datetime.date) -> bool:
    """An employee of ``unit``: the registry's employer on ``day`` is the unit or one of
    its branches or departments."""
    employer = employer_on(person, day)
    return employer is not None and employer.path.startswith(unit.path)


def child_age_years(birth: Birth, day: datetime.date) -> int:
    years = day.year - birth.date.year
    return years - ((day.month, day.day) < (birth.date.month, birth.date.day))


def _dates(day: datetime.date) -> str:
    return format_cn_date(day)


def overlapping(
    person: Person, start: datetime.date, end: datetime.date, exclude: int | None = None
) -> LeaveRequest | None:
    """The person's first leave that holds days (applied, signed or approved) overlapping
    ``[start, end]``."""
    qs = LeaveRequest.objects.filter(
        person=person, status__in=HOLDING, start__lte=end, end__gte=start
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("start", "id").first()


def parenting_taken(person: Person, birth: Birth, year: int, exclude: int | None = None) -> int:
    """Parenting days the person holds for the child in ``year``."""
    qs = LeaveRequest.objects.filter(
        person=person, birth=birth, kind=LeaveKind.PARENTING, year=year, status__in=HOLDING
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return int(qs.aggregate(n=Sum("days"))["n"] or 0)


def _evidence_errors(
    person: Person,
    kind: str,
    start: datetime.date,
    couple: Couple | None,
    birth: Birth | None,
    method: ContraceptionRecord | None,
    pregnancy: Pregnancy | None,
) -> dict[str, str]:
    """Whether the record the leave rests on exists and is the person's own."""
    if kind == LeaveKind.MARRIAGE:
        if couple is None or person.pk not in (couple.wife_id, couple.husband_id):
            return {"couple": _("Choose the person's marriage recorded in the registry.")}
    elif kind in (LeaveKind.MATERNITY, LeaveKind.PATERNITY, LeaveKind.PARENTING):
        if birth is None:
            return {"birth": _("Choose the birth recorded in the registry.")}
        parent = birth.mother_id if kind == LeaveKind.MATERNITY else None
        if kind == LeaveKind.MATERNITY and parent != person.pk:
            return {"birth": _("Maternity leave is for the mother of the birth.")}
        if kind == LeaveKind.PATERNITY and birth.father_id != person.pk:
            return {"birth": _("Paternity leave is for the father of the birth.")}
        if kind == LeaveKind.PARENTING:
            if person.pk not in (birth.mother_id, birth.father_id):
                return {"birth": _("Parenting leave is for a parent of the child.")}
            if child_age_years(birth, start) >= PARENTING_CHILD_YEARS:
                return {
                    "start": _(
                        "Parenting leave is for a child under %(n)s: the child was born "
                        "on %(born)s."
                    )
                    % {"n": PARENTING_CHILD_YEARS, "born": _dates(birth.date)}
                }
    elif kind in OPERATION_KINDS:
        wanted = OPERATION_METHOD[LeaveKind(kind)]
        if (
            method is None
            or method.person_id != person.pk
            or method.voided_at is not None
            or method.method != wanted
            or (kind == LeaveKind.IUD_REMOVAL and method.ended_on is None)
        ):
            return {
                "method": _(
                    "An operation leave needs the person's operation record in the registry: "
                    "no such record was found."
                )
            }
    elif kind == LeaveKind.ABORTION and (
        pregnancy is None
        or pregnancy.woman_id != person.pk
        or pregnancy.outcome != PregnancyOutcome.ABORTION
    ):
        return {
            "pregnancy": _(
                "An operation leave needs the person's operation record in the registry: "
                "no induced abortion of hers was found."
            )
        }
    return {}


def _days_of(
    rule: LeaveRule,
    kind: str,
    *,
    days: int | None,
    difficult_birth: bool,
    babies: int,
    taken: int,
) -> tuple[int, dict[str, str]]:
    """The days of the leave from the rule, and the problems."""
    if kind == LeaveKind.PARENTING:
        left = rule.days - taken
        if left <= 0:
            return 0, {
                "days": _("The parenting leave for this child this year is used up (%(n)s days).")
                % {"n": rule.days}
            }
        if days is None or days < 1:
            return 0, {"days": _("Give the days of parenting leave (at most %(n)s).") % {"n": left}}
        if days > left:
            return 0, {
                "days": _(
                    "At most %(left)s days of parenting leave are left for this child this "
                    "year (%(n)s a year, %(taken)s taken)."
                )
                % {"left": left, "n": rule.days, "taken": taken}
            }
        return days, {}
    total = rule.days
    if isinstance(rule, MaternityRule):
        total += rule.difficult_birth_extra if difficult_birth else 0
        total += rule.per_extra_baby * max(babies - 1, 0)
    return total, {}


def _babies(birth: Birth | None) -> int:
    """Babies of the delivery: the mother's births recorded on the same day (a multiple
    birth is one Birth row per child)."""
    if birth is None:
        return 1
    return Birth.objects.filter(mother_id=birth.mother_id, date=birth.date).count() or 1


# --------------------------------------------------------------------------- writes


def leave_apply(
    *,
    actor: User | None,
    unit: Unit,
    person: Person,
    kind: str,
    start: datetime.date | None,
    couple: Couple | None = None,
    birth: Birth | None = None,
    method: ContraceptionRecord | None = None,
    pregnancy: Pregnancy | None = None,
    difficult_birth: bool = False,
    days: int | None = None,
) -> LeaveRequest:
    """Apply for leave for ``person``, an employee of ``unit`` (status *applied*)."""
    if kind not in LeaveKind.values:
        raise ValidationError({"kind": _("Choose the kind of leave from the list.")})
    if start is None:
        raise ValidationError({"start": _("Give the first day of the leave.")})
    require_in_scope(actor, unit)
    if not is_employee(person, unit, start):
        raise ValidationError(
            {
                "person": _(
                    "%(name)s is not an employee of %(unit)s on %(day)s (the registry gives "
                    "another employer or none)."
                )
                % {"name": person.name, "unit": unit.name, "day": _dates(start)}
            }
        )
    errors = _evidence_errors(person, kind, start, couple, birth, method, pregnancy)
    if errors:
        raise ValidationError(errors)
    rule = leave_rule(unit=unit, kind=kind, on=start)
    if rule is None or (rule.days == 0):
        raise ValidationError(
            {
                "kind": _("The policy in force for %(unit)s gives no days of %(kind)s.")
                % {"unit": unit.name, "kind": LeaveKind(kind).label}
            }
        )
    babies = _babies(birth) if kind == LeaveKind.MATERNITY else 1
    taken = (
        parenting_taken(person, birth, start.year) if kind == LeaveKind.PARENTING and birth else 0
    )
    total, errors = _days_of(
        rule, kind, days=days, difficult_birth=difficult_birth, babies=babies, taken=taken
    )
    if errors:
        raise ValidationError(errors)
    end = calendar.end_date(start, total, rule.count)
    request = LeaveRequest(
        unit=unit,
        person=person,
        kind=kind,
        start=start,
        end=end,
        days=total,
        count=rule.count,
        basis=rule.basis[:200],
        year=start.year,
        couple=couple if kind == LeaveKind.MARRIAGE else None,
        birth=birth
        if kind in (LeaveKind.MATERNITY, LeaveKind.PATERNITY, LeaveKind.PARENTING)
        else None,
        method=method if kind in OPERATION_KINDS else None,
        pregnancy=pregnancy if kind == LeaveKind.ABORTION else None,
        difficult_birth=bool(difficult_birth) and kind == LeaveKind.MATERNITY,
        babies=babies,
        applied_by=audit.user_of(actor),
    )
    with transaction.atomic():
        # the person's row serialises two applications for the same person
        Person.objects.select_for_update().filter(pk=person.pk).first()
        _refuse_overlap(request)
        request.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=request,
            changes={
                "kind": [None, kind],
                "start": [None, start.isoformat()],
                "end": [None, end.isoformat()],
                "days": [None, total],
                "status": [None, LeaveStatus.APPLIED],
            },
        )
    return request


def _refuse_overlap(request: LeaveRequest) -> None:
    other = overlapping(request.person, request.start, request.end, exclude=request.pk)
    if other is not None:
        raise ValidationError(
            {
                "start": _(
                    "%(name)s already has %(kind)s from %(start)s to %(end)s (%(status)s); "
                    "the leave from %(new_start)s to %(new_end)s overlaps it."
                )
                % {
                    "name": request.person.name,
                    "kind": other.get_kind_display(),
                    "start": _dates(other.start),
                    "end": _dates(other.end),
                    "status": other.get_status_display(),
                    "new_start": _dates(request.start),
                    "new_end": _dates(request.end),
                }
            },
            code="overlap",
        )


def resubmit_guard(ctx: workflow.Context) -> None:
    """Applying again: the leave must still not overlap another one (and parenting days
    must still be left)."""
    request: LeaveRequest = ctx.obj
    _refuse_overlap(request)
    if request.kind == LeaveKind.PARENTING and request.birth_id:
        rule = leave_rule(unit=request.unit, kind=request.kind, on=request.start)
        taken = parenting_taken(request.person, request.birth, request.year, exclude=request.pk)
        if rule is None or taken + request.days > rule.days:
            raise ValidationError(
                {"days": _("The parenting leave for this child this year is used up (%(n)s days).")
                 % {"n": rule.days if rule else 0}}
            )  # fmt: skip


def slip_issuer(actor: User | None, person: Person) -> Unit:
    """The unit that issues the slip: the approving office's own unit when it is the
    person's unit or above it and issues slips, else the nearest such unit above the
    person's residence."""
    spec = certificate_kind(SLIP)
    own = getattr(actor, "unit", None)
    residence = person.unit
    if own is not None and own.unit_type in spec.issuers and residence.path.startswith(own.path):
        return own
    for unit in reversed([*residence.get_ancestors(), residence]):
        if unit.unit_type in spec.issuers:
            return unit
    raise ValidationError(_("No unit above the person's residence issues leave slips."))


def slip_data(request: LeaveRequest) -> dict[str, str | int]:
    """The facts the slip prints (the kind's fields in certificates/kinds.yaml)."""
    with override("zh-hans"):  # the slip is printed in Chinese
        kind_text = str(LeaveKind(request.kind).label)
        count_text = str(DayCount(request.count).label)
    return {
        "leave_kind": kind_text,
        "employer": request.unit.name[:200],
        "start": request.start.isoformat(),
        "end": request.end.isoformat(),
        "days": request.days,
        "count": count_text,
        "basis": request.basis,
    }


def approve_hook(ctx: workflow.Context) -> None:
    """Final approval (on the locked row): the numbered slip is issued and linked."""
    request: LeaveRequest = ctx.obj
    certificate = issue_now(
        actor=ctx.actor,
        kind=SLIP,
        issuer=slip_issuer(ctx.actor, request.person),
        person=request.person,
        data=slip_data(request),
    )
    request.slip = certificate
    ctx.fields.append("slip")
    ctx.changes["slip"] = [None, certificate.number]


def leave_sign(*, actor: User | None, request: LeaveRequest) -> LeaveRequest:
    """The unit leader signs (applied → signed)."""
    workflow.transition(actor=actor, obj=request, to=LeaveStatus.LEADER_APPROVED)
    return request


def leave_approve(*, actor: User | None, request: LeaveRequest) -> LeaveRequest:
    """The family-planning office approves (signed → approved): the slip is issued."""
    workflow.transition(actor=actor, obj=request, to=LeaveStatus.APPROVED)
    return request


def leave_return(*, actor: User | None, request: LeaveRequest, message: str) -> LeaveRequest:
    """Return to the applicant with a message (by the leader or the office)."""
    workflow.transition(actor=actor, obj=request, to=LeaveStatus.RETURNED, message=message)
    return request


def leave_resubmit(*, actor: User | None, request: LeaveRequest) -> LeaveRequest:
    workflow.transition(actor=actor, obj=request, to=LeaveStatus.APPLIED)
    return request


def leave_cancel(*, actor: User | None, request: LeaveRequest, message: str = "") -> LeaveRequest:
    workflow.transition(actor=actor, obj=request, to=LeaveStatus.CANCELLED, message=message)
    return request


ACTIONS = {
    "sign": LeaveStatus.LEADER_APPROVED,
    "approve": LeaveStatus.APPROVED,
    "return": LeaveStatus.RETURNED,
    "resubmit": LeaveStatus.APPLIED,
    "cancel": LeaveStatus.CANCELLED,
}


def leave_act(
    *, actor: User | None, request: LeaveRequest, action: str, message: str = ""
) -> LeaveRequest:
    """One workflow action by name (the pages' buttons and the API)."""
    target = ACTIONS.get(action)
    if target is None:
        raise ValidationError({"action": _("Choose an action from the list.")})
    workflow.transition(actor=actor, obj=request, to=target, message=message)
    return request
