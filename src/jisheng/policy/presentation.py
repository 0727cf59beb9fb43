"""A pack's content as readable, translated rows for the pack page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jisheng.orgs.choices import PositionRole, UnitType
from jisheng.people.choices import MaritalStatus, PersonStatus
from jisheng.policy.choices import (
    AfterEvent,
    CampaignKind,
    ConsequenceKind,
    Method,
    SanctionTarget,
    ScoringKind,
    TargetUnit,
    Trigger,
)
from jisheng.policy.measures import is_behaviour
from jisheng.policy.schema import (
    AfterFollowup,
    Consequence,
    DaysAfter,
    Deadline,
    MonthDay,
    MonthsAfter,
    PolicyPackSchema,
    QuarterMonthDay,
    Scoring,
    TargetGroup,
    TargetItem,
    YearMonthDay,
)


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def well_known_deadlines() -> dict[str, str]:
    return {
        "followup_report": _("Follow-up results reported"),
        "in_migrant_registration": _("In-migrant registration"),
        "only_child_certificate": _("Only-child parents' certificate"),
        "out_migrant_contract": _("Out-migrant contract or transfer"),
        "management_transfer": _("Management transfer completed"),
        "statistics_meeting": _("Monthly statistics meeting"),
        "monthly_report": _("Monthly report"),
        "responsibility_contract": _("Responsibility contracts signed"),
        "leading_group_list": _("Leading group list submitted"),
    }


def every_months_text(months: int) -> str:
    if months == 1:
        return _("Every month")
    if months == 12:
        return _("Every year")
    return _("Every %(n)s months") % {"n": months}


def after_text(rule: AfterFollowup) -> str:
    if rule.visits == 1 or rule.then_every_months is None:
        return _("One visit %(days)s days after") % {"days": rule.first_after_days}
    return _(
        "First visit %(days)s days after, then every %(months)s months, %(visits)s visits in all"
    ) % {
        "days": rule.first_after_days,
        "months": rule.then_every_months,
        "visits": rule.visits,
    }


def deadline_text(rule: Deadline) -> str:
    if isinstance(rule, QuarterMonthDay):
        return _("By day %(day)s of month %(month)s of each quarter") % {
            "day": rule.day,
            "month": rule.month_of_quarter,
        }
    if isinstance(rule, DaysAfter):
        return _("Within %(days)s days") % {"days": rule.days}
    if isinstance(rule, MonthsAfter):
        return _("Within %(months)s months") % {"months": rule.months}
    if isinstance(rule, MonthDay):
        return _("Day %(day)s of each month") % {"day": rule.day}
    if isinstance(rule, YearMonthDay):
        return _("%(month)s/%(day)s each year") % {"month": rule.month, "day": rule.day}
    return str(rule)


def group_text(group: TargetGroup) -> str:
    parts: list[str] = []
    if group.sex:
        parts.append(_("women") if group.sex == "F" else _("men"))
    if group.age_min is not None or group.age_max is not None:
        parts.append(
            _("aged %(min)s–%(max)s")
            % {
                "min": _num(group.age_min) if group.age_min is not None else "0",
                "max": _num(group.age_max) if group.age_max is not None else "…",
            }
        )
    if group.marital:
        parts.append("/".join(str(MaritalStatus(m).label) for m in group.marital))
    if group.statuses:
        parts.append("/".join(str(PersonStatus(s).label) for s in group.statuses))
    if group.employees_only:
        parts.append(_("employees of the unit"))
    return " · ".join(parts) if parts else _("everyone")


def scoring_text(scoring: Scoring | None) -> str:
    if scoring is None:
        return "—"
    if scoring.kind == ScoringKind.LINEAR_BELOW_TARGET:
        return _("Minus %(points)s points per point below the target, down to %(floor)s") % {
            "points": _num(scoring.minus_per_point),
            "floor": _num(scoring.floor),
        }
    if scoring.kind == ScoringKind.LINEAR_BETWEEN:
        return _("No points at %(zero)s, full points at %(full)s, linear between") % {
            "zero": _num(scoring.zero_at),
            "full": _num(scoring.full_at),
        }
    return str(ScoringKind(scoring.kind).label)


def target_text(item: TargetItem) -> str:
    if item.target is None:
        return "—"
    unit = TargetUnit(item.unit)
    sign = "≥" if item.direction == "at_least" else "≤"
    suffix = str(unit.label) if unit != TargetUnit.COUNT else ""
    return f"{sign} {_num(item.target)}{suffix}"


def whom_text(consequence: Consequence) -> str:
    if consequence.applies_to == SanctionTarget.STAFF_ROLE and consequence.role:
        return str(PositionRole(consequence.role).label)
    return str(SanctionTarget(consequence.applies_to).label)


def consequence_row(consequence: Consequence) -> dict[str, Any]:
    trigger = str(Trigger(consequence.trigger).label)
    if consequence.trigger == Trigger.SCORE_BAND:
        low, high = consequence.min_score, consequence.max_score
        if low is not None and high is not None:
            trigger = _("Score %(low)s–%(high)s") % {"low": _num(low), "high": _num(high)}
        elif low is not None:
            trigger = _("Score at least %(low)s") % {"low": _num(low)}
        else:
            trigger = _("Score below %(high)s") % {"high": _num(high)}
    amount = ""
    if consequence.amount_yuan is not None:
        amount = _("%(amount)s yuan") % {"amount": _num(consequence.amount_yuan)}
    return {
        "trigger": trigger,
        "whom": whom_text(consequence),
        "kind": str(ConsequenceKind(consequence.kind).label),
        "amount": amount,
        "description": consequence.description,
    }


def sections(pack: PolicyPackSchema) -> dict[str, Any]:
    """Everything the pack page shows, as plain rows."""
    known = well_known_deadlines()
    groups = {
        key: {"key": key, "label": g.label or key, "text": group_text(g)}
        for key, g in pack.target_groups.items()
    }
    followup = None
    if pack.followup is not None:
        f = pack.followup
        followup = {
            "target": groups.get(f.target, {"label": f.target}),
            "methods": [
                {
                    "method": str(Method(m).label),
                    "code": str(Method(m).value),
                    "every": every_months_text(rule.every_months),
                    "face_to_face": rule.face_to_face,
                }
                for m, rule in f.methods.items()
            ],
            "after": [
                {"event": str(AfterEvent(e).label), "text": after_text(rule)}
                for e, rule in f.after.items()
            ],
            "employees_every": every_months_text(f.employees_every_months)
            if f.employees_every_months
            else "",
            "note": f.note,
        }
    campaigns = [
        {
            "name": c.name,
            "kind": str(CampaignKind(c.kind).label),
            "rounds": _("%(n)s a year") % {"n": c.rounds_per_year}
            if c.every_years == 1
            else _("%(n)s every %(years)s years")
            % {"n": c.rounds_per_year, "years": c.every_years},
            "months": " ".join(_("month %(m)s") % {"m": m} for m in c.round_months()),
            "target": groups.get(c.target, {"label": c.target}),
            "note": c.note,
        }
        for c in pack.campaigns
    ]
    letter = None
    if pack.letter_inquiry is not None:
        li = pack.letter_inquiry
        letter = {
            "who": _("%(sex)s employees aged %(age)s or under")
            % {"sex": _("Male") if li.sex == "M" else _("Female"), "age": li.age_max},
            "spouse": _("whose spouse is outside the organisation")
            if li.spouse_outside_organisation
            else "",
            "every": every_months_text(12),  # letters are yearly
            "note": li.note,
        }
    deadlines = [
        {"key": key, "label": rule.label or known.get(key, key), "text": deadline_text(rule)}
        for key, rule in pack.deadlines.items()
    ]
    assessment = None
    if pack.assessment is not None:
        a = pack.assessment
        assessment = {
            "total_points": _num(a.total_points) if a.total_points is not None else "",
            "weights_sum": _num(sum(t.weight for t in a.targets if t.weight is not None))
            if any(t.weight is not None for t in a.targets)
            else "",
            "targets": [
                {
                    "indicator": t.indicator,
                    "name": t.name,
                    "target": target_text(t),
                    "weight": _num(t.weight) if t.weight is not None else "—",
                    "scoring": scoring_text(t.scoring),
                    "note": t.note,
                    "information": is_behaviour(t.indicator),  # SPEC §0: not scored
                }
                for t in a.targets
            ],
            "composite": [{"part": p.part, "weight": _num(p.weight)} for p in a.composite],
            "bands": [
                {
                    "range": f"{_num(b.min_score)} – {_num(b.max_score)}"
                    if b.max_score is not None
                    else f"≥ {_num(b.min_score)}",
                    "label": b.label,
                }
                for b in a.bands
            ],
            "veto_items": [
                {"trigger": str(Trigger(v.trigger).label), "description": v.description}
                for v in a.veto_items
            ],
            "consequences": [consequence_row(c) for c in a.consequences],
            "flag_last_place": a.flag_last_place,
        }
    return {
        "organisation_kind": _("Any unit")
        if pack.organisation_kind == "any"
        else str(UnitType(pack.organisation_kind).label),
        "groups": list(groups.values()),
        "followup": followup,
        "campaigns": campaigns,
        "letter": letter,
        "deadlines": deadlines,
        "birth_limit": pack.births.policy_limit,
        "late_marriage": pack.late_marriage_age,
        "assessment": assessment,
        "commodities": pack.commodities,
        "certificates": pack.certificates,
        "sources": pack.sources,
    }
