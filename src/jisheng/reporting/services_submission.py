"""Submitting a statistical report up the tree (SPEC §9, issue 15).

A unit's report of a form (``registry["statforms"]``, :class:`~jisheng.core.statforms.FormSpec`)
for a period is one :class:`~jisheng.reporting.models.Submission`; its status moves only
through ``core.workflow`` (the table in :mod:`jisheng.reporting.workflows`):

draft ─check→ checked ─submit→ submitted ─approve→ approved ─reopen (message)→ returned
  └──────────submit──────────↗     └─return (message)→ returned ─check/submit→ …

- check runs :func:`jisheng.core.statforms.submission_findings`; an error-level finding
  the unit has not explained blocks the check and the submission;
- submit: only the staff OF that unit (any other user is refused, 403 and audited), only
  when every child unit's report of the same form and period is approved (the missing
  ones are named); freezes the snapshot (figures, records behind each cell, and the
  adjustments to prior approved periods it carries);
- approve / return: only the staff of the parent unit; a return needs a message;
  approving closes the period for the unit's subtree (``core.locks.close``) when the
  form's ``FormSpec.closes_period`` says so (the registry's forms, not the commodity
  ledgers' forms);
- reopen: the parent or any unit above, with a message; removes that report's closure
  only (``core.locks.reopen``): the other units' reports stay approved.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, locks
from jisheng.core import workflow as wf
from jisheng.core.choices import AuditAction
from jisheng.core.periods import Period, PeriodError, parse
from jisheng.core.registry import registry
from jisheng.core.scope import record_denied, require_in_scope
from jisheng.core.statforms import ERROR, FormSpec, submission_findings
from jisheng.orgs.models import Unit, User
from jisheng.reporting import adjustments
from jisheng.reporting.adjustments import Json
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S
from jisheng.reporting.selectors_submissions import (  # noqa: F401
    NOT_REPORTING,
    children,
    reporting_units,
)

DONE = (S.SUBMITTED, S.APPROVED)
OPEN = (S.DRAFT, S.CHECKED, S.RETURNED)
EXPLANATION_MAX = 500


class UnknownForm(ValidationError):
    """No statistical form of that key is registered."""


def spec_get(form_key: str) -> FormSpec:
    spec = registry["statforms"].get(form_key)
    if spec is None:
        raise UnknownForm(
            _("There is no statistical form “%(key)s”.") % {"key": form_key}, code="unknown_form"
        )
    return spec


def period_get(spec: FormSpec, code: str) -> Period:
    """The period of ``code``; it must be of the form's frequency."""
    try:
        period = parse(code)
    except PeriodError as exc:
        raise ValidationError(str(exc), code="bad_period") from exc
    if period.kind != spec.frequency:
        raise ValidationError(
            _("“%(form)s” is not reported for a period like “%(period)s”.")
            % {"form": spec.title, "period": period.label},
            code="bad_period",
        )
    return period


def parent_path(unit: Unit) -> str:
    return unit.path[: -Unit.steplen] if unit.depth > 1 else ""


# --------------------------------------------------------------------------- reading


def find(*, unit: Unit, form_key: str, period: Period) -> Submission | None:
    return Submission.objects.filter(unit=unit, form_key=form_key, period_code=period.code).first()


def missing_children(submission: Submission) -> list[Unit]:
    """The child units whose report of the same form and period is not approved."""
    below = children(submission.unit)
    approved = set(
        Submission.objects.filter(
            unit__in=below,
            form_key=submission.form_key,
            period_code=submission.period_code,
            status=S.APPROVED,
        ).values_list("unit_id", flat=True)
    )
    return [u for u in below if u.pk not in approved]


def findings_of(
    *, unit: Unit, form_key: str, period: Period, explanations: dict[str, str]
) -> list[Json]:
    """The check findings as JSON rows, ``explained`` when the unit gave a reason."""
    rows = []
    for f in submission_findings(unit=unit, form_key=form_key, period=period):
        text = (explanations.get(f.rule) or "").strip()
        rows.append(
            {
                "rule": f.rule,
                "severity": f.severity,
                "message": str(f.message),
                "explained": bool(f.explained or text),
                "explanation": text,
                "url": f.url,
            }
        )
    return rows


def blocking(findings: list[Json]) -> list[Json]:
    return [f for f in findings if f["severity"] == ERROR and not f["explained"]]


