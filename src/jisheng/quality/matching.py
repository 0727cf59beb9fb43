"""Matching an external list against the registry (五关, SPEC §9).

For every row: exact by ID hash (the child's, or the person's; ``people.Person.id_hash``,
the keyed hash of :func:`jisheng.core.crypto.lookup_hash`); otherwise by a score over the
candidates born (married) on the row's date, or of the same mother (spouse) by ID within
a few weeks, or with both names the same within a few weeks:

===============================  =====
mother's (spouse's) ID the same    60
mother's (spouse's) name pinyin    40
child's (person's) name pinyin     40
sex the same                       10
date the same                      10
===============================  =====

A candidate on the same date needs 50 points (a name and more); one on another date 70
(an exact match by ID scores 100; a fuzzy one at most 120, which says no more than it).
One best candidate: **matched**, or **contradicting** when its date, sex or unit differs
(said which); two with the same best score: **ambiguous** (a person chooses); none:
**missing from the registry**. Registry records of the list's period and area that no
row claimed are **unlisted** where the source should hold them all.

Everything is loaded in a few queries (records by date range, by ID hash in chunks, the
units' paths), never one per row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import Q

from jisheng.orgs.models import Unit
from jisheng.people.models import Birth, Couple, Person
from jisheng.quality import sources
from jisheng.quality.lists import name_key
from jisheng.quality.sources import Source

EXACT = 100
SAME_OTHER_ID = 60
SAME_OTHER_NAME = 40
SAME_NAME = 40
SAME_SEX = 10
SAME_DATE = 10
ACCEPT_SAME_DATE = 50
ACCEPT_OTHER_DATE = 70
WINDOW_DAYS = 30  # how far a date may be off for a candidate found by ID or both names
CHUNK = 2000
MAX_CANDIDATES = 5

# outcomes (the values of quality.models.Outcome)
MATCHED = "matched"
AMBIGUOUS = "ambiguous"
MISSING = "missing"
CONTRADICTING = "contradicting"
UNLISTED = "unlisted"

# the fields that may differ
DATE = "date"
SEX = "sex"
UNIT = "unit"


class RowLike(Protocol):
    name_key: str
    sex: str
    event_date: datetime.date | None
    id_hash: str
    other_key: str
    other_id_hash: str


@dataclass(frozen=True)
class Rec:
    """A registry record as the matcher sees it."""

    ref: str  # "people.birth:12"
    date: datetime.date
    sex: str
    unit_id: int
    key: str  # child's / wife's / person's name pinyin
    hash: str
    other_key: str  # mother's / husband's
    other_hash: str
    name: str = ""
    person_id: int | None = None  # the mother, the wife, the person


@dataclass
class Match:
    outcome: str
    score: int = 0
    record: str = ""
    unit_id: int | None = None  # the matched record's unit (responsible), else None
    person_id: int | None = None
    differences: list[str] = field(default_factory=list)
    candidates: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Index:
    by_hash: dict[str, Rec] = field(default_factory=dict)
    by_other_hash: dict[str, list[Rec]] = field(default_factory=lambda: defaultdict(list))
    by_date: dict[datetime.date, list[Rec]] = field(default_factory=lambda: defaultdict(list))
    by_names: dict[tuple[str, str], list[Rec]] = field(default_factory=lambda: defaultdict(list))
    records: dict[str, Rec] = field(default_factory=dict)

    def add(self, rec: Rec) -> None:
        if rec.ref in self.records:
            return
        self.records[rec.ref] = rec
        if rec.hash:
            self.by_hash[rec.hash] = rec
        if rec.other_hash:
            self.by_other_hash[rec.other_hash].append(rec)
        self.by_date[rec.date].append(rec)
        if rec.key and rec.other_key:
            self.by_names[(rec.other_key, rec.key)].append(rec)


def _key(sort: str | None, name: str | None) -> str:
    if sort:
        return sort.replace(" ", "")
    return name_key(name) if name else ""


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# ------------------------------------------------------------------ loading


_BIRTH_FIELDS = (
    "pk",
    "date",
    "sex",
    "unit_id",
    "child_name",
    "child__name",
    "child__name_sort",
    "child__id_hash",
    "mother__name",
    "mother__name_sort",
    "mother__id_hash",
    "mother_id",
)


def _birth_rec(values: tuple) -> Rec:  # type: ignore[type-arg]
    pk, day, sex, unit_id, child_name, cname, csort, chash, mname, msort, mhash, mother = values
    name = cname or child_name or ""
    return Rec(
        ref=f"people.birth:{pk}",
        date=day,
        sex=sex,
        unit_id=unit_id,
        key=_key(csort, name),
        hash=chash or "",
        other_key=_key(msort, mname),
        other_hash=mhash or "",
        name=name or f"{mname}之子女",
        person_id=mother,
    )


_COUPLE_FIELDS = (
    "pk",
    "married_on",
    "unit_id",
    "wife__name",
    "wife__name_sort",
    "wife__id_hash",
    "husband__name",
    "husband__name_sort",
    "husband__id_hash",
    "outside_name",
    "outside_id_hash",
    "wife_id",
    "husband_id",
)


def _couple_rec(values: tuple) -> Rec:  # type: ignore[type-arg]
    pk, day, unit_id, wname, wsort, whash, hname, hsort, hhash, oname, ohash, wife, husband = values
    # one spouse may be outside the registry (``outside_*``): the wife or the husband
    wife_outside = wname is None
    husband_outside = hname is None
    return Rec(
        ref=f"people.couple:{pk}",
        date=day,
        sex="",
        unit_id=unit_id,
        key=_key(None, oname) if wife_outside else _key(wsort, wname),
        hash=(ohash or "") if wife_outside else (whash or ""),
        other_key=_key(None, oname) if husband_outside else _key(hsort, hname),
        other_hash=(ohash or "") if husband_outside else (hhash or ""),
        name=f"{oname if husband_outside else hname} — {oname if wife_outside else wname}",
        person_id=wife or husband,
    )


_PERSON_FIELDS = ("pk", "birth_date", "sex", "unit_id", "name", "name_sort", "id_hash")


def _person_rec(values: tuple) -> Rec:  # type: ignore[type-arg]
    pk, day, sex, unit_id, name, sort, digest = values
    return Rec(
        ref=f"people.person:{pk}",
        date=day,
        sex=sex,
        unit_id=unit_id,
        key=_key(sort, name),
        hash=digest or "",
        other_key="",
        other_hash="",
        name=name,
        person_id=pk,
    )


def _span(rows: Sequence[RowLike]) -> tuple[datetime.date, datetime.date] | None:
    days = [r.event_date for r in rows if r.event_date]
    if not days:
        return None
    pad = datetime.timedelta(days=WINDOW_DAYS)
    return min(days) - pad, max(days) + pad


def load_index(source: Source, rows: Sequence[RowLike]) -> Index:
    """The registry records the rows may match: those dated within the rows' dates
    (± :data:`WINDOW_DAYS`) and those of the rows' ID hashes, in a few queries."""
    index = Index()
    span = _span(rows)
    hashes = sorted({r.id_hash for r in rows if r.id_hash})
    other_hashes = sorted({r.other_id_hash for r in rows if r.other_id_hash})
    if source.target == sources.BIRTHS:
        births = Birth.objects.order_by()
        if span:
            for values in births.filter(date__range=span).values_list(*_BIRTH_FIELDS):
                index.add(_birth_rec(values))
        for chunk in _chunks(hashes):
            for values in births.filter(child__id_hash__in=chunk).values_list(*_BIRTH_FIELDS):
                index.add(_birth_rec(values))
        for chunk in _chunks(other_hashes):
            for values in births.filter(mother__id_hash__in=chunk).values_list(*_BIRTH_FIELDS):
                index.add(_birth_rec(values))
    elif source.target == sources.MARRIAGES:
        couples = Couple.objects.order_by()
        if span:
            for values in couples.filter(married_on__range=span).values_list(*_COUPLE_FIELDS):
                index.add(_couple_rec(values))
        for chunk in _chunks(sorted({*hashes, *other_hashes})):
            q = (
                Q(wife__id_hash__in=chunk)
                | Q(husband__id_hash__in=chunk)
                | Q(outside_id_hash__in=chunk)
            )
            for values in couples.filter(q).values_list(*_COUPLE_FIELDS):
                index.add(_couple_rec(values))
    else:
        persons = Person.objects.order_by()
        days = sorted({r.event_date for r in rows if r.event_date})
        for start in range(0, len(days), CHUNK):
            chunk_days = days[start : start + CHUNK]
            for values in persons.filter(birth_date__in=chunk_days).values_list(*_PERSON_FIELDS):
                index.add(_person_rec(values))
        for chunk in _chunks(hashes):
            for values in persons.filter(id_hash__in=chunk).values_list(*_PERSON_FIELDS):
                index.add(_person_rec(values))
    return index


