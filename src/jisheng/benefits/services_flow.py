"""The flow of a benefit batch (issue 18, SPEC §7): review, 公示, objections, the county's
approval, the funds, and supervision — each act one of the four powers (四权分离).

Every service acting on a batch calls :func:`jisheng.benefits.duties.check` BEFORE its
transaction (a refusal is audited and raised with a Chinese reason) and
:func:`~jisheng.benefits.duties.exercise` inside it (the batch locked, the act recorded
as a Duty). The batch's status changes through ``core.workflow`` (the table in
``benefits/workflows.py``: Decision rows and the audit row); the hooks below do the work
of each step on the locked batch.

Keyword-only, ``actor=`` first; money is ``Decimal``, never a float; every amount change is
audited with its before and after.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.benefits import duties
from jisheng.benefits.choices import BatchStatus, CaseStatus, ObjectionStatus, Power
from jisheng.benefits.models import Batch, Case, CaseShare, Finding, Objection
from jisheng.core import audit
from jisheng.core import workflow as wf
from jisheng.core.choices import AuditAction
from jisheng.core.scope import path_in_scope, record_denied
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import User

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_NOTICE_DAYS = 7
# Cases that count in the batch's totals (the others were refused or withdrawn).
NOT_COUNTED = (CaseStatus.WITHDRAWN, CaseStatus.INELIGIBLE)
# Cases the reviewer may still change (before the 公示).
REVIEWABLE = (CaseStatus.CANDIDATE, CaseStatus.REVIEWED, CaseStatus.WITHDRAWN)
# Cases the county does not approve.
NOT_APPROVED = (CaseStatus.OBJECTED, CaseStatus.WITHDRAWN, CaseStatus.INELIGIBLE)


# --------------------------------------------------------------------------- helpers


def notice_days(batch: Batch) -> int:
    """The 公示 days of the batch's kind in the pack in force for its unit today (the
    kind's ``notice_days``), else :data:`DEFAULT_NOTICE_DAYS`."""
    from jisheng.policy.selectors import pack_in_force

    pack = pack_in_force(batch.unit, timezone.localdate())
    benefits = getattr(pack, "benefits", None) if pack is not None else None
    kind = benefits.kinds.get(batch.kind) if benefits is not None else None
    return int(kind.notice_days) if kind is not None else DEFAULT_NOTICE_DAYS


def recount(batch: Batch) -> dict[str, object]:
    """Set the batch's ``case_count`` and ``total_amount`` from its cases (the ones not
    withdrawn or refused); returns the changes ({field: [before, after]}) or {}."""
    totals = batch.cases.exclude(status__in=NOT_COUNTED).aggregate(n=Count("id"), s=Sum("amount"))
    count = int(totals["n"] or 0)
    total = Decimal(totals["s"] or ZERO).quantize(FEN)
    changes: dict[str, object] = {}
    if batch.case_count != count:
        changes["case_count"] = [batch.case_count, count]
    if Decimal(batch.total_amount).quantize(FEN) != total:
        changes["total_amount"] = [str(Decimal(batch.total_amount).quantize(FEN)), str(total)]
    if changes:
        batch.case_count = count
        batch.total_amount = total
        Batch.objects.filter(pk=batch.pk).update(case_count=count, total_amount=total)
    return changes


def is_county_user(user: User | None, batch: Batch) -> bool:
    """Whether ``user`` approves for the county: their own unit is a county-level unit
    (``UnitType.COUNTY``) and it is the batch's unit or above it. The system
    (``None``) is."""
    if user is None:
        return True
    unit = getattr(user, "unit", None)
    if unit is None or unit.unit_type != UnitType.COUNTY:
        return False
    return bool(batch.unit.path.startswith(unit.path))


def _refuse(actor: User | None, obj: models.Model, reason: str) -> None:
    record_denied(actor, obj, reason)
    raise PermissionDenied(reason)


def _require(actor: User | None, perm: str, obj: models.Model) -> None:
    if actor is not None and not actor.has_perm(perm):
        _refuse(actor, obj, _("You do not have permission to do this."))
    path = audit.scope_path(obj)
    if actor is not None and not path_in_scope(path, actor):
        _refuse(actor, obj, _("This record belongs to a unit outside your scope."))


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("batch", "unit").get(pk=case.pk)


def _case_in(case: Case, statuses: tuple[str, ...], message: str) -> None:
    if case.status not in statuses:
        raise ValidationError(message, code="case_status")