def adjustments_for(submission: Submission, spec: FormSpec) -> list[adjustments.Adjustment]:
    """The changes since approval of every prior approved report of the same unit and
    form that no later report carried yet (what this report shows as 补报/更正)."""
    prior = list(
        Submission.objects.filter(
            unit_id=submission.unit_id,
            form_key=submission.form_key,
            status=S.APPROVED,
            last__lt=submission.first,
        ).order_by("first")
    )
    if not prior:
        return []
    later = Submission.objects.filter(
        unit_id=submission.unit_id, form_key=submission.form_key, status__in=DONE
    ).exclude(pk=submission.pk)
    done = adjustments.carried([s.snapshot for s in later])
    out = []
    for old in prior:
        form = spec.build(submission.unit, parse(old.period_code))
        cells = []
        for change in adjustments.changes_since(old, form):
            seen = done.get(old.pk, {}).get(f"{change.row}|{change.column}", set())
            change.added = [r for r in change.added if ("+", r) not in seen]
            change.removed = [r for r in change.removed if ("-", r) not in seen]
            if change.added or change.removed:
                cells.append(change)
        if cells:
            out.append(adjustments.Adjustment(old.pk, old.period_code, old.first, old.last, cells))
    return out


# --------------------------------------------------------------------------- guards and hooks


def _actor_unit_path(actor: User | None) -> str | None:
    unit = getattr(actor, "unit", None)
    return getattr(unit, "path", None)


def own_unit(ctx: wf.Context) -> None:
    """Only the staff of the report's unit submit it."""
    if ctx.actor is None:
        return
    if getattr(ctx.actor, "unit_id", None) != ctx.obj.unit_id:
        raise PermissionDenied(
            _("Only the staff of %(unit)s may check and submit its report.")
            % {"unit": ctx.obj.unit.name}
        )


def approving_path(unit: Unit) -> str:
    """Whose staff approve ``unit``'s report: the unit directly above; for the top unit
    of the tree (the county, whose next office is outside the system) its own office,
    whose approval is the final sign-off before the figures leave for the city."""
    return parent_path(unit) or unit.path


def parent_unit(ctx: wf.Context) -> None:
    """Only the staff of the unit directly above approve or return a report (the top
    unit's own staff for the top unit's report)."""
    if ctx.actor is None:
        return
    if _actor_unit_path(ctx.actor) != approving_path(ctx.obj.unit):
        raise PermissionDenied(
            _("Only the staff of the unit above %(unit)s may approve or return its report.")
            % {"unit": ctx.obj.unit.name}
        )


def above(ctx: wf.Context) -> None:
    """Only a unit above the report's unit reopens it."""
    if ctx.actor is None:
        return
    path = _actor_unit_path(ctx.actor) or ""
    top = not parent_path(ctx.obj.unit)
    if (
        not path
        or (path == ctx.obj.unit.path and not top)
        or not ctx.obj.unit.path.startswith(path)
    ):
        raise PermissionDenied(
            _("Only a unit above %(unit)s may reopen its report.") % {"unit": ctx.obj.unit.name}
        )


def children_approved(ctx: wf.Context) -> None:
    missing = missing_children(ctx.obj)
    if missing:
        raise ValidationError(
            _("The reports of these units are not approved yet: %(units)s.")
            % {"units": "、".join(u.name for u in missing)},
            code="children_missing",
        )


def checks_pass(ctx: wf.Context) -> None:
    """Run the checks; an unexplained error-level finding blocks the step."""
    sub = ctx.obj
    explanations = dict(sub.explanations or {})
    for rule, text in (ctx.params.get("explanations") or {}).items():
        text = (text or "").strip()
        if len(text) > EXPLANATION_MAX:
            raise ValidationError(
                _("An explanation may have at most %(n)s characters.") % {"n": EXPLANATION_MAX},
                code="too_long",
            )
        if text:
            explanations[rule] = text
        else:
            explanations.pop(rule, None)
    findings = findings_of(
        unit=sub.unit,
        form_key=sub.form_key,
        period=parse(sub.period_code),
        explanations=explanations,
    )
    stopped = blocking(findings)
    if stopped:
        raise ValidationError(
            [_("Explain or correct before submitting: %(message)s") % f for f in stopped],
            code="unexplained",
        )
    sub.findings, sub.explanations = findings, explanations
    ctx.fields += ["findings", "explanations"]