# ------------------------------------------------------------------ scoring


def score(row: RowLike, rec: Rec) -> int:
    points = 0
    if row.other_id_hash and row.other_id_hash == rec.other_hash:
        points += SAME_OTHER_ID
    elif row.other_key and row.other_key == rec.other_key:
        points += SAME_OTHER_NAME
    if row.name_key and row.name_key == rec.key:
        points += SAME_NAME
    if row.sex and row.sex == rec.sex:
        points += SAME_SEX
    if row.event_date == rec.date:
        points += SAME_DATE
    return points


def differences(
    row: RowLike, rec: Rec, row_unit_id: int | None, area_path: str, paths: dict[int, str]
) -> list[str]:
    """Which of date, sex and unit differ between the row and the record. The unit
    differs when the row names a unit (its address) other than the record's, or, when
    it names none, when the record lies outside the list's area."""
    found: list[str] = []
    if row.event_date and row.event_date != rec.date:
        found.append(DATE)
    if row.sex and rec.sex and row.sex != rec.sex:
        found.append(SEX)
    if row_unit_id is not None:
        if rec.unit_id != row_unit_id:
            found.append(UNIT)
    elif not paths.get(rec.unit_id, "").startswith(area_path):
        found.append(UNIT)
    return found


def _pool(row: RowLike, index: Index) -> list[Rec]:
    pool: dict[str, Rec] = {}
    if row.event_date:
        for rec in index.by_date.get(row.event_date, ()):
            pool[rec.ref] = rec
    near: list[Rec] = []
    if row.other_id_hash:
        near.extend(index.by_other_hash.get(row.other_id_hash, ()))
    if row.name_key and row.other_key:
        near.extend(index.by_names.get((row.other_key, row.name_key), ()))
    for rec in near:
        if row.event_date and abs((rec.date - row.event_date).days) <= WINDOW_DAYS:
            pool[rec.ref] = rec
    return list(pool.values())


