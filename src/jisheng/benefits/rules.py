"""The clause vocabulary of a benefit's eligibility (issue 18, SPEC §7): rule name →
evaluator, over the facts :mod:`jisheng.benefits.facts` loads for one candidate.

Each evaluator answers for one clause: whether it held (``ok``), the records behind
the answer (``{"model", "id", "label"}``, labels in Chinese, never an ID number), and
the span of days it allows (``start``: the first eligible day; ``until``: the first day
no longer eligible). :func:`evaluate` runs every clause of a kind, intersects the spans
into the eligibility span that :func:`jisheng.benefits.amounts.compute` pays for, and
says who is paid (``beneficiary: guardian`` → the mother, else the father, of the
child's birth record).

``of`` says whose facts a clause reads: ``person`` (the subject: the child of 育儿补贴,
the parent of 奖扶), ``beneficiary`` (who is paid), ``couple`` (the subject and the
other parent: the clause holds when it holds for either of them — a certificate or a
child belongs to both).

SPEC §0: there is no rule that withdraws or reduces a benefit for a later birth, a
pregnancy or contraception; the schema refuses a rule name that tries
(:data:`jisheng.policy.schema_benefits.SANCTION_RULE`). Counting children is the
eligibility the law sets for 奖扶/特扶, read at the period's dates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from django.utils.translation import gettext as _

from jisheng.benefits.amounts import next_month
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.policy.schema_benefits import BenefitKind, Clause

# Statuses whose household is not registered here: an in-migrant's is elsewhere, a
# person transferred out took it away. (Retired, 流出 and the rest keep it here.)
NOT_REGISTERED_HERE = ("in_migrant", "transferred_out")


@dataclass(frozen=True)
class PersonFact:
    """A person as the rules see her (no ID number)."""

    id: int
    name: str
    sex: str
    birth_date: datetime.date
    unit_id: int
    unit_path: str
    unit_name: str
    hukou_type: str
    status: str
    employer_id: int | None = None
    died_on: datetime.date | None = None


@dataclass(frozen=True)
class BirthFact:
    """A live birth (``people.Birth``): the child's record when there is one."""

    id: int
    date: datetime.date
    sex: str
    child_name: str
    mother_id: int
    father_id: int | None
    child: PersonFact | None = None


@dataclass(frozen=True)
class DisabilityFact:
    id: int
    person_id: int
    grade: int
    certified_on: datetime.date


@dataclass(frozen=True)
class CertificateFact:
    id: int
    kind: str
    label: str
    issued_on: datetime.date | None
    valid_until: datetime.date | None


@dataclass
class Family:
    """What the rules read about one candidate: the subject, her own birth record and
    parents (a child), the other parent, the children (births as mother or father),
    disability records of them all, the certificates of the couple."""

    person: PersonFact
    birth: BirthFact | None = None
    mother: PersonFact | None = None
    father: PersonFact | None = None
    spouse: PersonFact | None = None
    children: list[BirthFact] = field(default_factory=list)
    disabilities: dict[int, list[DisabilityFact]] = field(default_factory=dict)
    certificates: list[CertificateFact] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    unit_path: str  # the batch unit's subtree
    period_start: datetime.date
    period_end: datetime.date


class Record(TypedDict):
    model: str
    id: int
    label: str


class ClauseResult(TypedDict):
    code: str
    rule: str
    text: str
    ok: bool
    records: list[Record]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    records: list[Record] = field(default_factory=list)
    start: datetime.date | None = None
    until: datetime.date | None = None


@dataclass(frozen=True)
class Evaluation:
    eligible: bool
    clauses: list[ClauseResult]
    beneficiary: PersonFact
    start: datetime.date  # first eligible day
    until: datetime.date | None  # first day no longer eligible (None: open)

    @property
    def failed(self) -> list[ClauseResult]:
        return [c for c in self.clauses if not c["ok"]]


def birthday(born: datetime.date, years: int) -> datetime.date:
    """The day ``born`` turns ``years`` (29 February → 1 March in a common year)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


# ---------------------------------------------------------------- record labels


def person_record(p: PersonFact) -> Record:
    return {
        "model": "people.person",
        "id": p.id,
        "label": _("%(name)s, born %(date)s")
        % {"name": p.name, "date": format_cn_date(p.birth_date)},
    }


def birth_record(b: BirthFact) -> Record:
    name = b.child.name if b.child is not None else b.child_name
    return {
        "model": "people.birth",
        "id": b.id,
        "label": _("Birth of %(name)s on %(date)s")
        % {"name": name or _("a child"), "date": format_cn_date(b.date)},
    }


def death_record(p: PersonFact) -> Record:
    return {
        "model": "people.person",
        "id": p.id,
        "label": _("%(name)s died on %(date)s")
        % {"name": p.name, "date": format_cn_date(p.died_on)},
    }


# ---------------------------------------------------------------- whose facts


def beneficiary_of(kind: BenefitKind, family: Family, ctx: Context) -> PersonFact:
    """Who is paid: the subject herself, or (``guardian``) the child's mother — the
    father when there is no mother's record or she died before the period ended."""
    if kind.beneficiary == "guardian":
        mother, father = family.mother, family.father
        if mother is not None and (mother.died_on is None or mother.died_on > ctx.period_end):
            return mother
        if father is not None:
            return father
        if mother is not None:
            return mother
    return family.person


