"""Changes to benefits being paid (issue 18, SPEC §7): stops from registry events, the
office's confirmation of a stop, arrears for months found late, overpayments listed and
resolved (never deducted), ``paid_through`` kept, and every change of a case's amount
audited with before and after.

Conventions (see :mod:`jisheng.benefits.stops`): ``Entitlement.stopped_on`` is the first
day no longer paid (``until`` of :func:`jisheng.benefits.amounts.compute`);
``paid_through`` the last day paid — the ``covers_to`` of the latest case whose payment
the bank confirmed (:func:`mark_paid_through`, called by the payments part).

Every write is keyword-only with ``actor=`` first (``None``: the system — the
receiver of registry events and the nightly job), scoped, in one transaction with its
audit row. Money is ``Decimal`` throughout.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.benefits import duties, stops
from jisheng.benefits.amounts import FEN, compute, month_start, next_month, split
from jisheng.benefits.choices import (
    BatchStatus,
    CaseSource,
    CaseStatus,
    EntitlementStatus,
    OverpaymentStatus,
    PaymentStatus,
    Power,
    StopReason,
)
from jisheng.benefits.models import Batch, Case, CaseShare, Entitlement, Overpayment
from jisheng.benefits.selectors_changes import kind_of
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.orgs.models import User
from jisheng.people.models import Person
from jisheng.policy.schema_benefits import BenefitKind

CHANGE_ENTITLEMENT = "benefits.change_entitlement"
CHANGE_OVERPAYMENT = "benefits.change_overpayment"
CHANGE_CASE = "benefits.change_case"
ADD_CASE = "benefits.add_case"

# How an overpayment was resolved (written at the head of its resolution)
OUTCOMES = ("repaid", "written_off", "other")
# Batches that still take cases (an arrears case joins the next one)
OPEN_BATCH = (BatchStatus.DRAFT,)
# Cases whose amount may still change: not yet paid nor sent to the bank
CHANGEABLE = (CaseStatus.CANDIDATE, CaseStatus.REVIEWED, CaseStatus.OBJECTED, CaseStatus.APPROVED)
ONE_DAY = datetime.timedelta(days=1)


def outcome_label(outcome: str) -> str:
    return {
        "repaid": _("Repaid"),
        "written_off": _("Written off"),
        "other": _("Other"),
    }.get(outcome, outcome)


def month_cn(day: datetime.date) -> str:
    return _("%(y)d/%(m)d") % {"y": day.year, "m": day.month}


def _require(actor: User | None, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("You may not do this."))


def _kind(entitlement: Entitlement, on: datetime.date) -> BenefitKind | None:
    return kind_of(entitlement.kind, entitlement.unit, on)


# --------------------------------------------------------------------------- stops


def stop(
    *,
    actor: User | None,
    entitlement: Entitlement,
    reason: str,
    event_on: datetime.date,
    until: datetime.date | None = None,
    note: str = "",
) -> Entitlement:
    """Stop ``entitlement`` for ``reason`` (an event on ``event_on``): from ``until``
    (default: the convention of the reason) it is no longer paid. The office sees it on
    its worklist (``stop_seen=False``) until it confirms; an amount already paid beyond
    it becomes an :class:`Overpayment`; open cases beyond it are cut back."""
    if reason not in StopReason.values:
        raise ValidationError({"reason": _("Choose why the payments stop.")})
    if reason == StopReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Say why the payments stop.")})
    _require(actor, CHANGE_ENTITLEMENT)
    require_in_scope(actor, entitlement)
    until = until or stops.until_for(reason, event_on)
    with transaction.atomic():
        locked = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        if locked.status == EntitlementStatus.STOPPED:
            raise ValidationError(_("These payments have already stopped."))
        before = audit.snapshot(locked, ["status", "stopped_on", "stop_reason", "stop_seen"])
        locked.status = EntitlementStatus.STOPPED
        locked.stopped_on = max(until, locked.starts_on)
        locked.stop_reason = reason
        locked.stop_note = (note or event_on.isoformat())[:500]
        locked.stop_seen = False
        locked.save(
            update_fields=[
                "status",
                "stopped_on",
                "stop_reason",
                "stop_note",
                "stop_seen",
                "updated_at",
            ]
        )
        after = audit.snapshot(locked, ["status", "stopped_on", "stop_reason", "stop_seen"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes=audit.diff(before, after),
            message=_("Payments stopped: %(reason)s on %(day)s")
            % {"reason": StopReason(reason).label, "day": event_on.isoformat()},
        )
        kind = _kind(locked, event_on)
        _cut_open_cases(actor=actor, entitlement=locked, kind=kind)
        overpayment_check(entitlement=locked, kind=kind)
    entitlement.refresh_from_db()
    return entitlement


def _cut_open_cases(
    *, actor: User | None, entitlement: Entitlement, kind: BenefitKind | None
) -> None:
    """Cases of the entitlement not yet paid that cover months from the stop on: their
    months and amount are cut back to the stop (audited, before/after)."""
    assert entitlement.stopped_on is not None
    if kind is None:
        return
    open_cases = (
        Case.objects.filter(
            entitlement=entitlement, status__in=CHANGEABLE, covers_to__gte=entitlement.stopped_on
        )
        .exclude(payment__status__in=(PaymentStatus.EXPORTED, PaymentStatus.PAID))
        .select_related("batch", "batch__unit")
    )
    for case in open_cases:
        got = compute(
            kind,
            start=max(case.covers_from, entitlement.starts_on),
            until=entitlement.stopped_on,
            period_start=case.covers_from,
            period_end=case.covers_to,
        )
        _set_amount(
            actor=None,
            case=case,
            amount=got.amount,
            months=got.month_count,
            reason=_("Payments stopped from %(day)s") % {"day": entitlement.stopped_on.isoformat()},
        )


def apply_stops(*, person: Person, today: datetime.date | None = None) -> list[Entitlement]:
    """Stop the active entitlements of ``person`` whose stop is due (the system acts).
    One indexed query when she has none (the receiver of every registry change)."""
    today = today or timezone.localdate()
    active = list(
        Entitlement.objects.filter(person=person, status=EntitlementStatus.ACTIVE).select_related(
            "unit", "person"
        )
    )
    return [e for e in (_apply(e, today) for e in active) if e is not None]


def _apply(entitlement: Entitlement, today: datetime.date) -> Entitlement | None:
    kind = _kind(entitlement, today)
    due = stops.due_stop(entitlement, kind, today=today)
    if due is None:
        return None
    return stop(
        actor=None,
        entitlement=entitlement,
        reason=due.reason,
        event_on=due.event_on,
        until=due.until,
    )


def scan_stops(*, today: datetime.date | None = None) -> list[Entitlement]:
    """The nightly job (``jisheng benefits stops``): every active entitlement with a stop
    due — bulk-loaded deaths and moves, birthdays — read through indexed conditions."""
    from jisheng.orgs.models import Unit
    from jisheng.policy.selectors import packs_in_force

    today = today or timezone.localdate()
    unit_ids = (
        Entitlement.objects.filter(status=EntitlementStatus.ACTIVE)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    units = Unit.objects.filter(pk__in=list(unit_ids))
    limits: dict[str, int] = {}  # the youngest limit of each kind over the packs in force
    for pack in packs_in_force(units, today).values():
        if pack is None or pack.benefits is None:
            continue
        for key, kind in pack.benefits.kinds.items():
            years = stops.age_limit(kind)
            if years is not None:
                limits[key] = min(years, limits.get(key, years))
    stopped = []
    for entitlement in stops.candidates(today=today, age_limits=limits):
        done = _apply(entitlement, today)
        if done is not None:
            stopped.append(done)
    return stopped


def confirm_stop(*, actor: User | None, entitlement: Entitlement, note: str = "") -> Entitlement:
    """The office confirms a stop it was shown (``stop_seen``), audited."""
    _require(actor, CHANGE_ENTITLEMENT)
    require_in_scope(actor, entitlement)
    with transaction.atomic():
        locked = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        if locked.status != EntitlementStatus.STOPPED:
            raise ValidationError(_("These payments have not stopped."))
        if locked.stop_seen:
            raise ValidationError(_("This stop has already been confirmed."))
        locked.stop_seen = True
        if note.strip():
            locked.stop_note = f"{locked.stop_note} {note.strip()}".strip()[:500]
        locked.save(update_fields=["stop_seen", "stop_note", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"stop_seen": [False, True]},
            message=note.strip(),
        )
    entitlement.refresh_from_db()
    return entitlement


# --------------------------------------------------------------------------- paid / overpaid


def mark_paid_through(*, case: Case) -> Entitlement | None:
    """A payment of ``case`` became PAID: its entitlement is paid through the case's
    ``covers_to`` (never moved back). For the payments part to call, in its transaction.
    A payment for months after a stop becomes an :class:`Overpayment`."""
    if case.entitlement_id is None:
        return None
    with transaction.atomic():
        entitlement = (
            Entitlement.objects.select_for_update()
            .select_related("unit")
            .get(pk=case.entitlement_id)
        )
        if entitlement.paid_through is not None and entitlement.paid_through >= case.covers_to:
            return entitlement
        before = entitlement.paid_through
        entitlement.paid_through = case.covers_to
        entitlement.save(update_fields=["paid_through", "updated_at"])
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            obj=entitlement,
            changes={
                "paid_through": [
                    before.isoformat() if before else None,
                    case.covers_to.isoformat(),
                ]
            },
            message=_("Paid in case %(case)d") % {"case": case.pk},
        )
        if entitlement.status == EntitlementStatus.STOPPED:
            overpayment_check(
                entitlement=entitlement,
                kind=_kind(entitlement, entitlement.stopped_on or case.covers_to),
            )
    return entitlement


def mark_cases_paid(*, case_ids: list[int], note: str = "") -> int:
    """The bank paid these cases (a return file): each entitlement is paid through the
    latest ``covers_to`` of its cases, never moved back — in bulk (a county's 50,000
    lines), one audit row for the lot; a stopped entitlement paid beyond its stop gets
    its :class:`Overpayment` as :func:`mark_paid_through` gives it. Returns the number of
    entitlements moved. Call it in the payments' transaction."""
    through: dict[int, datetime.date] = {}
    for start in range(0, len(case_ids), 2000):
        rows = Case.objects.filter(
            pk__in=case_ids[start : start + 2000], entitlement__isnull=False
        ).values_list("entitlement_id", "covers_to")
        for entitlement_id, covers_to in rows:
            if entitlement_id not in through or covers_to > through[entitlement_id]:
                through[entitlement_id] = covers_to
    moved: list[Entitlement] = []
    ids = sorted(through)
    for start in range(0, len(ids), 2000):
        for entitlement in Entitlement.objects.filter(pk__in=ids[start : start + 2000]):
            day = through[entitlement.pk]
            if entitlement.paid_through is None or entitlement.paid_through < day:
                entitlement.paid_through = day
                moved.append(entitlement)
    Entitlement.objects.bulk_update(moved, ["paid_through"], batch_size=2000)
    for entitlement in moved:
        if entitlement.status == EntitlementStatus.STOPPED:
            overpayment_check(
                entitlement=entitlement,
                kind=_kind(entitlement, entitlement.stopped_on or through[entitlement.pk]),
            )
    if moved:
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            obj=moved[0],
            object_repr=_("%(n)d entitlements") % {"n": len(moved)},
            message=_("Paid through the months the bank paid: %(n)d entitlements. %(note)s")
            % {"n": len(moved), "note": note},
        )
    return len(moved)


