"""Evaluation of the logic rules (:mod:`jisheng.quality.definitions_rules`) for a unit's
subtree and a period: :func:`run_checks`.

- A comparison of figures is evaluated for every unit of the subtree that holds any of
  its counts (the units that report), all at once: the rules' population counts are one
  set of indicators for the engine's :func:`compute_tree` (one grouped query per
  population for the whole subtree), the comparison is arithmetic in memory. A rule
  reading cells of a statistical form (``form:<key>:<column>``) is evaluated for the
  units of that form built for the root (``FormSpec.build(root, period)``: its rows, the
  root's children, and its total row, the root).
- A record-level check lists the offending records (:mod:`checks_records`), each a
  violation of the record's unit.

Every violation carries what drills down to its records (:func:`violation_records`) and
its explanation, if any (:class:`jisheng.quality.models.LogicExplanation`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.periods import Period
from jisheng.core.registry import registry
from jisheng.indicators import engine
from jisheng.indicators.engine import POPULATIONS, Indicator, Population, Term
from jisheng.orgs.models import Unit
from jisheng.policy.choices import Method
from jisheng.policy.measures import SERVICE
from jisheng.quality import checks_records
from jisheng.quality.definitions_rules import (
    Node,
    compare,
    evaluate,
    forms_of,
    parse_expression,
    populations_of,
)
from jisheng.quality.models import LogicExplanation, LogicRule, RuleKind, RuleSeverity
from jisheng.services.models import ContraceptionRecord, FollowUpVisit

# --------------------------------------------------------------------------- populations
# Two populations the shipped rules need that the engine does not count yet.

METHODS = [m for m in Method if m != Method.NONE]


def _records_on(day: datetime.date) -> Q:
    return Q(voided_at=None, started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def _married_wra_on(day: datetime.date) -> Q:
    from jisheng.people.choices import MARRIED_STATUSES, RESIDENT_STATUSES
    from jisheng.people.models import PersonPeriod

    states = PersonPeriod.objects.filter(
        engine.aged_between(day, 15, 49),
        Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day)),
        sex="F",
        status__in=list(RESIDENT_STATUSES),
        marital_status__in=list(MARRIED_STATUSES),
    )
    return Q(person_id__in=states.values("person_id"))


POPULATIONS_OF_RULES = (
    Population(
        name="method_users",
        label="期末在用避孕措施记录（已婚育龄妇女，不含“无”与作废）",
        model=ContraceptionRecord,
        day=lambda period: period.last,
        base=lambda p, d: (
            _records_on(d)  # type: ignore[arg-type]
            & ~Q(method=Method.NONE)
            & _married_wra_on(d)  # type: ignore[arg-type]
        ),
        filters={m.value: (lambda p, d, m=m: Q(method=m)) for m in METHODS},
    ),
    Population(
        name="visits_done",
        label="期内随访（人次，不含作废）",
        model=FollowUpVisit,
        base=lambda p, d: Q(visited_on__gte=p.first, visited_on__lte=p.last, voided_at=None),
    ),
)


def register_populations() -> None:
    for population in POPULATIONS_OF_RULES:
        if population.name not in POPULATIONS:
            engine.register_population(population)


# --------------------------------------------------------------------------- violations


@dataclass
class Violation:
    rule: LogicRule
    unit: Unit
    period: Period
    message: str
    left: float | None = None
    right: float | None = None
    record: str = ""  # "app_label.model:pk" of a record check's record
    person_id: int | None = None
    record_label: str = ""
    explanation: LogicExplanation | None = None

    @property
    def severity(self) -> str:
        return self.rule.severity

    @property
    def is_error(self) -> bool:
        return self.rule.severity == RuleSeverity.ERROR

    @property
    def explained(self) -> bool:
        return self.explanation is not None

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.rule.key, self.unit.pk, self.record)


@dataclass(frozen=True)
class Compiled:
    left: Node | None
    right: Node | None


_COMPILED: dict[str, Compiled] = {}


def compiled(rule: LogicRule) -> Compiled:
    """The parsed sides of a rule (cached by digest: a version never changes)."""
    found = _COMPILED.get(rule.digest)
    if found is None:
        if rule.kind == RuleKind.AGGREGATE:
            found = Compiled(parse_expression(rule.left), parse_expression(rule.right))
        else:
            found = Compiled(None, None)
        _COMPILED[rule.digest] = found
    return found


def rules_for(period: Period, *, keys: list[str] | None = None) -> list[LogicRule]:
    """The rules in force that apply to the period's kind."""
    rules = LogicRule.objects.filter(active=True).order_by("order", "key")
    if keys is not None:
        rules = rules.filter(key__in=keys)
    return [r for r in rules if period.kind in (r.periods or [])]


