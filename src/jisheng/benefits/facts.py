"""What the rules read, loaded in bulk for every candidate of a unit subtree (issue 18).

:func:`families` answers, for one kind and one period, the candidates of a unit's subtree
as :class:`~jisheng.benefits.rules.Family` objects, in a handful of queries whatever
their number (no query per candidate):

1. the SQL prefilter of the kind's subject — a child: the births of the children living
   in the subtree born in the years its ``age_below`` clause allows (育儿补贴: the three
   years before the period's end), with the child, mother and father joined in; a parent:
   the persons of the subtree of the age its ``age_at_least`` clause asks who have a
   birth as mother or father;
2. the births of those parents (their children and the other parent, who is taken as the
   spouse), the persons behind them, the dates of deaths, the disability records and the
   certificates the clauses read — each only when a clause of the kind reads it.

Persons transferred out are no candidates; an in-migrant or a person who died in the
period is one (her case shows the clause she fails, or is paid to the month of the death).
:func:`family_of` loads the same facts for one person (an application).

The family-pattern clauses (:data:`PREFILTER`) are part of the prefilter: the sweep keeps
the candidates for whom they hold, so that the batch lists the families the kind is for
and, among them, shows who fails the clauses of place and life.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TypedDict, cast

from django.db.models import Exists, OuterRef, Q

from jisheng.benefits.models import DisabilityRecord
from jisheng.benefits.rules import (
    BirthFact,
    CertificateFact,
    DisabilityFact,
    Family,
    PersonFact,
    birthday,
)
from jisheng.orgs.models import Unit
from jisheng.people.choices import EventKind, PersonStatus
from jisheng.people.models import Birth, LifeEvent, Person
from jisheng.policy.schema_benefits import BenefitKind

CHUNK = 5000


class PersonRow(TypedDict):
    id: int
    name: str
    sex: str
    birth_date: datetime.date
    unit_id: int
    hukou_type: str
    status: str
    employer_id: int | None


class BirthRow(TypedDict):
    id: int
    date: datetime.date
    sex: str
    child_name: str
    mother_id: int
    father_id: int | None
    child_id: int | None


# The clauses whose failure keeps a person out of the sweep's candidates altogether.
PREFILTER = frozenset(
    {
        "age_below",
        "age_at_least",
        "born_on_or_after",
        "hukou_type",
        "children_at_most",
        "only_child_or_two_daughters",
        "no_living_child",
        "child_disability",
        "holds_certificate",
        "mother_age_at_least",
    }
)
NOT_CANDIDATES = (PersonStatus.TRANSFERRED_OUT,)
BIRTH_FIELDS = ("id", "date", "sex", "child_name", "mother_id", "father_id", "child_id")
PERSON_FIELDS = (
    "id",
    "name",
    "sex",
    "birth_date",
    "unit_id",
    "hukou_type",
    "status",
    "employer_id",
)


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for k in range(0, len(ids), size):
        yield ids[k : k + size]


class _Units:
    """The names and paths of units, loaded once per subtree (and any outside it on
    demand)."""

    def __init__(self, root: Unit) -> None:
        self.rows: dict[int, tuple[str, str]] = {
            pk: (path, name)
            for pk, path, name in Unit.objects.filter(path__startswith=root.path).values_list(
                "id", "path", "name"
            )
        }

    def fill(self, ids: Iterable[int]) -> None:
        missing = sorted({i for i in ids if i not in self.rows})
        for part in chunks(missing):
            for pk, path, name in Unit.objects.filter(id__in=part).values_list(
                "id", "path", "name"
            ):
                self.rows[pk] = (path, name)

    def path(self, pk: int) -> str:
        return self.rows.get(pk, ("", ""))[0]

    def name(self, pk: int) -> str:
        return self.rows.get(pk, ("", ""))[1]


def _fact(row: PersonRow, units: _Units, deaths: dict[int, datetime.date]) -> PersonFact:
    return PersonFact(
        id=row["id"],
        name=row["name"],
        sex=row["sex"],
        birth_date=row["birth_date"],
        unit_id=row["unit_id"],
        unit_path=units.path(row["unit_id"]),
        unit_name=units.name(row["unit_id"]),
        hukou_type=row["hukou_type"] or "",
        status=row["status"],
        employer_id=row["employer_id"],
        died_on=deaths.get(row["id"]),
    )


def death_dates(person_ids: Iterable[int]) -> dict[int, datetime.date]:
    """The date of death of each of ``person_ids`` who died (the latest death event not
    corrected)."""
    ids = sorted(set(person_ids))
    dates: dict[int, datetime.date] = {}
    for part in chunks(ids):
        rows = (
            LifeEvent.objects.filter(kind=EventKind.DEATH, person_id__in=part)
            .filter(reversed_by__isnull=True)
            .values_list("person_id", "date")
            .order_by("person_id", "date")
        )
        for pk, day in rows:
            dates[pk] = day
    return dates


def _persons(ids: Iterable[int]) -> dict[int, PersonRow]:
    wanted = sorted(set(ids))
    rows: dict[int, PersonRow] = {}
    for part in chunks(wanted):
        for row in Person.objects.filter(id__in=part).values(*PERSON_FIELDS):
            rows[row["id"]] = row
    return rows


def _births_of(parent_ids: Sequence[int]) -> list[BirthRow]:
    rows: list[BirthRow] = []
    for part in chunks(parent_ids):
        found = (
            Birth.objects.filter(Q(mother_id__in=part) | Q(father_id__in=part))
            .values(*BIRTH_FIELDS)
            .order_by("date", "id")
        )
        rows.extend(cast(BirthRow, r) for r in found)
    # a birth found from both parents' chunks appears twice
    return list({r["id"]: r for r in rows}.values())


def _disabilities(person_ids: Iterable[int]) -> dict[int, list[DisabilityFact]]:
    found: dict[int, list[DisabilityFact]] = defaultdict(list)
    for part in chunks(sorted(set(person_ids))):
        for pk, person_id, grade, day in DisabilityRecord.objects.filter(
            person_id__in=part
        ).values_list("id", "person_id", "grade", "certified_on"):
            found[person_id].append(DisabilityFact(pk, person_id, grade, day))
    return found


def _certificates(
    person_ids: Iterable[int], kinds: Sequence[str]
) -> dict[int, list[CertificateFact]]:
    """The issued certificates of ``kinds`` held by each person (herself or her
    couple)."""
    from jisheng.certificates.choices import CertificateKind, CertificateStatus
    from jisheng.certificates.models import Certificate

    found: dict[int, list[CertificateFact]] = defaultdict(list)
    labels = dict(CertificateKind.choices)
    for part in chunks(sorted(set(person_ids))):
        rows = Certificate.objects.filter(
            Q(person_id__in=part) | Q(couple__wife_id__in=part) | Q(couple__husband_id__in=part),
            kind__in=kinds,
            status=CertificateStatus.ISSUED,
        ).values(
            "id",
            "kind",
            "issued_on",
            "valid_until",
            "person_id",
            "couple__wife_id",
            "couple__husband_id",
            "number",
        )
        for row in rows:
            label = str(labels.get(row["kind"], row["kind"]))
            if row["number"]:
                label = f"{label} {row['number']}"
            fact = CertificateFact(
                row["id"], row["kind"], label, row["issued_on"], row["valid_until"]
            )
            for holder in (row["person_id"], row["couple__wife_id"], row["couple__husband_id"]):
                if holder is not None and fact not in found[holder]:
                    found[holder].append(fact)
    return found


def _rules(kind: BenefitKind) -> set[str]:
    return {c.rule for c in kind.eligibility}


def _years(kind: BenefitKind, rule: str) -> int | None:
    years = [c.years for c in kind.eligibility if c.rule == rule and c.of == "person"]
    return max((y for y in years if y is not None), default=None)


def _assemble(
    kind: BenefitKind,
    subjects: list[PersonRow],
    units: _Units,
    own_birth: dict[int, BirthRow] | None = None,
) -> list[Family]:
    """Families of ``subjects`` (person rows): their births, parents or children, the
    other parent, deaths, disabilities and certificates, in bulk."""
    rules = _rules(kind)
    subject_ids = [s["id"] for s in subjects]
    own_birth = own_birth or {}
    births = list(own_birth.values()) if kind.subject == "child" else _births_of(subject_ids)
    children_of: dict[int, list[BirthRow]] = defaultdict(list)
    related: set[int] = set()
    for b in births:
        for parent in (b["mother_id"], b["father_id"]):
            if parent is not None:
                children_of[parent].append(b)
                related.add(parent)
        if b["child_id"] is not None:
            related.add(b["child_id"])
    rows = _persons(related - set(subject_ids))
    for s in subjects:
        rows[s["id"]] = s
    units.fill(r["unit_id"] for r in rows.values())
    deaths = death_dates(pk for pk, r in rows.items() if r["status"] == PersonStatus.DECEASED)
    facts = {pk: _fact(r, units, deaths) for pk, r in rows.items()}
    disabled = _disabilities(related) if "child_disability" in rules else {}
    cert_kinds = sorted(
        {v for c in kind.eligibility if c.rule == "holds_certificate" for v in c.values}
    )
    certs = _certificates(related | set(subject_ids), cert_kinds) if cert_kinds else {}

    def birth_fact(b: BirthRow) -> BirthFact:
        child = facts.get(b["child_id"]) if b["child_id"] is not None else None
        return BirthFact(
            b["id"], b["date"], b["sex"], b["child_name"], b["mother_id"], b["father_id"], child
        )

    families: list[Family] = []
    for s in subjects:
        person = facts[s["id"]]
        if kind.subject == "child":
            own = own_birth.get(s["id"])
            birth = birth_fact(own) if own is not None else None
            mother = facts.get(own["mother_id"]) if own is not None else None
            father = facts.get(own["father_id"]) if own is not None and own["father_id"] else None
            holders = [p.id for p in (person, mother, father) if p is not None]
            family = Family(person=person, birth=birth, mother=mother, father=father)
            family.certificates = list({c for h in holders for c in certs.get(h, [])})
        else:
            mine = children_of.get(person.id, [])
            spouse_id = next(
                (
                    other
                    for b in reversed(mine)
                    for other in (b["mother_id"], b["father_id"])
                    if other is not None and other != person.id
                ),
                None,
            )
            spouse = facts.get(spouse_id) if spouse_id is not None else None
            holders = [p.id for p in (person, spouse) if p is not None]
            family = Family(person=person, spouse=spouse, children=[birth_fact(b) for b in mine])
            family.certificates = list({c for h in holders for c in certs.get(h, [])})
        if disabled:
            family.disabilities = {
                c.child.id: disabled[c.child.id]
                for c in family.children
                if c.child is not None and c.child.id in disabled
            }
        families.append(family)
    return families


def families(
    kind: BenefitKind,
    unit: Unit,
    *,
    period_start: datetime.date,
    period_end: datetime.date,
) -> list[Family]:
    """The candidates of ``kind`` in ``unit``'s subtree for the period (see the module)."""
    units = _Units(unit)
    people = Person.objects.filter(unit__path__startswith=unit.path).exclude(
        status__in=NOT_CANDIDATES
    )
    below = _years(kind, "age_below")
    at_least = _years(kind, "age_at_least")
    if below is not None:  # under N on some day of the period
        people = people.filter(birth_date__gt=_years_before(period_start, below))
    if at_least is not None:  # N by the period's end
        people = people.filter(birth_date__lte=_years_before(period_end, at_least))
    people = people.filter(birth_date__lte=period_end)
    for clause in kind.eligibility:
        if clause.rule == "born_on_or_after" and clause.of == "person" and clause.date:
            people = people.filter(birth_date__gte=clause.date)
        if clause.rule == "hukou_type" and clause.of == "person":
            people = people.filter(hukou_type__in=clause.values)
    if kind.subject == "child":
        births = {
            b["child_id"]: b for b in Birth.objects.filter(child__in=people).values(*BIRTH_FIELDS)
        }
        subjects = list(Person.objects.filter(id__in=[]).values(*PERSON_FIELDS))
        for part in chunks(sorted(births)):
            subjects.extend(Person.objects.filter(id__in=part).values(*PERSON_FIELDS))
        found = _assemble(kind, subjects, units, own_birth=births)
    elif kind.subject == "parent":
        has_birth = Exists(Birth.objects.filter(mother_id=OuterRef("pk"))) | Exists(
            Birth.objects.filter(father_id=OuterRef("pk"))
        )
        subjects = list(people.filter(has_birth).values(*PERSON_FIELDS).order_by("id"))
        found = _assemble(kind, subjects, units)
    elif kind.subject == "person":
        subjects = list(people.values(*PERSON_FIELDS).order_by("id"))
        found = _assemble(kind, subjects, units)
    else:  # staff allowances are paid to users, not found in the registry
        found = []
    return found


def family_of(kind: BenefitKind, person: Person) -> Family:
    """The facts of one person for ``kind`` (an application entered by the office)."""
    units = _Units(person.unit)
    row = Person.objects.filter(pk=person.pk).values(*PERSON_FIELDS).get()
    own: dict[int, BirthRow] = {}
    if kind.subject == "child":
        found = Birth.objects.filter(child_id=person.pk).values(*BIRTH_FIELDS).first()
        if found is not None:
            own[person.pk] = cast(BirthRow, found)
    return _assemble(kind, [row], units, own_birth=own)[0]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The day ``years`` before ``day`` (someone born then turns ``years`` on ``day``)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return datetime.date(day.year - years, 2, 28)


__all__ = ["PREFILTER", "birthday", "death_dates", "families", "family_of"]