def overpaid_span(
    entitlement: Entitlement, kind: BenefitKind | None
) -> tuple[datetime.date, datetime.date] | None:
    """The days paid after the stop (``stopped_on`` .. ``paid_through``), or None. A
    yearly benefit paid whole (``prorate: none``) is overpaid only for the years after
    the one it stopped in."""
    if entitlement.stopped_on is None or entitlement.paid_through is None:
        return None
    first = entitlement.stopped_on
    if kind is not None and kind.period == "year" and kind.prorate == "none":
        first = datetime.date(
            first.year + (0 if first == datetime.date(first.year, 1, 1) else 1), 1, 1
        )
    if kind is not None and kind.period == "once":
        return None
    if entitlement.paid_through < first:
        return None
    return first, entitlement.paid_through


def overpayment_check(*, entitlement: Entitlement, kind: BenefitKind | None) -> Overpayment | None:
    """List what was paid after the stop as an Overpayment (once per span), for the
    office to resolve. Never deducted from anything (SPEC §7)."""
    span = overpaid_span(entitlement, kind)
    if span is None:
        return None
    first, last = span
    covered = Overpayment.objects.filter(entitlement=entitlement, covers_to__gte=first)
    last_known = max((o.covers_to for o in covered), default=None)
    if last_known is not None:
        if last_known >= last:
            return None
        first = last_known + ONE_DAY
    if kind is not None:
        got = compute(kind, start=first, until=None, period_start=first, period_end=last)
        months, amount = got.month_count, got.amount
    else:  # unknown kind: the months, the amount left for the office to fill in
        months, amount = len(_months(first, last)), Decimal("0.00")
    overpayment = Overpayment.objects.create(
        entitlement=entitlement,
        unit=entitlement.unit,
        months=months,
        amount=amount,
        covers_from=first,
        covers_to=last,
    )
    audit.record(
        actor=None,
        action=AuditAction.CREATE,
        obj=overpayment,
        changes={
            "months": [None, months],
            "amount": [None, str(amount)],
            "covers_from": [None, first.isoformat()],
            "covers_to": [None, last.isoformat()],
        },
    )
    return overpayment


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def overpayment_resolve(
    *, actor: User | None, overpayment: Overpayment, outcome: str, note: str
) -> Overpayment:
    """The office resolves an overpayment: repaid, written off or other (with a note),
    audited with before and after."""
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose how the overpayment was resolved.")
    if not note.strip():
        errors["note"] = _("Write a note on how it was resolved.")
    if errors:
        raise ValidationError(errors)
    _require(actor, CHANGE_OVERPAYMENT)
    require_in_scope(actor, overpayment)
    with transaction.atomic():
        locked = Overpayment.objects.select_for_update().get(pk=overpayment.pk)
        if locked.status == OverpaymentStatus.RESOLVED:
            raise ValidationError(_("This overpayment has already been resolved."))
        before = audit.snapshot(locked, ["status", "resolution", "resolved_on"])
        locked.status = OverpaymentStatus.RESOLVED
        locked.resolution = f"{outcome_label(outcome)}：{note.strip()}"
        locked.resolved_on = timezone.localdate()
        locked.resolved_by = audit.user_of(actor)
        locked.save(
            update_fields=["status", "resolution", "resolved_on", "resolved_by", "updated_at"]
        )
        after = audit.snapshot(locked, ["status", "resolution", "resolved_on"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={**audit.diff(before, after), "outcome": [None, outcome]},
        )
    overpayment.refresh_from_db()
    return overpayment


# --------------------------------------------------------------------------- arrears


def next_open_batch(entitlement: Entitlement) -> Batch | None:
    """The next batch of the kind still taking cases whose unit covers the
    entitlement's (its own or an ancestor's), the earliest period first."""
    paths = [entitlement.unit.path[:n] for n in range(4, len(entitlement.unit.path) + 1, 4)]
    return (
        Batch.objects.filter(kind=entitlement.kind, status__in=OPEN_BATCH, unit__path__in=paths)
        .select_related("unit")
        .order_by("period_start", "id")
        .first()
    )


def arrears(*, actor: User | None, entitlement: Entitlement, through: datetime.date) -> Case:
    """Put the months owed (after ``paid_through``, or from the start, to ``through``,
    never past a stop or the end of eligibility) as an ARREARS case in the next open
    batch of the kind, with the months and amount of ``amounts.compute`` and the
    explanation “补发 …月至…月”."""
    _require(actor, ADD_CASE)
    require_in_scope(actor, entitlement)
    entitlement.refresh_from_db()
    first = (
        entitlement.paid_through + ONE_DAY
        if entitlement.paid_through is not None
        else entitlement.starts_on
    )
    last = through
    for end in (entitlement.stopped_on, entitlement.ends_on):
        if end is not None:
            last = min(last, end - ONE_DAY)
    if last < first:
        raise ValidationError({"through": _("Nothing is owed up to this date.")})
    pending = (
        Case.objects.filter(entitlement=entitlement, covers_to__gte=first, covers_from__lte=last)
        .exclude(status__in=(CaseStatus.WITHDRAWN, CaseStatus.INELIGIBLE, CaseStatus.FAILED))
        .exists()
    )
    if pending:
        raise ValidationError(
            {"through": _("A case already covers some of these months: settle it first.")}
        )
    kind = _kind(entitlement, first)
    if kind is None:
        raise ValidationError(_("The policy pack in force has no such benefit."))
    got = compute(
        kind,
        start=max(first, entitlement.starts_on),
        until=entitlement.stopped_on,
        period_start=first,
        period_end=last,
    )
    if not got.months:
        raise ValidationError({"through": _("Nothing is owed up to this date.")})
    batch = next_open_batch(entitlement)
    if batch is None:
        raise ValidationError(
            _("There is no open batch of this benefit to put the arrears in: create one first.")
        )
    duties.check(batch, actor, Power.CONFIRM, action="arrears")
    text = _("Arrears for %(first)s to %(last)s") % {
        "first": month_cn(got.months[0]),
        "last": month_cn(got.months[-1]),
    }
    with transaction.atomic():
        duties.exercise(batch, actor, Power.CONFIRM, action="arrears")
        case = Case.objects.create(
            batch=batch,
            kind=entitlement.kind,
            person=entitlement.person,
            beneficiary=entitlement.beneficiary,
            unit=entitlement.unit,
            source=CaseSource.ARREARS,
            status=CaseStatus.CANDIDATE,
            explanation=[{"code": "arrears", "text": text, "ok": True, "records": []}],
            covers_from=got.months[0],
            covers_to=last,
            months=got.month_count,
            amount=got.amount,
            entitlement=entitlement,
            note=text,
        )
        _shares(case, kind)
        Batch.objects.filter(pk=batch.pk).update(
            case_count=batch.case_count + 1, total_amount=batch.total_amount + got.amount
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=case,
            changes={
                "source": [None, CaseSource.ARREARS],
                "months": [None, got.month_count],
                "amount": [None, str(got.amount)],
            },
            message=text,
        )
    return case


def _shares(case: Case, kind: BenefitKind, employers: list[int] | None = None) -> None:
    CaseShare.objects.filter(case=case).delete()
    CaseShare.objects.bulk_create(
        CaseShare(case=case, level=line.level, payer_id=line.payer_id, amount=line.amount)
        for line in split(kind, case.amount, employers=employers or [])
    )


# --------------------------------------------------------------------------- amounts


def parse_amount(value: object) -> Decimal:
    """Yuan as a Decimal with at most two places, zero or more."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        # a binary fraction is not an amount of money: yuan come as text or Decimal
        raise ValidationError({"amount": _("Give the amount in yuan, e.g. 300.00.")})
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Give the amount in yuan, e.g. 300.00.")}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(FEN):
        raise ValidationError(
            {"amount": _("The amount must be zero or more, with at most two decimals.")}
        )
    return amount.quantize(FEN)


def change_amount(*, actor: User | None, case: Case, amount: object, reason: str) -> Case:
    """Change the amount of ``case`` (not yet paid): the only way to, audited with
    before and after and the reason; the batch's total follows, the shares are split
    again. A user exercises the confirming power on the batch (四权分离)."""
    value = parse_amount(amount)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the amount changes.")})
    _require(actor, CHANGE_CASE)
    require_in_scope(actor, case)
    if case.status not in CHANGEABLE or _paid_or_sent(case):
        raise ValidationError(_("A case paid or sent to the bank keeps its amount."))
    duties.check(case.batch, actor, Power.CONFIRM, action="change_amount")
    with transaction.atomic():
        duties.exercise(case.batch, actor, Power.CONFIRM, action="change_amount")
        _set_amount(actor=actor, case=case, amount=value, months=None, reason=reason.strip())
    case.refresh_from_db()
    return case


def _paid_or_sent(case: Case) -> bool:
    from jisheng.benefits.models import Payment

    return Payment.objects.filter(
        case=case, status__in=(PaymentStatus.EXPORTED, PaymentStatus.PAID)
    ).exists()


def _set_amount(
    *, actor: User | None, case: Case, amount: Decimal, months: int | None, reason: str
) -> None:
    locked = Case.objects.select_for_update().select_related("batch").get(pk=case.pk)
    before = {"amount": str(locked.amount), "months": locked.months}
    if locked.amount == amount and (months is None or months == locked.months):
        return
    difference = amount - locked.amount
    locked.amount = amount
    if months is not None:
        locked.months = months
    locked.save(update_fields=["amount", "months", "updated_at"])
    employers = [s.payer_id for s in locked.shares.all() if s.payer_id is not None]
    kind = kind_of(locked.kind, locked.batch.unit, locked.covers_from)
    if kind is not None:
        _shares(locked, kind, employers)
    batch = Batch.objects.select_for_update().get(pk=locked.batch_id)
    batch.total_amount = batch.total_amount + difference
    batch.save(update_fields=["total_amount", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "amount": [before["amount"], str(amount)],
            "months": [before["months"], locked.months],
        },
        message=reason[:500],
    )
