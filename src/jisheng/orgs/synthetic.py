"""A fictional territory sized for a generated population (``jisheng generate``).

:func:`build_territory` makes sure the subtree of a unit can hold ``persons`` people the
way a real county does: townships and streets, villages and communities of about
:data:`PERSONS_PER_VILLAGE` people, and association groups (协会小组) of 20–30
households under every village and community, plus a coal mine and a school as work
units when the county has none. What exists is kept and completed, never renamed or
moved; running it again for the same number creates nothing.

Codes follow the territorial scheme of ``orgs.validators``: a township is
``<county 6 digits><3 digits>000``, a village ``<township 9 digits><3 digits>``, a group
``<village code>-X<nn>`` (a free code, as the demo's groups). Names are invented from
fixed syllables (deterministic; no real place is meant).

Townships are added through treebeard (``add_child``, which keeps siblings ordered by
code); villages and groups, thousands of them for a million people, are bulk-created
with computed materialised paths, always as the last children of their parent, whose
codes they follow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit

PERSONS_PER_VILLAGE = 2000
VILLAGES_PER_TOWNSHIP = 16
HOUSEHOLDS_PER_GROUP = 25  # the middle of 20–30
PERSONS_PER_HOUSEHOLD = 2.35  # what jisheng.people.synthetic generates (1M: 429,003)
STREET_EVERY = 4  # one new township in four (the 2nd, 6th, …) is a street with communities

_FIRST = "青白云金石松柳桃杏竹梅兰溪河湖山岭坪塘湾泉"
_SECOND = "阳平安宁丰和兴盛源林川桥冈台滩口园岗埠庄"
_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百〇五 (for group names)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return _DIGITS[hundreds] + "百"
    if rest < 10:
        return _DIGITS[hundreds] + "百〇" + _DIGITS[rest]
    tail = chinese_number(rest)
    return _DIGITS[hundreds] + "百" + ("一" + tail if rest < 20 else tail)


def _place_name(index: int, salt: int) -> str:
    """A two-character invented place name, different for each index (and salt)."""
    n = index * 7 + salt * 131
    return _FIRST[n % len(_FIRST)] + _SECOND[(n // len(_FIRST) + index) % len(_SECOND)]


@dataclass
class TerritoryResult:
    townships: int = 0
    villages: int = 0
    groups: int = 0
    work_units: int = 0

    @property
    def created(self) -> int:
        return self.townships + self.villages + self.groups + self.work_units


def groups_needed(persons: float) -> int:
    """Association groups for ``persons`` residents: 20–30 households each."""
    households = persons / PERSONS_PER_HOUSEHOLD
    return max(1, math.ceil(households / HOUSEHOLDS_PER_GROUP))


def _residence_units(root: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(
            path__startswith=root.path,
            unit_type__in=[UnitType.VILLAGE, UnitType.COMMUNITY],
            is_active=True,
        ).order_by("path")
    )


@transaction.atomic
def build_territory(root: Unit, persons: int) -> TerritoryResult:
    """Complete the subtree of ``root`` so that ``persons`` residents fit (see module)."""
    result = TerritoryResult()
    if root.unit_type not in (
        UnitType.COUNTY,
        UnitType.TOWNSHIP,
        UnitType.STREET,
        UnitType.VILLAGE,
        UnitType.COMMUNITY,
    ):
        return result  # a work unit or a group: people go where the subtree says
    if root.unit_type == UnitType.COUNTY:
        _add_work_units(root, result)
        _add_townships(root, persons, result)
    if root.unit_type in (UnitType.TOWNSHIP, UnitType.STREET):
        _add_villages(root, math.ceil(persons / PERSONS_PER_VILLAGE), result)
    villages = (
        [root]
        if root.unit_type in (UnitType.VILLAGE, UnitType.COMMUNITY)
        else _residence_units(root)
    )
    per_village = persons / max(1, len(villages))
    _add_groups(villages, groups_needed(per_village), result)
    if result.created:
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            obj=root,
            changes={
                "townships": result.townships,
                "villages": result.villages,
                "groups": result.groups,
                "work_units": result.work_units,
            },
            message=_("Generated %(n)d units below %(unit)s for a synthetic population of %(p)d.")
            % {"n": result.created, "unit": root.name, "p": persons},
        )
    return result


def _add_work_units(county: Unit, result: TerritoryResult) -> None:
    below = Unit.objects.filter(path__startswith=county.path)
    prefix = county.code[:6]
    wanted = [
        (UnitType.ENTERPRISE, f"KY{prefix}", "煤矿"),
        (UnitType.SCHOOL, f"XX{prefix}", "中学"),
    ]
    for unit_type, code, suffix in wanted:
        if below.filter(unit_type=unit_type).exists() or Unit.objects.filter(code=code).exists():
            continue
        county.refresh_from_db()
        Unit.objects.add_child(
            county, instance=Unit(code=code, name=f"{county.name}{suffix}", unit_type=unit_type)
        )
        result.work_units += 1


def _add_townships(county: Unit, persons: int, result: TerritoryResult) -> None:
    villages_wanted = math.ceil(persons / PERSONS_PER_VILLAGE)
    existing = _residence_units(county)
    missing = villages_wanted - len(existing)
    towns = list(
        Unit.objects.filter(
            path__startswith=county.path,
            depth=county.depth + 1,
            unit_type__in=[UnitType.TOWNSHIP, UnitType.STREET],
        ).order_by("code")
    )
    used = {int(t.code[6:9]) for t in towns if t.code[:6] == county.code[:6]}
    # First fill the townships that have fewer than VILLAGES_PER_TOWNSHIP villages.
    for town in towns:
        if missing <= 0:
            return
        have = _children(town).filter(unit_type__in=[UnitType.VILLAGE, UnitType.COMMUNITY])
        room = max(0, VILLAGES_PER_TOWNSHIP - have.count())
        take = min(room, missing)
        if take:
            _add_villages(town, have.count() + take, result)
            missing -= take
    number = max(used, default=0)
    while missing > 0:
        number += 1
        if number > 999:
            raise ValueError("no township codes left under this county")
        street = number % STREET_EVERY == 2
        name = _place_name(number, 1) + ("街道" if street else "镇")
        county.refresh_from_db()
        town = Unit.objects.add_child(
            county,
            instance=Unit(
                code=f"{county.code[:6]}{number:03d}000",
                name=name,
                unit_type=UnitType.STREET if street else UnitType.TOWNSHIP,
            ),
        )
        result.townships += 1
        take = min(VILLAGES_PER_TOWNSHIP, missing)
        _add_villages(town, take, result)
        missing -= take


def _add_villages(town: Unit, wanted: int, result: TerritoryResult) -> None:
    """Give ``town`` at least ``wanted`` villages (communities under a street)."""
    children = list(_children(town))
    have = [c for c in children if c.unit_type in (UnitType.VILLAGE, UnitType.COMMUNITY)]
    if len(have) >= wanted:
        return
    community = town.unit_type == UnitType.STREET
    used = {int(c.code[9:12]) for c in have if c.code[:9] == town.code[:9] and c.code.isdigit()}
    rows: list[Unit] = []
    step = _last_step(town)
    number = max(used, default=0)
    for _n in range(wanted - len(have)):
        number += 1
        step += 1
        rows.append(
            Unit(
                path=Unit._get_path(town.path, town.depth + 1, step),
                depth=town.depth + 1,
                numchild=0,
                code=f"{town.code[:9]}{number:03d}",
                name=_place_name(number, int(town.code[6:9])) + ("社区" if community else "村"),
                unit_type=UnitType.COMMUNITY if community else UnitType.VILLAGE,
            )
        )
    Unit.objects.bulk_create(rows, batch_size=1000)
    Unit.objects.filter(pk=town.pk).update(numchild=len(children) + len(rows))
    result.villages += len(rows)


def _children(parent: Unit):
    return Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)


def _last_step(parent: Unit) -> int:
    last = (
        Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return Unit._str2int(last[-Unit.steplen :]) if last else 0


def _add_groups(villages: list[Unit], per_village: int, result: TerritoryResult) -> None:
    """Give every village and community at least ``per_village`` association groups."""
    short = [v for v in villages if v.numchild < per_village]
    taken = set(
        Unit.objects.filter(
            Q(*[Q(path__startswith=v.path) for v in short if v.numchild], _connector=Q.OR),
            depth__gt=1,
        ).values_list("code", flat=True)
        if any(v.numchild for v in short)
        else []
    )
    rows: list[Unit] = []
    for village in short:
        step = _last_step(village) if village.numchild else 0
        number = 0
        for _n in range(per_village - village.numchild):
            number += 1
            while f"{village.code}-X{number:02d}" in taken:
                number += 1
            step += 1
            rows.append(
                Unit(
                    path=Unit._get_path(village.path, village.depth + 1, step),
                    depth=village.depth + 1,
                    numchild=0,
                    code=f"{village.code}-X{number:02d}",
                    name=f"{village.name}第{chinese_number(number)}协会小组",
                    unit_type=UnitType.GROUP,
                )
            )
        village.numchild = per_village
    Unit.objects.bulk_create(rows, batch_size=2000)
    Unit.objects.bulk_update(short, ["numchild"], batch_size=1000)
    result.groups += len(rows)


FICTIONAL_COUNTY_CODE = "990200000000"
FICTIONAL_COUNTY_NAME = "虚构县"


def fictional_county() -> Unit:
    """The county a generated population goes into when there is no organisation yet
    (code ``990200000000``: the 99 prefix is no real province)."""
    county = Unit.objects.filter(code=FICTIONAL_COUNTY_CODE).first()
    if county is None:
        county = Unit.objects.add_root(
            instance=Unit(
                code=FICTIONAL_COUNTY_CODE, name=FICTIONAL_COUNTY_NAME, unit_type=UnitType.COUNTY
            )
        )
    return county