def _batch_in(batch: Batch, statuses: tuple[str, ...], message: str) -> None:
    if batch.status not in statuses:
        raise ValidationError(message, code="batch_status")


# --------------------------------------------------------------------------- cases


def case_review(*, actor: User | None, case: Case, note: str = "") -> Case:
    """The village/township marks a case reviewed (审核通过) while the batch is a draft;
    a withdrawn case may be taken back. CONFIRM power."""
    batch = case.batch
    _require(actor, "benefits.change_case", case)
    duties.check(batch, actor, Power.CONFIRM, action="review_case", path=case.unit.path)
    with transaction.atomic():
        duties.exercise(batch, actor, Power.CONFIRM, action="review_case", path=case.unit.path)
        locked = _locked_case(case)
        _batch_in(
            locked.batch, (BatchStatus.DRAFT,), _("Cases are reviewed while the batch is a draft.")
        )
        _case_in(locked, REVIEWABLE, _("This case cannot be reviewed now."))
        if not locked.eligible:
            raise ValidationError(_("This case is not eligible: it cannot pass the review."))
        before = locked.status
        locked.status = CaseStatus.REVIEWED
        locked.reviewed_by = audit.user_of(actor)
        if note:
            locked.note = note[:500]
        locked.save(update_fields=["status", "reviewed_by", "note", "updated_at"])
        changes = {"status": [before, locked.status], **recount(locked.batch)}
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes, message=note
        )
    case.refresh_from_db()
    return case


def case_withdraw(*, actor: User | None, case: Case, reason: str) -> Case:
    """The reviewer withdraws a case (不予通过), with the reason. CONFIRM power."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is withdrawn.")})
    batch = case.batch
    _require(actor, "benefits.change_case", case)
    duties.check(batch, actor, Power.CONFIRM, action="withdraw_case", path=case.unit.path)
    with transaction.atomic():
        duties.exercise(batch, actor, Power.CONFIRM, action="withdraw_case", path=case.unit.path)
        locked = _locked_case(case)
        _batch_in(
            locked.batch,
            (BatchStatus.DRAFT,),
            _("Cases are withdrawn while the batch is a draft."),
        )
        _case_in(
            locked,
            (CaseStatus.CANDIDATE, CaseStatus.REVIEWED),
            _("This case cannot be withdrawn now."),
        )
        before = locked.status
        locked.status = CaseStatus.WITHDRAWN
        locked.reviewed_by = audit.user_of(actor)
        locked.note = reason[:500]
        locked.save(update_fields=["status", "reviewed_by", "note", "updated_at"])
        changes = {"status": [before, locked.status], **recount(locked.batch)}
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes, message=reason
        )
    case.refresh_from_db()
    return case


def _rescale_shares(case: Case, amount: Decimal) -> list[list[str]]:
    """Scale the case's funding shares to ``amount`` (Decimal, the last share takes the
    rounding remainder so the parts add up); returns [level, before, after] rows."""
    shares = list(CaseShare.objects.filter(case=case).order_by("id"))
    old_total = sum((s.amount for s in shares), ZERO)
    rows: list[list[str]] = []
    if not shares:
        return rows
    left = amount
    for index, share in enumerate(shares):
        before = share.amount
        if index == len(shares) - 1:
            new = left
        elif old_total:
            new = (amount * share.amount / old_total).quantize(FEN)
        else:
            new = ZERO
        left -= new
        share.amount = new
        share.save(update_fields=["amount"])
        rows.append([share.level, str(before), str(new)])
    return rows


def case_amount_change(
    *, actor: User | None, case: Case, amount: Decimal, months: int | None = None, reason: str
) -> Case:
    """The reviewer corrects a case's amount (and months) while the batch is a draft; the
    funding shares follow; the audit row holds the before and after. CONFIRM power."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the amount is changed.")})
    if not isinstance(amount, Decimal):
        raise ValidationError({"amount": _("Give the amount in yuan.")})
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(FEN):
        raise ValidationError(
            {"amount": _("The amount must be zero or more, in yuan with at most two decimals.")}
        )
    if months is not None and not 0 <= months <= 1200:
        raise ValidationError({"months": _("The months must be between 0 and 1200.")})
    batch = case.batch
    _require(actor, "benefits.change_case", case)
    duties.check(batch, actor, Power.CONFIRM, action="change_amount", path=case.unit.path)
    with transaction.atomic():
        duties.exercise(batch, actor, Power.CONFIRM, action="change_amount", path=case.unit.path)
        locked = _locked_case(case)
        _batch_in(
            locked.batch,
            (BatchStatus.DRAFT,),
            _("Amounts are corrected while the batch is a draft."),
        )
        _case_in(locked, REVIEWABLE, _("This case's amount cannot be changed now."))
        changes: dict[str, object] = {}
        if locked.amount != amount:
            changes["amount"] = [str(locked.amount), str(amount)]
        if months is not None and locked.months != months:
            changes["months"] = [locked.months, months]
        if not changes:
            return locked
        locked.amount = amount
        if months is not None:
            locked.months = months
        locked.save(update_fields=["amount", "months", "updated_at"])
        shares = _rescale_shares(locked, amount)
        if shares:
            changes["shares"] = shares
        changes.update(recount(locked.batch))
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes, message=reason
        )
    case.refresh_from_db()
    return case


