"""orgs.synthetic: a territory sized for a generated population."""

import pytest

from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.orgs.synthetic import (
    PERSONS_PER_VILLAGE,
    build_territory,
    chinese_number,
    fictional_county,
    groups_needed,
)
from jisheng.orgs.validators import validate_unit_code


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"),
     (100, "一百"), (105, "一百〇五"), (110, "一百一十"), (123, "一百二十三")],
)  # fmt: skip
def test_chinese_number(n, text):
    assert chinese_number(n) == text


def test_groups_hold_20_to_30_households():
    for persons in (500, 2000, 2900, 7000):
        groups = groups_needed(persons)
        households = persons / 2.35
        assert 20 <= households / groups <= 30


def children(unit: Unit):
    return Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)


def _tree_is_consistent(root: Unit) -> None:
    units = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
    by_path = {u.path: u for u in units}
    for unit in units:
        children = [u for u in units if u.depth == unit.depth + 1 and u.path.startswith(unit.path)]
        assert unit.numchild == len(children), unit.code
        if unit.depth > root.depth:
            assert unit.path[: -Unit.steplen] in by_path, unit.code
    assert len({u.code for u in units}) == len(units)
    # treebeard agrees with the paths written in bulk
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_a_county_is_built_to_size(db):
    county = fictional_county()
    persons = 60_000
    result = build_territory(county, persons)
    county.refresh_from_db()
    villages = Unit.objects.filter(
        path__startswith=county.path, unit_type__in=[UnitType.VILLAGE, UnitType.COMMUNITY]
    )
    assert villages.count() == persons // PERSONS_PER_VILLAGE == result.villages
    towns = Unit.objects.filter(
        path__startswith=county.path, unit_type__in=[UnitType.TOWNSHIP, UnitType.STREET]
    )
    assert towns.count() == result.townships >= 2
    assert towns.filter(unit_type=UnitType.STREET).exists()
    assert villages.filter(unit_type=UnitType.COMMUNITY).exists()
    for village in villages:
        assert village.numchild == groups_needed(PERSONS_PER_VILLAGE)
        assert all(
            g.unit_type == UnitType.GROUP
            for g in Unit.objects.filter(path__startswith=village.path, depth=village.depth + 1)
        )
    assert Unit.objects.filter(path__startswith=county.path, unit_type=UnitType.GROUP).count() == (
        result.groups
    )
    assert result.work_units == 2  # a mine and a school
    assert {u.unit_type for u in Unit.objects.filter(path__startswith=county.path, depth=2)} >= {
        UnitType.ENTERPRISE,
        UnitType.SCHOOL,
    }
    for unit in Unit.objects.filter(path__startswith=county.path).exclude(
        unit_type__in=[UnitType.GROUP, UnitType.ENTERPRISE, UnitType.SCHOOL]
    ):
        parent = Unit.objects.get_parent(unit)
        if parent is None:
            validate_unit_code(unit.code, unit.unit_type)
        else:
            validate_unit_code(unit.code, unit.unit_type, parent.code, parent.unit_type)
    _tree_is_consistent(county)


def test_building_again_creates_nothing(db):
    from jisheng.core.models import AuditEvent

    county = fictional_county()
    build_territory(county, 10_000)
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="orgs.unit", object_id=str(county.pk)
        ).count()
        == 1
    )
    before = Unit.objects.count()
    assert build_territory(Unit.objects.get(pk=county.pk), 10_000).created == 0
    assert Unit.objects.count() == before
    assert fictional_county() == county
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="orgs.unit", object_id=str(county.pk)
        ).count()
        == 1
    )


def test_an_existing_tree_is_completed_not_changed(tree):
    names = dict(Unit.objects.values_list("code", "name"))
    result = build_territory(tree.county, 3000)
    for code, name in names.items():
        assert Unit.objects.get(code=code).name == name
    assert result.created > 0
    assert children(tree.village_a).filter(unit_type=UnitType.GROUP).count() >= 2
    _tree_is_consistent(tree.county)


def test_a_village_gets_groups_only(tree):
    result = build_territory(tree.village_b, 700)
    assert (result.townships, result.villages, result.work_units) == (0, 0, 0)
    assert children(tree.village_b).count() == groups_needed(700)
    codes = sorted(children(tree.village_b).values_list("code", flat=True))
    assert codes[0] == f"{tree.village_b.code}-X01"


def test_a_work_unit_is_left_alone(tree):
    assert build_territory(tree.mine, 5000).created == 0