def match_row(
    row: RowLike,
    index: Index,
    *,
    row_unit_id: int | None,
    area_path: str,
    paths: dict[int, str],
) -> Match:
    """The outcome of one row (see the module's docstring)."""
    if row.id_hash and row.id_hash in index.by_hash:
        rec = index.by_hash[row.id_hash]
        diff = differences(row, rec, row_unit_id, area_path, paths)
        return Match(
            outcome=CONTRADICTING if diff else MATCHED,
            score=EXACT,
            record=rec.ref,
            unit_id=rec.unit_id,
            person_id=rec.person_id,
            differences=diff,
            candidates=[
                {"record": rec.ref, "score": EXACT, "differences": diff, "person": rec.person_id}
            ],
        )
    scored: list[tuple[int, Rec]] = []
    for rec in _pool(row, index):
        points = score(row, rec)
        needed = ACCEPT_SAME_DATE if rec.date == row.event_date else ACCEPT_OTHER_DATE
        # a name (or the mother's ID) must agree: sex and date alone are no match
        named = (
            points
            - (SAME_SEX if row.sex == rec.sex else 0)
            - (SAME_DATE if rec.date == row.event_date else 0)
        )
        if points >= needed and named >= SAME_NAME:
            scored.append((points, rec))
    if not scored:
        return Match(outcome=MISSING)
    scored.sort(key=lambda item: (-item[0], item[1].ref))
    best_points, best = scored[0]
    candidates = [
        {
            "record": rec.ref,
            "score": points,
            "differences": differences(row, rec, row_unit_id, area_path, paths),
            "person": rec.person_id,
        }
        for points, rec in scored[:MAX_CANDIDATES]
    ]
    if len(scored) > 1 and scored[1][0] == best_points:
        tied = [c for c in candidates if c["score"] == best_points]
        return Match(outcome=AMBIGUOUS, score=best_points, candidates=tied)
    diff = differences(row, best, row_unit_id, area_path, paths)
    return Match(
        outcome=CONTRADICTING if diff else MATCHED,
        score=best_points,
        record=best.ref,
        unit_id=best.unit_id,
        person_id=best.person_id,
        differences=diff,
        candidates=candidates,
    )


def unit_paths() -> dict[int, str]:
    return dict(Unit.objects.values_list("pk", "path"))


def match_rows(
    source: Source,
    area: Unit,
    rows: Sequence[RowLike],
    row_units: Sequence[int | None],
    *,
    index: Index | None = None,
    paths: dict[int, str] | None = None,
) -> list[Match]:
    """The outcome of every row (``row_units``: the unit each row names, or None)."""
    index = index if index is not None else load_index(source, rows)
    paths = paths if paths is not None else unit_paths()
    return [
        match_row(r, index, row_unit_id=u, area_path=area.path, paths=paths)
        for r, u in zip(rows, row_units, strict=True)
    ]


def expected_records(
    source: Source, area: Unit, first: datetime.date, last: datetime.date
) -> list[Rec]:
    """The registry records of the period and area that a list of ``source`` should
    hold (none for a source that need not hold them all)."""
    if not source.expects_all:
        return []
    where = Q(unit__path__startswith=area.path)
    if source.target == sources.BIRTHS:
        qs = Birth.objects.filter(where, date__gte=first, date__lte=last).order_by("date", "pk")
        return [_birth_rec(v) for v in qs.values_list(*_BIRTH_FIELDS)]
    if source.target == sources.MARRIAGES:
        qs = Couple.objects.filter(where, married_on__gte=first, married_on__lte=last)
        return [
            _couple_rec(v) for v in qs.order_by("married_on", "pk").values_list(*_COUPLE_FIELDS)
        ]
    return []


def unlisted(
    source: Source,
    area: Unit,
    first: datetime.date,
    last: datetime.date,
    claimed: set[str],
) -> list[Rec]:
    """The expected records no row matched or named as a candidate."""
    return [rec for rec in expected_records(source, area, first, last) if rec.ref not in claimed]