# --------------------------------------------------------------------------- batch steps


def _step(
    *, actor: User | None, batch: Batch, to: str, power: str, action: str, message: str = ""
) -> Batch:
    """``duties.check`` then the workflow's step (whose hook calls ``duties.exercise``)."""
    duties.check(batch, actor, power, action=action)
    wf.transition(actor=actor, obj=batch, to=to, message=message, params={"action": action})
    batch.refresh_from_db()
    return batch


def review_complete(*, actor: User | None, batch: Batch, message: str = "") -> Batch:
    """The review is complete (村/乡镇审核): no case is left a candidate."""
    return _step(
        actor=actor,
        batch=batch,
        to=BatchStatus.REVIEWED,
        power=Power.CONFIRM,
        action="review",
        message=message,
    )


def notice_start(*, actor: User | None, batch: Batch, message: str = "") -> Batch:
    """The 公示 starts today for the kind's ``notice_days``."""
    return _step(
        actor=actor,
        batch=batch,
        to=BatchStatus.NOTICE,
        power=Power.CONFIRM,
        action="notice",
        message=message,
    )


def approve(*, actor: User | None, batch: Batch, message: str = "") -> Batch:
    """The county approves (县级审批) after the notice period."""
    return _step(
        actor=actor,
        batch=batch,
        to=BatchStatus.APPROVED,
        power=Power.CONFIRM,
        action="approve",
        message=message,
    )


def funds_confirm(*, actor: User | None, batch: Batch, message: str = "") -> Batch:
    """The fund manager confirms the funds (资金落实) for the totals by funding level."""
    return _step(
        actor=actor,
        batch=batch,
        to=BatchStatus.FUNDED,
        power=Power.FUNDS,
        action="funds",
        message=message,
    )


RETURN_TO: dict[str, str] = {
    BatchStatus.REVIEWED: BatchStatus.DRAFT,
    BatchStatus.NOTICE: BatchStatus.REVIEWED,
    BatchStatus.APPROVED: BatchStatus.REVIEWED,
}


def send_back(*, actor: User | None, batch: Batch, message: str) -> Batch:
    """Return the batch (退回) with a message: a reviewed batch to the draft, one on
    notice or approved to the reviewed (the 公示 starts again)."""
    target = RETURN_TO.get(batch.status)
    if target is None:
        raise wf.TransitionNotAllowed(_("This batch cannot be returned now."))
    return _step(
        actor=actor, batch=batch, to=target, power=Power.CONFIRM, action="return", message=message
    )


def cancel(*, actor: User | None, batch: Batch, message: str) -> Batch:
    return _step(
        actor=actor,
        batch=batch,
        to=BatchStatus.CANCELLED,
        power=Power.CONFIRM,
        action="cancel",
        message=message,
    )


# --------------------------------------------------------------------------- hooks


def _action(ctx: wf.Context, default: str) -> str:
    return str(ctx.params.get("action") or default)


def confirm_hook(ctx: wf.Context) -> None:
    """A CONFIRM step with nothing more to do (returns, cancel)."""
    duties.exercise(ctx.obj, ctx.actor, Power.CONFIRM, action=_action(ctx, ctx.step.action))


def review_guard(ctx: wf.Context) -> None:
    left = ctx.obj.cases.filter(status=CaseStatus.CANDIDATE).count()
    if left:
        raise ValidationError(
            _("%(n)s case(s) are not reviewed yet: review or withdraw each first.") % {"n": left},
            code="unreviewed",
        )
    if not ctx.obj.cases.filter(status=CaseStatus.REVIEWED).exists():
        raise ValidationError(_("No case of this batch passed the review."), code="empty")


def review_hook(ctx: wf.Context) -> None:
    duties.exercise(ctx.obj, ctx.actor, Power.CONFIRM, action=_action(ctx, "review"))
    ctx.changes.update(recount(ctx.obj))


