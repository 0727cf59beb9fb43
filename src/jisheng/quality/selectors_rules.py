"""Reads of the logic checks, in the caller's scope: the rules, the results grouped by
rule, and the records behind a violation (the drill-down)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.periods import Period
from jisheng.core.registry import registry
from jisheng.core.scope import path_in_scope, record_denied
from jisheng.core.statforms import Form
from jisheng.indicators.engine import POPULATIONS, Indicator, Term, persons_behind
from jisheng.orgs.models import Unit
from jisheng.people.models import Person
from jisheng.policy.measures import SERVICE
from jisheng.quality.checks import Violation, compiled, run_checks
from jisheng.quality.definitions_rules import Node, walk
from jisheng.quality.models import LogicRule, RuleKind


def rules_in_force() -> QuerySet[LogicRule]:
    return LogicRule.objects.filter(active=True).order_by("order", "key")


def rule_get(key: str) -> LogicRule:
    rule = rules_in_force().filter(key=key).first()
    if rule is None:
        raise Http404(_("No logic rule has this key."))
    return rule


@dataclass
class RuleResult:
    rule: LogicRule
    violations: list[Violation] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.violations)

    @property
    def explained(self) -> int:
        return sum(1 for v in self.violations if v.explained)

    @property
    def units(self) -> int:
        return len({v.unit.pk for v in self.violations})


def results_by_rule(*, unit: Unit, period: Period) -> list[RuleResult]:
    """Every rule in force for the period's kind with its violations (none: an empty list)."""
    violations = run_checks(unit=unit, period=period)
    results = {r.key: RuleResult(r) for r in rules_in_force() if period.kind in (r.periods or [])}
    for v in violations:
        results.setdefault(v.rule.key, RuleResult(v.rule)).violations.append(v)
    return list(results.values())


def rule_violations(*, unit: Unit, period: Period, key: str) -> list[Violation]:
    return run_checks(unit=unit, period=period, keys=[key])


# --------------------------------------------------------------------------- drill-down


@dataclass
class Term_:
    """One figure of a rule's side: what it counts and the persons (or records) behind it."""

    label: str
    persons: QuerySet[Person] | None = None
    records: list[Model] = field(default_factory=list)


def _population_label(name: str, filters: tuple[str, ...]) -> str:
    population = POPULATIONS.get(name)
    label = population.label if population else name
    return label + (f"（{'、'.join(filters)}）" if filters else "")


def _form_label(key: str, column: str) -> str:
    spec = registry["statforms"].get(key)
    return f"{spec.title if spec else key} · {column}"


def resolve_record(ref: str) -> Model | None:
    """The object of ``"app_label.model:pk"`` (``None`` when it does not exist)."""
    try:
        label, pk = ref.split(":", 1)
        model = apps.get_model(label)
        return model._default_manager.filter(pk=int(pk)).first()
    except (ValueError, LookupError):
        return None


def record_in_unit(user: object, unit: Unit, ref: str) -> Model:
    """The record of ``ref`` inside ``unit``'s subtree (and the user's scope): outside,
    404 exactly like a missing one, the attempt audited."""
    obj = resolve_record(ref)
    if obj is None:
        raise Http404(_("Not found."))
    path = audit.scope_path(obj)
    if not path.startswith(unit.path) or not path_in_scope(path, user):
        record_denied(user, obj)
        raise Http404(_("Not found."))
    return obj


def terms_behind(*, rule: LogicRule, unit: Unit, period: Period) -> list[Term_]:
    """The figures of a comparison rule for ``unit``: the persons behind each population
    count (the engine's drill-down) and the records behind each form cell."""
    c = compiled(rule)
    out: list[Term_] = []
    seen: set[Node] = set()
    forms: dict[str, Form] = {}
    for side in (c.left, c.right):
        for leaf in walk(side):  # type: ignore[arg-type]
            if leaf in seen or leaf[0] == "num":
                continue
            seen.add(leaf)
            if leaf[0] == "pop":
                indicator = Indicator(
                    id="drill",
                    name_zh="drill",
                    unit="count",
                    measures=SERVICE,
                    numerator=(Term(leaf[1], leaf[2]),),
                )
                persons = persons_behind(indicator, "numerator", unit, period).order_by(
                    "name_sort", "name", "id"
                )
                out.append(Term_(_population_label(leaf[1], leaf[2]), persons=persons))
            else:
                key, column = leaf[1], leaf[2]
                spec = registry["statforms"].get(key)
                if spec is None:
                    continue
                if key not in forms:
                    forms[key] = spec.build(unit, period)
                refs = forms[key].records.get((None, column), [])
                records = [r for r in (resolve_record(ref) for ref in refs) if r is not None]
                out.append(Term_(_form_label(key, column), records=records))
    return out


def persons_of_record(obj: Model) -> QuerySet[Person]:
    """The persons a flagged record is about (a birth: the mother; a person: the person
    and those registered like them for a likely duplicate)."""
    if isinstance(obj, Person):
        return Person.objects.filter(pk=obj.pk)
    mother_id = getattr(obj, "mother_id", None) or getattr(obj, "person_id", None)
    return Person.objects.filter(pk=mother_id) if mother_id else Person.objects.none()


def duplicates_of(person: Person, unit: Unit) -> QuerySet[Person]:
    return (
        Person.objects.filter(
            unit__path__startswith=unit.path,
            name_pinyin=person.name_pinyin,
            birth_date=person.birth_date,
        )
        .select_related("unit")
        .order_by("pk")
    )


def is_record_rule(rule: LogicRule) -> bool:
    return rule.kind == RuleKind.RECORD
