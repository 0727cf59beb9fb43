"""Year-end reconciliation (对账, SPEC §9, ``002:340-341``): the registry's year-end
figures (population, births …) against the approved year-end report (form key
``population_year``), every difference listed record by record — the records the registry has
now that the report did not count, and those it counted that the registry no longer
bears — each with the explanation the unit records (:class:`ReconciliationNote`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.periods import Period
from jisheng.core.scope import record_denied, require_in_scope
from jisheng.orgs.models import Unit, User
from jisheng.reporting import adjustments
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import ReconciliationNote, Submission
from jisheng.reporting.models import SubmissionStatus as S

# the year-end population and reconciliation table (forms/population_year.yaml)
YEAR_END = "population_year"
EXPLANATION_MAX = 500


@dataclass
class Difference:
    """One record that differs in one cell: ``sign`` "+" (in the registry, not in the
    report) or "-" (in the report, no longer in the registry)."""

    row_label: str
    column_label: str
    sign: str
    record: str
    text: str
    late_reason: str = ""
    note: ReconciliationNote | None = None


@dataclass
class Reconciliation:
    unit: Unit
    year: int
    submission: Submission | None
    cells: list[adjustments.CellChange] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)

    @property
    def unexplained(self) -> int:
        return sum(1 for d in self.differences if d.note is None)


def year_end_report(unit: Unit, year: int) -> Submission | None:
    return Submission.objects.filter(
        unit=unit, form_key=YEAR_END, period_code=str(year), status=S.APPROVED
    ).first()


def reconcile(*, unit: Unit, year: int) -> Reconciliation:
    """The differences between ``unit``'s approved year-end report of ``year`` and the
    registry now (none when there is no approved report: ``submission`` is ``None``)."""
    sub = year_end_report(unit, year)
    result = Reconciliation(unit=unit, year=year, submission=sub)
    if sub is None:
        return result
    spec = svc.spec_get(YEAR_END)
    form = spec.build(unit, Period("year", year, 1))
    result.cells = adjustments.changes_since(sub, form)
    notes = {n.record: n for n in sub.reconciliation_notes.select_related("recorded_by")}
    reasons = adjustments.late_reasons(unit, sub.first, sub.last)
    for cell in result.cells:
        for sign, refs in (("+", cell.added), ("-", cell.removed)):
            for ref in refs:
                result.differences.append(
                    Difference(
                        row_label=cell.row_label,
                        column_label=cell.column_label,
                        sign=sign,
                        record=ref,
                        text=adjustments.describe(ref),
                        late_reason=adjustments.reason_for(ref, reasons),
                        note=notes.get(ref),
                    )
                )
    return result


def explain(
    *, actor: User | None, submission: Submission, record: str, explanation: str
) -> ReconciliationNote:
    """Record (or change) the unit's explanation of one differing record: the staff of the
    report's unit only (403 and audited otherwise)."""
    if actor is not None:
        require_in_scope(actor, submission)
        if getattr(actor, "unit_id", None) != submission.unit_id or not actor.has_perm(
            "reporting.add_submission"
        ):
            record_denied(actor, submission, _("Reconciliation note by another unit refused."))
            raise PermissionDenied(
                _("Only the staff of %(unit)s may explain its differences.")
                % {"unit": submission.unit.name}
            )
    explanation = (explanation or "").strip()
    if not explanation:
        raise ValidationError({"explanation": _("Say what explains the difference.")})
    if len(explanation) > EXPLANATION_MAX:
        raise ValidationError(
            {"explanation": _("At most %(n)s characters.") % {"n": EXPLANATION_MAX}}
        )
    return _save(actor=actor, submission=submission, record=record, explanation=explanation)


@transaction.atomic
def _save(
    *, actor: User | None, submission: Submission, record: str, explanation: str
) -> ReconciliationNote:
    record = (record or "").strip()
    known = {
        d.record for d in reconcile(unit=submission.unit, year=submission.first.year).differences
    }
    if record not in known:
        raise ValidationError({"record": _("This record does not differ from the report.")})
    note, _created = ReconciliationNote.objects.update_or_create(
        submission=submission,
        record=record,
        defaults={"explanation": explanation, "recorded_by": audit.user_of(actor)},
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=submission,
        changes={"record": record, "explanation": explanation},
        message=_("Reconciliation: %(record)s explained.") % {"record": record},
    )
    return note