def freeze(ctx: wf.Context) -> None:
    """Submission: the snapshot of the figures, the records and the adjustments."""
    sub = ctx.obj
    spec = spec_get(sub.form_key)
    form = spec.build(sub.unit, parse(sub.period_code))
    snapshot = adjustments.snapshot_of(form, version=spec.version)
    snapshot["adjustments"] = [a.as_dict() for a in adjustments_for(sub, spec)]
    sub.snapshot = snapshot
    sub.form_version = spec.version
    sub.submitted_at = timezone.now()
    sub.submitted_by = audit.user_of(ctx.actor)
    sub.approved_at, sub.approved_by = None, None
    ctx.fields += [
        "snapshot",
        "form_version",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
    ]
    ctx.changes["late"] = timezone.localdate(sub.submitted_at) > sub.deadline


def close_period(ctx: wf.Context) -> None:
    sub = ctx.obj
    sub.approved_at = timezone.now()
    sub.approved_by = audit.user_of(ctx.actor)
    ctx.fields += ["approved_at", "approved_by"]
    spec = registry["statforms"].get(sub.form_key)
    if spec is None or spec.closes_period:
        locks.close(unit=sub.unit, first=sub.first, last=sub.last, source=sub, actor=ctx.actor)


def open_period(ctx: wf.Context) -> None:
    locks.reopen(source=ctx.obj)
    ctx.obj.approved_at, ctx.obj.approved_by = None, None
    ctx.fields += ["approved_at", "approved_by"]


# --------------------------------------------------------------------------- writing


def start(*, actor: User | None, unit: Unit, form_key: str, period: Period) -> Submission:
    """The report of ``unit`` for the form and period, created as a draft if it does not
    exist yet (only by the staff of that unit; a refusal is audited, outside any
    transaction of this function so the audit row stays)."""
    spec = spec_get(form_key)
    existing = find(unit=unit, form_key=form_key, period=period)
    if existing is not None:
        return existing
    if unit.unit_type in NOT_REPORTING:
        raise ValidationError(
            _("%(unit)s files no report of its own: its figures are in its village's report.")
            % {"unit": unit.name},
            code="not_reporting",
        )
    if actor is not None:
        require_in_scope(actor, unit)
        if getattr(actor, "unit_id", None) != unit.pk or not actor.has_perm(
            "reporting.add_submission"
        ):
            record_denied(actor, unit, _("Report started by a user of another unit refused."))
            raise PermissionDenied(
                _("Only the staff of %(unit)s may check and submit its report.")
                % {"unit": unit.name}
            )
    return _create(actor=actor, unit=unit, spec=spec, period=period)


@transaction.atomic
def _create(*, actor: User | None, unit: Unit, spec: FormSpec, period: Period) -> Submission:
    try:
        with transaction.atomic():
            sub = Submission.objects.create(
                unit=unit,
                form_key=spec.key,
                form_version=spec.version,
                period_code=period.code,
                first=period.first,
                last=period.last,
                deadline=spec.deadline(unit, period),
            )
    except IntegrityError:  # created meanwhile by a colleague
        existing = find(unit=unit, form_key=spec.key, period=period)
        assert existing is not None
        return existing
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=sub,
        changes={"form": spec.key, "period": period.code},
        message=_("Report started."),
    )
    return sub


def check(
    *, actor: User | None, submission: Submission, explanations: dict[str, str] | None = None
) -> Submission:
    wf.transition(
        actor=actor,
        obj=submission,
        to=S.CHECKED,
        params={"explanations": explanations or {}},
    )
    return submission


def submit(
    *, actor: User | None, submission: Submission, explanations: dict[str, str] | None = None
) -> Submission:
    wf.transition(
        actor=actor,
        obj=submission,
        to=S.SUBMITTED,
        params={"explanations": explanations or {}},
    )
    return submission


def approve(*, actor: User | None, submission: Submission) -> Submission:
    wf.transition(actor=actor, obj=submission, to=S.APPROVED)
    return submission


def return_(*, actor: User | None, submission: Submission, message: str) -> Submission:
    wf.transition(actor=actor, obj=submission, to=S.RETURNED, message=message)
    return submission


def reopen(*, actor: User | None, submission: Submission, message: str) -> Submission:
    wf.transition(actor=actor, obj=submission, to=S.RETURNED, message=message)
    return submission


STEPS = {
    "check": check,
    "submit": submit,
    "approve": approve,
    "return": return_,
    "reopen": reopen,
}


def form_title(form_key: str) -> str:
    spec = registry["statforms"].get(form_key)
    return str(spec.title) if spec is not None else form_key