def _number(x: float | None) -> str:
    if x is None:
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def render_message(rule: LogicRule, **values: float | str | None) -> str:
    class _Safe(dict):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    shown = {
        k: (_number(v) if isinstance(v, float | int) or v is None else v) for k, v in values.items()
    }
    try:
        return rule.message.format_map(_Safe(shown))
    except (ValueError, IndexError):
        return rule.message


def _indicator_id(name: str, filters: tuple[str, ...]) -> str:
    return "q:" + name + ("[" + ",".join(filters) + "]" if filters else "")


def _term_indicators(rules: list[LogicRule]) -> list[Indicator]:
    terms: dict[str, Indicator] = {}
    for rule in rules:
        c = compiled(rule)
        for side in (c.left, c.right):
            for name, filters in populations_of(side):  # type: ignore[arg-type]
                iid = _indicator_id(name, filters)
                if iid not in terms:
                    terms[iid] = Indicator(
                        id=iid,
                        name_zh=iid,
                        unit="count",
                        measures=SERVICE,
                        numerator=(Term(name, filters),),
                    )
    return list(terms.values())


def _form_cells(
    rules: list[LogicRule], root: Unit, period: Period
) -> dict[int, dict[tuple[str, str], float | None]]:
    """Per unit id (the root: its total row), the cells of the forms the rules read."""
    keys = sorted(
        {
            k
            for r in rules
            for side in (compiled(r).left, compiled(r).right)
            for k, _c in forms_of(side)
        }
    )  # type: ignore[arg-type]
    cells: dict[int, dict[tuple[str, str], float | None]] = defaultdict(dict)
    for key in keys:
        spec = registry["statforms"].get(key)
        if spec is None:
            continue
        form = spec.build(root, period)
        for row in form.rows:
            unit_id = root.pk if row.unit is None else row.unit.pk
            if row.unit is not None and row.unit.pk == root.pk:
                continue  # a childless root: its own row and the total are the same
            for column, value in row.cells.items():
                cells[unit_id][(key, column)] = value
    return cells


def _explanations(
    rules: list[LogicRule], root: Unit, period: Period
) -> dict[tuple[str, int, str], LogicExplanation]:
    rows = LogicExplanation.objects.filter(
        period=period.code,
        rule_key__in=[r.key for r in rules],
        unit__path__startswith=root.path,
    ).select_related("explained_by")
    return {(e.rule_key, e.unit_id, e.record): e for e in rows}


def aggregate_violations(
    rules: list[LogicRule], root: Unit, period: Period, *, only_root: bool = False
) -> list[Violation]:
    """The comparisons of figures that fail, per unit of the subtree that reports."""
    rules = [r for r in rules if r.kind == RuleKind.AGGREGATE]
    if not rules:
        return []
    indicators = _term_indicators(rules)
    counts: dict[int, dict[str, float]] = {}
    units: dict[int, Unit] = {root.pk: root}
    if indicators:
        if only_root:
            rows = engine.compute(indicators, root, period, level=engine.SELF)
        else:
            rows = engine.compute_tree(indicators, root, period)
        for row in rows:
            amounts = {k: v.numerator for k, v in row.values.items()}
            if row.unit.pk == root.pk or any(amounts.values()):
                counts[row.unit.pk] = amounts
                units[row.unit.pk] = row.unit
    needs_forms = any(forms_of(compiled(r).left) or forms_of(compiled(r).right) for r in rules)  # type: ignore[arg-type]
    cells = _form_cells(rules, root, period) if needs_forms else {}
    missing = [pk for pk in cells if pk not in units]
    if missing:
        units.update(Unit.objects.in_bulk(missing))
    out: list[Violation] = []
    for rule in rules:
        c = compiled(rule)
        uses_forms = bool(forms_of(c.left) or forms_of(c.right))  # type: ignore[arg-type]
        uses_pops = bool(populations_of(c.left) or populations_of(c.right))  # type: ignore[arg-type]
        if uses_forms:
            candidates = [pk for pk in cells if pk == root.pk or not only_root]
        elif uses_pops:
            candidates = list(counts)
        else:
            candidates = [root.pk]
        for unit_id in candidates:
            own_counts = counts.get(unit_id, {})
            own_cells = cells.get(unit_id, {})

            def value_of(leaf: Node, own_counts=own_counts, own_cells=own_cells) -> float | None:
                if leaf[0] == "pop":
                    return own_counts.get(_indicator_id(leaf[1], leaf[2]), 0)
                return own_cells.get((leaf[1], leaf[2]))

            left, right = evaluate(c.left, value_of), evaluate(c.right, value_of)  # type: ignore[arg-type]
            if left is None or right is None or compare(left, rule.operator, right):
                continue
            unit = units[unit_id]
            out.append(
                Violation(
                    rule=rule,
                    unit=unit,
                    period=period,
                    left=left,
                    right=right,
                    message=render_message(rule, left=left, right=right, unit=unit.name),
                )
            )
    return out