def notice_hook(ctx: wf.Context) -> None:
    batch: Batch = ctx.obj
    duties.exercise(batch, ctx.actor, Power.CONFIRM, action=_action(ctx, "notice"))
    today = timezone.localdate()
    days = notice_days(batch)
    before = [batch.notice_from, batch.notice_until]
    batch.notice_from = today
    batch.notice_until = today + datetime.timedelta(days=days)
    ctx.fields += ["notice_from", "notice_until"]
    ctx.changes["notice"] = [
        [str(d) if d else None for d in before],
        [str(batch.notice_from), str(batch.notice_until)],
    ]


def approve_guard(ctx: wf.Context) -> None:
    batch: Batch = ctx.obj
    if not is_county_user(ctx.actor, batch):
        raise PermissionDenied(
            _("Only the county's office approves a batch (县级审批): your unit is not a county.")
        )
    today = timezone.localdate()
    if batch.notice_until is None or today <= batch.notice_until:
        raise ValidationError(
            _("Nothing is approved before the public notice period ends: it runs until %(day)s.")
            % {"day": batch.notice_until or "—"},
            code="notice_running",
        )


def approve_hook(ctx: wf.Context) -> None:
    batch: Batch = ctx.obj
    duties.exercise(batch, ctx.actor, Power.CONFIRM, action=_action(ctx, "approve"))
    approved = batch.cases.filter(status=CaseStatus.REVIEWED).update(
        status=CaseStatus.APPROVED, updated_at=timezone.now()
    )
    if not approved:
        raise ValidationError(_("No case of this batch can be approved."), code="empty")
    ctx.changes["cases_approved"] = approved
    ctx.changes.update(recount(batch))


def unapprove_hook(ctx: wf.Context) -> None:
    """APPROVED → REVIEWED (returned by the county): the approved cases back to reviewed,
    the 公示 to be held again."""
    batch: Batch = ctx.obj
    duties.exercise(batch, ctx.actor, Power.CONFIRM, action=_action(ctx, "return"))
    n = batch.cases.filter(status=CaseStatus.APPROVED).update(
        status=CaseStatus.REVIEWED, updated_at=timezone.now()
    )
    ctx.changes["cases_unapproved"] = n


def funding_totals(batch: Batch) -> list[dict[str, object]]:
    """The approved cases' amounts by funding level (and employer): [{level, payer_id,
    payer, amount}] — Decimal yuan."""
    rows = (
        CaseShare.objects.filter(case__batch=batch, case__status=CaseStatus.APPROVED)
        .values("level", "payer_id", "payer__name")
        .annotate(amount=Sum("amount"))
        .order_by("level", "payer__name")
    )
    return [
        {
            "level": r["level"],
            "payer_id": r["payer_id"],
            "payer": r["payer__name"] or "",
            "amount": Decimal(r["amount"] or ZERO).quantize(FEN),
        }
        for r in rows
    ]


def funds_hook(ctx: wf.Context) -> None:
    batch: Batch = ctx.obj
    duties.exercise(batch, ctx.actor, Power.FUNDS, action=_action(ctx, "funds"))
    ctx.changes.update(recount(batch))
    ctx.changes["funds"] = [
        [r["level"], r["payer"], str(r["amount"])] for r in funding_totals(batch)
    ]
    approved = batch.cases.filter(status=CaseStatus.APPROVED).aggregate(s=Sum("amount"))["s"]
    ctx.changes["funded_total"] = str(Decimal(approved or ZERO).quantize(FEN))


# --------------------------------------------------------------------------- objections


def objection_create(
    *,
    actor: User | None,
    case: Case,
    raised_on: datetime.date,
    raised_by: str = "",
    content: str,
) -> Objection:
    """Record an objection (异议) raised during the 公示 against ``case``: the case becomes
    OBJECTED and is not approved until it is resolved (only that case). CONFIRM power."""
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": _("Write what the objection says.")})
    batch = case.batch
    _require(actor, "benefits.add_objection", case)
    duties.check(batch, actor, Power.CONFIRM, action="objection", path=case.unit.path)
    with transaction.atomic():
        duties.exercise(batch, actor, Power.CONFIRM, action="objection", path=case.unit.path)
        locked = _locked_case(case)
        _batch_in(
            locked.batch,
            (BatchStatus.NOTICE,),
            _("Objections are recorded while the batch is on public notice."),
        )
        if locked.batch.notice_from and raised_on < locked.batch.notice_from:
            raise ValidationError({"raised_on": _("The objection is dated before the notice.")})
        if raised_on > timezone.localdate():
            raise ValidationError({"raised_on": _("The date is in the future.")})
        _case_in(
            locked,
            (CaseStatus.REVIEWED, CaseStatus.OBJECTED),
            _("This case is not on the public list."),
        )
        objection = Objection.objects.create(
            case=locked,
            unit=locked.unit,
            raised_on=raised_on,
            raised_by=(raised_by or "").strip()[:100],
            content=content,
            recorded_by=audit.user_of(actor),
        )
        before = locked.status
        if before != CaseStatus.OBJECTED:
            locked.status = CaseStatus.OBJECTED
            locked.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=objection,
            changes={"case": locked.pk, "case_status": [before, locked.status]},
            message=content[:500],
        )
    return objection


