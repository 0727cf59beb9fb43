"""Record-level logic checks: the fixed set of code checks a rule may name (``check:``).

Each check answers, for a root unit's subtree and a period, the records that fail it as
:class:`Hit` rows (the record, its unit, the person behind it, a detail for the message)
with a bounded number of queries, whatever the size of the subtree. A record is flagged
for checking; nothing here labels a person (SPEC §0).

- ``birth_interval``: a birth dated in the period less than ``days`` (180) days after a
  previous birth of the same mother (births 0–1 day apart are twins, not flagged).
- ``mother_age``: a birth in the period whose mother was younger than ``min_age`` (15)
  or older than ``max_age`` (50) on the birth date.
- ``id_number_mismatch``: a person whose ID number says another birth date or sex than
  the record. The registry stores the number encrypted (``Person.id_number_encrypted``,
  Fernet) and a keyed hash; the mask keeps only the region, so the check decrypts. Entry
  refuses a disagreeing number (``people.services.id_fields``, the importers), so a
  disagreement comes from a later change of the record: the check decrypts the numbers
  of the persons created or changed within the period (``updated_at``), not the whole
  registry.
- ``duplicate_person``: persons of the subtree (a county, when the check runs for one)
  with the same name in pinyin and the same birth date: likely entered twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core import crypto, idnumber
from jisheng.core.periods import Period
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.indicators.engine import aged_at
from jisheng.orgs.models import Unit
from jisheng.people.models import Birth, Person

StrOrPromise = str | Promise

# Births of one mother this close are a multiple birth (twins), not a short interval.
MULTIPLE_BIRTH_DAYS = 2


@dataclass(frozen=True)
class Hit:
    unit_id: int
    record: str  # "app_label.model:pk"
    person_id: int | None
    label: str  # what the record is, for the lists (a name and a date)
    detail: str  # for the message's {detail}


@dataclass(frozen=True)
class RecordCheck:
    name: str
    label: StrOrPromise
    run: Callable[[Unit, Period, dict[str, int]], list[Hit]]
    params: dict[str, int] = field(default_factory=dict)  # name -> default


def _cn_date(day: datetime.date) -> str:
    return format_cn_date(day)


def _births_in(root: Unit, period: Period) -> QuerySet[Birth]:
    return Birth.objects.filter(
        unit__path__startswith=root.path, date__gte=period.first, date__lte=period.last
    )


def birth_interval(root: Unit, period: Period, params: dict[str, int]) -> list[Hit]:
    days = params.get("days", 180)
    births = list(_births_in(root, period).values_list("pk", "mother_id", "date", "unit_id"))
    if not births:
        return []
    mothers = {b[1] for b in births}
    earlier = period.first - datetime.timedelta(days=days)
    by_mother: dict[int, list[datetime.date]] = defaultdict(list)
    # every birth of these mothers (any unit: a mother moves) from ``days`` before the period
    rows = Birth.objects.filter(
        mother_id__in=_births_in(root, period).values("mother_id"),
        date__gte=earlier,
        date__lte=period.last,
    ).values_list("mother_id", "date")
    for mother_id, day in rows:
        if mother_id in mothers:
            by_mother[mother_id].append(day)
    names = dict(Person.objects.filter(pk__in=mothers).values_list("pk", "name"))
    hits = []
    for pk, mother_id, day, unit_id in births:
        gaps = [
            (day - other).days
            for other in by_mother[mother_id]
            if MULTIPLE_BIRTH_DAYS <= (day - other).days < days
        ]
        if gaps:
            previous = day - datetime.timedelta(days=min(gaps))
            hits.append(
                Hit(
                    unit_id=unit_id,
                    record=f"people.birth:{pk}",
                    person_id=mother_id,
                    label=_("birth of %(date)s, mother %(name)s")
                    % {"date": _cn_date(day), "name": names.get(mother_id, "")},
                    detail=_("%(days)d days after the birth of %(previous)s")
                    % {"days": min(gaps), "previous": _cn_date(previous)},
                )
            )
    return hits


def mother_age(root: Unit, period: Period, params: dict[str, int]) -> list[Hit]:
    low, high = params.get("min_age", 15), params.get("max_age", 50)
    rows = (
        _births_in(root, period)
        .exclude(aged_at("date", "mother__birth_date", low, high))
        .values_list("pk", "unit_id", "mother_id", "date", "mother__name", "mother__birth_date")
        .order_by("date", "pk")
    )
    hits = []
    for pk, unit_id, mother_id, day, name, born in rows:
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        hits.append(
            Hit(
                unit_id=unit_id,
                record=f"people.birth:{pk}",
                person_id=mother_id,
                label=_("birth of %(date)s, mother %(name)s")
                % {"date": _cn_date(day), "name": name},
                detail=_("the mother was %(age)d on the birth date") % {"age": age},
            )
        )
    return hits


def _period_window(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.last + datetime.timedelta(days=1), datetime.time.min)
    return start, end.replace(tzinfo=tz)


def id_number_mismatch(root: Unit, period: Period, params: dict[str, int]) -> list[Hit]:
    start, end = _period_window(period)
    rows = (
        Person.objects.filter(unit__path__startswith=root.path)
        .exclude(id_number_encrypted="")
        .filter(
            Q(updated_at__gte=start, updated_at__lt=end)
            | Q(created_at__gte=start, created_at__lt=end)
        )
        .values_list("pk", "unit_id", "name", "sex", "birth_date", "id_number_encrypted")
        .order_by("pk")
    )
    hits = []
    for pk, unit_id, name, sex, born, token in rows.iterator(chunk_size=2000):
        try:
            number = idnumber.normalise(crypto.decrypt(token))
        except crypto.DecryptionError:
            continue
        if len(number) != 18 or not number[:17].isdigit():
            continue
        try:
            said = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            continue
        said_sex = idnumber.MALE if int(number[16]) % 2 else idnumber.FEMALE
        problems = []
        if said != born:
            problems.append(
                _("the ID number says born %(id)s, the record %(record)s")
                % {"id": _cn_date(said), "record": _cn_date(born)}
            )
        if said_sex != sex:
            problems.append(
                _("the ID number says male, the record female")
                if said_sex == idnumber.MALE
                else _("the ID number says female, the record male")
            )
        if problems:
            hits.append(
                Hit(
                    unit_id=unit_id,
                    record=f"people.person:{pk}",
                    person_id=pk,
                    label=name,
                    detail="；".join(problems),
                )
            )
    return hits


def _persons_of(root: Unit) -> QuerySet[Person]:
    """The persons of ``root``'s subtree (no join with the units when ``root`` is the only
    root of the tree: every person is in it)."""
    persons = Person.objects.all()
    if root.depth == 1 and not Unit.objects.filter(depth=1).exclude(pk=root.pk).exists():
        return persons
    return persons.filter(unit__path__startswith=root.path)


def duplicate_person(root: Unit, period: Period, params: dict[str, int]) -> list[Hit]:
    # ONE query: the subtree's persons joined with the (pinyin, birth date) pairs held
    # twice or more (a hashed GROUP BY). A window over every person sorts them all, and
    # fetching the pairs' persons apart scans the persons again per batch of pairs.
    persons = _persons_of(root).exclude(name_pinyin="")
    pairs = (
        persons.order_by()
        .values("name_pinyin", "birth_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name_pinyin", "birth_date", "n")
    )
    rows_sql, rows_params = (
        persons.order_by().values_list("pk", "unit_id", "name", "name_pinyin", "birth_date")
    ).query.sql_with_params()
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    sql = (
        f"SELECT p.*, d.n FROM ({rows_sql}) p JOIN ({pairs_sql}) d "
        "ON p.name_pinyin = d.name_pinyin AND p.birth_date = d.birth_date"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows_params, *pairs_params])
        rows = cursor.fetchall()
    hits: list[Hit] = []
    for pk, unit_id, name, pinyin, born, n in sorted(rows, key=lambda r: (r[3], str(r[4]), r[0])):
        day = born if isinstance(born, datetime.date) else datetime.date.fromisoformat(born)
        hits.append(
            Hit(
                unit_id=unit_id,
                record=f"people.person:{pk}",
                person_id=pk,
                label=name,
                detail=_("%(n)d persons named %(pinyin)s born on %(date)s")
                % {"n": n, "pinyin": pinyin, "date": _cn_date(day)},
            )
        )
    return hits


RECORD_CHECKS: dict[str, RecordCheck] = {
    c.name: c
    for c in (
        RecordCheck(
            "birth_interval", gettext_lazy("Short birth interval"), birth_interval, {"days": 180}
        ),
        RecordCheck(
            "mother_age",
            gettext_lazy("Mother's age at the birth out of range"),
            mother_age,
            {"min_age": 15, "max_age": 50},
        ),
        RecordCheck(
            "id_number_mismatch",
            gettext_lazy("ID number disagrees with the record"),
            id_number_mismatch,
        ),
        RecordCheck(
            "duplicate_person", gettext_lazy("Possibly registered twice"), duplicate_person
        ),
    )
}


def run_record_check(name: str, root: Unit, period: Period, params: dict[str, int]) -> list[Hit]:
    check = RECORD_CHECKS[name]
    return check.run(root, period, {**check.params, **(params or {})})