def record_violations(rules: list[LogicRule], root: Unit, period: Period) -> list[Violation]:
    """The records of the subtree that fail the record-level rules."""
    out: list[Violation] = []
    hits_by_rule = []
    unit_ids: set[int] = set()
    for rule in rules:
        if rule.kind != RuleKind.RECORD or rule.record_check not in checks_records.RECORD_CHECKS:
            continue
        hits = checks_records.run_record_check(rule.record_check, root, period, rule.params)
        hits_by_rule.append((rule, hits))
        unit_ids.update(h.unit_id for h in hits)
    units = Unit.objects.in_bulk(unit_ids)
    for rule, hits in hits_by_rule:
        for hit in hits:
            unit = units[hit.unit_id]
            out.append(
                Violation(
                    rule=rule,
                    unit=unit,
                    period=period,
                    record=hit.record,
                    person_id=hit.person_id,
                    record_label=hit.label,
                    message=render_message(rule, unit=unit.name, detail=hit.detail),
                )
            )
    return out


def run_checks(*, unit: Unit, period: Period, keys: list[str] | None = None) -> list[Violation]:
    """Every logic rule in force for ``period``'s kind over ``unit``'s subtree (the caller
    has the unit in the user's scope): the violations, by rule order, then unit path."""
    rules = rules_for(period, keys=keys)
    violations = aggregate_violations(rules, unit, period) + record_violations(rules, unit, period)
    explained = _explanations(rules, unit, period)
    for v in violations:
        v.explanation = explained.get(v.key)
    order = {r.key: i for i, r in enumerate(rules)}
    violations.sort(key=lambda v: (order[v.rule.key], v.unit.path, v.record))
    return violations


def violations_for_report(*, unit: Unit, form_key: str, period: Period) -> list[Violation]:
    """What the report of ``unit`` (form ``form_key``, ``period``) must face, for the unit
    itself: the rules reading that form's cells; and, for a form generated from the
    registry (``FormSpec.source`` "reporting": the 信息报告单, births, operations …), also
    the rules over the registry's counts (births by sex = births, visits done ≤ due …) and
    the record rules of the unit's subtree. A form of another app (the commodity
    ledgers') faces only the rules that read its own cells."""
    rules = rules_for(period)
    spec = registry["statforms"].get(form_key)
    from_registry = getattr(spec, "source", "") == "reporting"

    def reads_forms(r: LogicRule) -> list[tuple[str, str]]:
        return [
            k
            for side in (compiled(r).left, compiled(r).right)
            for k in forms_of(side)  # type: ignore[arg-type]
        ]

    touching = []
    for r in rules:
        if r.kind != RuleKind.AGGREGATE:
            continue
        forms = reads_forms(r)
        if any(k == form_key for k, _c in forms) or (from_registry and not forms):
            touching.append(r)
    violations = aggregate_violations(touching, unit, period, only_root=True)
    violations = [v for v in violations if v.unit.pk == unit.pk]
    if from_registry:
        violations += record_violations(rules, unit, period)
    explained = _explanations(rules, unit, period)
    for v in violations:
        v.explanation = explained.get(v.key)
    return violations


RECORD_KIND_LABELS = {
    "people.birth": gettext_lazy("Birth"),
    "people.person": gettext_lazy("Person"),
}


def describe_record(ref: str) -> str:
    model = ref.split(":", 1)[0]
    return str(RECORD_KIND_LABELS.get(model, _("Record")))