def objection_resolve(
    *, actor: User | None, objection: Objection, outcome: str, resolution: str
) -> Objection:
    """Resolve an objection: UPHELD withdraws the case; DISMISSED puts it back to
    reviewed (approvable) once no other objection on it is open. CONFIRM power."""
    resolution = (resolution or "").strip()
    if outcome not in (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED):
        raise ValidationError({"outcome": _("Choose whether the objection is upheld.")})
    if not resolution:
        raise ValidationError({"resolution": _("Write how the objection was resolved.")})
    case = objection.case
    batch = case.batch
    _require(actor, "benefits.change_objection", objection)
    duties.check(batch, actor, Power.CONFIRM, action="resolve_objection", path=case.unit.path)
    with transaction.atomic():
        duties.exercise(
            batch, actor, Power.CONFIRM, action="resolve_objection", path=case.unit.path
        )
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != ObjectionStatus.OPEN:
            raise ValidationError(_("This objection is resolved already."))
        locked_case = _locked_case(case)
        _batch_in(
            locked_case.batch,
            (BatchStatus.NOTICE, BatchStatus.REVIEWED, BatchStatus.APPROVED),
            _("This batch's objections can no longer be resolved."),
        )
        locked.status = outcome
        locked.resolution = resolution
        locked.resolved_on = timezone.localdate()
        locked.resolved_by = audit.user_of(actor)
        locked.save(
            update_fields=["status", "resolution", "resolved_on", "resolved_by", "updated_at"]
        )
        before = locked_case.status
        if outcome == ObjectionStatus.UPHELD:
            locked_case.status = CaseStatus.WITHDRAWN
            locked_case.note = resolution[:500]
        elif not locked_case.objections.filter(status=ObjectionStatus.OPEN).exists():
            locked_case.status = CaseStatus.REVIEWED
        if locked_case.status != before:
            locked_case.save(update_fields=["status", "note", "updated_at"])
        changes = {
            "status": [ObjectionStatus.OPEN, outcome],
            "case_status": [before, locked_case.status],
            **recount(locked_case.batch),
        }
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes=changes,
            message=resolution[:500],
        )
    objection.refresh_from_db()
    return objection


# --------------------------------------------------------------------------- supervision


def finding_create(
    *, actor: User | None, batch: Batch, case: Case | None = None, text: str
) -> Finding:
    """The supervisor writes a finding (监督发现) on a batch or one of its cases: the only
    thing supervision writes. SUPERVISE power (so the supervisor may not then confirm,
    fund or pay this batch)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the finding.")})
    if case is not None and case.batch_id != batch.pk:
        raise ValidationError({"case": _("This case is not in the batch.")})
    _require(actor, "benefits.add_finding", batch)
    duties.check(batch, actor, Power.SUPERVISE, action="finding")
    with transaction.atomic():
        duties.exercise(batch, actor, Power.SUPERVISE, action="finding")
        finding = Finding.objects.create(
            unit=case.unit if case is not None else batch.unit,
            batch=batch,
            case=case,
            text=text,
            found_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=finding,
            changes={"batch": batch.pk, "case": case.pk if case is not None else None},
            message=text[:500],
        )
    return finding


def finding_answer(*, actor: User | None, finding: Finding, answer: str) -> Finding:
    """The office answers a finding (整改说明)."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    _require(actor, "benefits.change_finding", finding)
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        before = locked.answer
        locked.answer = answer
        locked.answered_on = timezone.localdate()
        locked.save(update_fields=["answer", "answered_on", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={"answer": [before, answer]},
            message=answer[:500],
        )
    finding.refresh_from_db()
    return finding


def open_objections_q() -> Q:
    return Q(objections__status=ObjectionStatus.OPEN)
