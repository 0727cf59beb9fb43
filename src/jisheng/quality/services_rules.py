"""Writes of the logic checks: explaining a violation (情况说明), and the submission check
other apps ask before a report goes up (``core.statforms.register_submission_check``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.periods import Period
from jisheng.core.scope import require_in_scope
from jisheng.core.statforms import CheckFinding
from jisheng.orgs.models import Unit
from jisheng.quality.checks import Violation, violations_for_report
from jisheng.quality.models import LogicExplanation, LogicRule, RuleSeverity

EXPLANATION_MAX = 1000


def explain(
    *,
    actor: object,
    rule_key: str,
    unit: Unit,
    period: Period,
    text: str,
    record: str = "",
) -> LogicExplanation:
    """Explain (or re-explain) a violation of ``rule_key`` for ``unit``, ``period`` and
    ``record`` (``""`` for a comparison of figures): the text, who and when; audited."""
    require_in_scope(actor, unit)
    return _explain(
        actor=actor, rule_key=rule_key, unit=unit, period=period, text=text, record=record
    )


@transaction.atomic
def _explain(
    *, actor: object, rule_key: str, unit: Unit, period: Period, text: str, record: str
) -> LogicExplanation:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what explains the result of the check.")})
    if len(text) > EXPLANATION_MAX:
        raise ValidationError(
            {"text": _("Enter at most %(limit)s characters.") % {"limit": EXPLANATION_MAX}}
        )
    rule = LogicRule.objects.filter(key=rule_key, active=True).first()
    if rule is None:
        raise ValidationError({"rule": _("No logic rule has this key.")})
    if rule.severity != RuleSeverity.ERROR:
        raise ValidationError({"rule": _("Only an error-level result needs an explanation.")})
    if bool(record) != (rule.kind == "record"):
        raise ValidationError({"record": _("The record does not fit the rule.")})
    user = audit.user_of(actor)
    explanation, created = LogicExplanation.objects.update_or_create(
        rule_key=rule_key,
        unit=unit,
        period=period.code,
        record=record,
        defaults={"text": text, "explained_by": user},
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=explanation,
        changes={"rule": rule_key, "period": period.code, "record": record, "text": text},
        message=_("Explained the logic check %(rule)s of %(unit)s for %(period)s.")
        % {"rule": rule.name, "unit": unit.name, "period": period.code},
    )
    return explanation


def drill_url(violation: Violation, root: Unit | None = None) -> str:
    """The page of the records behind ``violation``; a record check's record is shown
    from ``root`` (the unit the checks ran for: likely duplicates of other units in it)."""
    unit = root if violation.record and root is not None else violation.unit
    query = {
        "rule": violation.rule.key,
        "unit": unit.code,
        "period": violation.period.code,
    }
    if violation.record:
        query["record"] = violation.record
    return reverse("quality:check_records") + "?" + urlencode(query)


def submission_check(*, unit: Unit, form_key: str, period: Period) -> list[CheckFinding]:
    """The findings of the logic rules for a report: the rules reading the form's cells,
    and the record rules of the unit's subtree and period; ``explained`` when explained."""
    return [
        CheckFinding(
            rule=v.rule.key,
            severity=v.rule.severity,
            message=v.message,
            explained=v.explained,
            url=drill_url(v, unit),
        )
        for v in violations_for_report(unit=unit, form_key=form_key, period=period)
    ]