def _targets(clause: Clause, family: Family, beneficiary: PersonFact) -> list[PersonFact]:
    if clause.of == "beneficiary":
        return [beneficiary]
    if clause.of == "couple":
        if family.birth is not None:  # a child: her parents
            return [p for p in (family.mother, family.father) if p is not None]
        return [p for p in (family.person, family.spouse) if p is not None]
    return [family.person]


def _children(family: Family, target: PersonFact) -> list[BirthFact]:
    """The live births of ``target`` (the subject's children; the other parent's are
    the same births when they are the couple's)."""
    if target.id == family.person.id or (
        family.spouse is not None and target.id == family.spouse.id
    ):
        return [
            b for b in family.children if target.id in (b.mother_id, b.father_id)
        ] or family.children
    return []


# ---------------------------------------------------------------- evaluators

Evaluator = Callable[[Clause, PersonFact, Family, Context], Outcome]


def _age_below(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    until = birthday(p.birth_date, clause.years or 0)
    ok = p.birth_date <= ctx.period_end and until > ctx.period_start
    record = birth_record(family.birth) if family.birth is not None else person_record(p)
    return Outcome(ok, [record], start=p.birth_date, until=until)


def _age_at_least(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    start = birthday(p.birth_date, clause.years or 0)
    return Outcome(start <= ctx.period_end, [person_record(p)], start=start)


def _born_on_or_after(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    assert clause.date is not None
    return Outcome(p.birth_date >= clause.date, [person_record(p)])


def _alive(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    if p.died_on is None:
        return Outcome(True, [person_record(p)])
    # a death pays the month of the event: payments stop from the next month
    return Outcome(p.died_on >= ctx.period_start, [death_record(p)], until=next_month(p.died_on))


def _household_here(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    # a person who died in the period was registered here until her death
    here = p.status not in NOT_REGISTERED_HERE and (
        p.status != "deceased" or (p.died_on is not None and p.died_on >= ctx.period_start)
    )
    ok = here and p.unit_path.startswith(ctx.unit_path)
    if p.status in NOT_REGISTERED_HERE:
        from jisheng.people.choices import PersonStatus

        label = _("%(name)s lives in %(unit)s; household not registered here (%(status)s)") % {
            "name": p.name,
            "unit": p.unit_name,
            "status": PersonStatus(p.status).label,
        }
    else:
        label = _("%(name)s: household registered in %(unit)s") % {
            "name": p.name,
            "unit": p.unit_name,
        }
    return Outcome(ok, [{"model": "people.person", "id": p.id, "label": label}])


def _hukou_type(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    from jisheng.people.choices import HukouType

    kind = HukouType(p.hukou_type).label if p.hukou_type in HukouType.values else _("not recorded")
    label = _("%(name)s: household registration %(kind)s") % {"name": p.name, "kind": kind}
    return Outcome(
        p.hukou_type in clause.values, [{"model": "people.person", "id": p.id, "label": label}]
    )


def _children_at_most(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    births = [b for b in _children(family, p) if b.date <= ctx.period_end]
    return Outcome(len(births) <= (clause.count or 0), [birth_record(b) for b in births])


def _only_child_or_two_daughters(
    clause: Clause, p: PersonFact, family: Family, ctx: Context
) -> Outcome:
    births = [b for b in _children(family, p) if b.date <= ctx.period_end]
    ok = len(births) == 1 or (len(births) == 2 and all(b.sex == "F" for b in births))
    return Outcome(ok, [birth_record(b) for b in births])


def _no_living_child(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    """特扶 (death): she had a child, and every child she had has died (by the period's
    end); eligible from the last death."""
    births = [b for b in _children(family, p) if b.date <= ctx.period_end]
    dead = [
        b.child.died_on
        for b in births
        if b.child is not None and b.child.died_on is not None and b.child.died_on <= ctx.period_end
    ]
    ok = bool(births) and len(dead) == len(births)
    records: list[Record] = []
    for b in births:
        records.append(birth_record(b))
        if b.child is not None and b.child.died_on is not None:
            records.append(death_record(b.child))
    return Outcome(ok, records, start=max(dead) if ok else None)


def _child_disability(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    """特扶 (disability): a child with a certified disability of grade ≤ ``grade_max``
    (1 the most severe), certified by the period's end; eligible from the certificate."""
    best: DisabilityFact | None = None
    records: list[Record] = []
    for b in _children(family, p):
        if b.child is None:
            continue
        for d in family.disabilities.get(b.child.id, []):
            if d.certified_on > ctx.period_end:
                continue
            records.append(
                {
                    "model": "benefits.disabilityrecord",
                    "id": d.id,
                    "label": _("%(name)s: disability grade %(grade)s, certified %(date)s")
                    % {
                        "name": b.child.name,
                        "grade": d.grade,
                        "date": format_cn_date(d.certified_on),
                    },
                }
            )
            if d.grade <= (clause.grade_max or 0) and (
                best is None or d.certified_on < best.certified_on
            ):
                best = d
    return Outcome(best is not None, records, start=best.certified_on if best else None)


def _holds_certificate(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    held = [
        c
        for c in family.certificates
        if c.kind in clause.values
        and (c.issued_on is None or c.issued_on <= ctx.period_end)
        and (c.valid_until is None or c.valid_until >= ctx.period_start)
    ]
    records: list[Record] = [
        {"model": "certificates.certificate", "id": c.id, "label": c.label} for c in held
    ]
    return Outcome(bool(held), records)


def _mother_age_at_least(clause: Clause, p: PersonFact, family: Family, ctx: Context) -> Outcome:
    """特扶: the woman of the couple has turned ``years`` (女方年满49周岁)."""
    woman: PersonFact | None = None
    for candidate in (p, family.spouse, family.mother):
        if candidate is not None and candidate.sex == "F":
            woman = candidate
            break
    if woman is None:
        return Outcome(False, [person_record(p)])
    start = birthday(woman.birth_date, clause.years or 0)
    return Outcome(start <= ctx.period_end, [person_record(woman)], start=start)


EVALUATORS: dict[str, Evaluator] = {
    "age_below": _age_below,
    "age_at_least": _age_at_least,
    "born_on_or_after": _born_on_or_after,
    "alive": _alive,
    "household_here": _household_here,
    "hukou_type": _hukou_type,
    "children_at_most": _children_at_most,
    "only_child_or_two_daughters": _only_child_or_two_daughters,
    "no_living_child": _no_living_child,
    "child_disability": _child_disability,
    "holds_certificate": _holds_certificate,
    "mother_age_at_least": _mother_age_at_least,
}


def evaluate_clause(
    clause: Clause, family: Family, ctx: Context, beneficiary: PersonFact
) -> Outcome:
    """One clause over its targets (``couple``: holds when it holds for either)."""
    evaluator = EVALUATORS[clause.rule]
    outcomes = [evaluator(clause, t, family, ctx) for t in _targets(clause, family, beneficiary)]
    if not outcomes:
        return Outcome(False)
    held = [o for o in outcomes if o.ok]
    if not held:
        return Outcome(False, [r for o in outcomes for r in o.records])
    starts = [o.start for o in held if o.start is not None]
    untils = [o.until for o in held if o.until is not None]
    return Outcome(
        True,
        [r for o in held for r in o.records],
        start=min(starts) if starts and len(starts) == len(held) else None,
        until=max(untils) if untils and len(untils) == len(held) else None,
    )


def evaluate(kind: BenefitKind, family: Family, ctx: Context) -> Evaluation:
    """Every clause of ``kind`` for ``family`` in the period: eligible when all hold; the
    span is the intersection of the clauses' spans (from the subject's birth when no
    clause gives a start)."""
    beneficiary = beneficiary_of(kind, family, ctx)
    clauses: list[ClauseResult] = []
    start = family.person.birth_date
    until: datetime.date | None = None
    for clause in kind.eligibility:
        outcome = evaluate_clause(clause, family, ctx, beneficiary)
        clauses.append(
            {
                "code": clause.code,
                "rule": clause.rule,
                "text": clause.text,
                "ok": outcome.ok,
                "records": outcome.records,
            }
        )
        if outcome.start is not None:
            start = max(start, outcome.start)
        if outcome.until is not None:
            until = outcome.until if until is None else min(until, outcome.until)
    eligible = all(c["ok"] for c in clauses)
    if eligible and ((until is not None and until <= start) or start > ctx.period_end):
        eligible = False  # each clause holds, but not on the same days of the period
        clauses.append(
            {
                "code": "span",
                "rule": "span",
                "text": _("The clauses' dates do not meet in the period."),
                "ok": False,
                "records": [],
            }
        )
    return Evaluation(eligible, clauses, beneficiary, start, until)
