"""Each shipped logic rule (quality/rules/default.yaml) on hand-built data that breaks it
and on data that does not; the expected figures are worked out by hand below."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jisheng.core.periods import parse
from jisheng.people.models import Person
from jisheng.quality.checks import run_checks
from tests.quality.rules_data import D, birth, due, load_default_rules, method, visit

MARCH = parse("2026-03")


@pytest.fixture
def rules(db):
    load_default_rules()


def _of(violations, key):
    return [v for v in violations if v.rule.key == key]


# --------------------------------------------------------------------------- aggregates


def test_births_by_sex_adds_up(rules, tree, make_person):
    mother = make_person(birth_date=D(1995, 1, 1))
    birth(mother, D(2026, 3, 2), "M")
    birth(mother, D(2026, 3, 2), "F")  # twins: not a short interval
    assert _of(run_checks(unit=tree.county, period=MARCH), "births_by_sex") == []


def test_births_by_sex_breaks_on_a_birth_without_sex(rules, tree, make_person):
    mother = make_person(birth_date=D(1995, 1, 1))
    other = make_person(unit=tree.village_b, birth_date=D(1994, 1, 1))
    birth(mother, D(2026, 3, 2), "M")
    birth(mother, D(2026, 3, 2), "")  # sex missing: 1 + 0 boys and girls, 2 births
    birth(other, D(2026, 3, 9), "F")  # village B adds up: 0 + 1 = 1
    found = _of(run_checks(unit=tree.county, period=MARCH), "births_by_sex")
    # village A (1 ≠ 2), the township (2 ≠ 3), the county (2 ≠ 3); not village B
    assert [(v.unit.code, v.left, v.right) for v in found] == [
        (tree.county.code, 2, 3),
        (tree.town.code, 2, 3),
        (tree.village_a.code, 1, 2),
    ]
    assert (
        found[2].message == "男婴与女婴出生数之和（1）不等于出生总数（2），请核实出生登记的性别。"
    )
    assert found[0].severity == "error" and not found[0].explained


def _married(make_person, **kw):
    return make_person(marital_status="first_marriage", birth_date=D(1990, 1, 1), **kw)


def test_method_users_within_married_women(rules, tree, make_person):
    woman = _married(make_person)
    method(woman, "iud", D(2025, 1, 1))
    found = run_checks(unit=tree.village_a, period=MARCH)
    assert _of(found, "method_users_within_married_wra") == []
    assert _of(found, "methods_by_kind_sum") == []


def test_two_methods_at_once_break_the_rate_and_the_sum(rules, tree, make_person):
    woman = _married(make_person)
    method(woman, "iud", D(2025, 1, 1))
    method(woman, "pill", D(2026, 2, 1))  # a second record still open: 2 methods, 1 woman
    method(woman, "condom", D(2025, 1, 1), ended_on=D(2025, 6, 1))  # ended: not counted
    found = run_checks(unit=tree.village_a, period=MARCH)
    rate = _of(found, "method_users_within_married_wra")
    assert [(v.unit.code, v.left, v.right) for v in rate] == [(tree.village_a.code, 2, 1)]
    kinds = _of(found, "methods_by_kind_sum")
    assert [(v.left, v.right) for v in kinds] == [(2, 1)]  # iud 1 + pill 1 vs 1 woman


def test_visits_done_within_due(rules, tree, make_person):
    woman = make_person()
    due(woman, D(2026, 3, 10))
    visit(woman, D(2026, 3, 9))
    assert _of(run_checks(unit=tree.village_a, period=MARCH), "visits_done_within_due") == []
    visit(woman, D(2026, 3, 20))  # 2 visits, 1 due
    found = _of(run_checks(unit=tree.village_a, period=MARCH), "visits_done_within_due")
    assert [(v.left, v.right, v.severity) for v in found] == [(2, 1, "warning")]


# --------------------------------------------------------------------------- records


def test_short_birth_interval(rules, tree, make_person):
    mother = make_person(name="张红", birth_date=D(1995, 1, 1))
    birth(mother, D(2026, 1, 10))
    late = birth(mother, D(2026, 3, 20))  # 69 days later
    spaced = make_person(name="赵兰", birth_date=D(1994, 1, 1))
    birth(spaced, D(2025, 9, 1))
    birth(spaced, D(2026, 3, 1))  # 181 days later: fine
    twin_mother = make_person(name="钱芳", birth_date=D(1993, 1, 1))
    birth(twin_mother, D(2026, 3, 5))
    birth(twin_mother, D(2026, 3, 6))  # twins born a day apart: fine
    found = _of(run_checks(unit=tree.county, period=MARCH), "short_birth_interval")
    assert [v.record for v in found] == [f"people.birth:{late.pk}"]
    assert found[0].unit == tree.village_a
    assert "69" in found[0].message and "2026年1月10日" in found[0].message


def test_mother_age_out_of_range(rules, tree, make_person):
    young = make_person(name="孙小", birth_date=D(2012, 1, 1))  # 14 on 2026-03-05
    old = make_person(name="周老", birth_date=D(1975, 1, 1))  # 51
    fifty = make_person(name="吴五", birth_date=D(1975, 6, 1))  # 50: fine
    fifteen = make_person(name="郑十", birth_date=D(2011, 3, 5))  # 15 that day: fine
    b_young = birth(young, D(2026, 3, 5))
    b_old = birth(old, D(2026, 3, 5))
    birth(fifty, D(2026, 3, 5))
    birth(fifteen, D(2026, 3, 5))
    found = _of(run_checks(unit=tree.county, period=MARCH), "mother_age_out_of_range")
    assert sorted(v.record for v in found) == sorted(
        [f"people.birth:{b_young.pk}", f"people.birth:{b_old.pk}"]
    )
    messages = {v.record: v.message for v in found}
    assert "14" in messages[f"people.birth:{b_young.pk}"]
    assert "51" in messages[f"people.birth:{b_old.pk}"]


def test_id_number_disagreeing_with_the_record(rules, tree, make_person):
    this_month = parse(timezone.localdate().strftime("%Y-%m"))
    fine = make_person(name="冯一", birth_date=D(1990, 2, 3))
    moved = make_person(name="陈二", birth_date=D(1990, 2, 3))
    swapped = make_person(name="褚三", birth_date=D(1991, 4, 5))
    # records changed after entry (the services refuse a disagreeing number at entry)
    Person.objects.filter(pk=moved.pk).update(birth_date=D(1990, 3, 3))
    Person.objects.filter(pk=swapped.pk).update(sex="M")
    found = _of(run_checks(unit=tree.county, period=this_month), "id_number_disagrees")
    assert sorted(v.record for v in found) == sorted(
        [f"people.person:{moved.pk}", f"people.person:{swapped.pk}"]
    )
    messages = {v.record: v.message for v in found}
    assert "1990年2月3日" in messages[f"people.person:{moved.pk}"]
    assert "1990年3月3日" in messages[f"people.person:{moved.pk}"]
    assert "女" in messages[f"people.person:{swapped.pk}"]
    assert f"people.person:{fine.pk}" not in messages
    # a person not changed within the period is not decrypted again
    last_year = parse(str(timezone.localdate().year - 1))
    assert _of(run_checks(unit=tree.county, period=last_year), "id_number_disagrees") == []


def test_likely_duplicate_persons(rules, tree, make_person):
    a = make_person(name="王芳", birth_date=D(1990, 5, 17))
    b = make_person(unit=tree.village_b, name="王芳", birth_date=D(1990, 5, 17))
    make_person(name="王芳", birth_date=D(1990, 5, 18))  # another birth date
    make_person(name="王方", birth_date=D(1988, 1, 1))
    found = _of(run_checks(unit=tree.county, period=MARCH), "likely_duplicate_person")
    assert sorted(v.record for v in found) == sorted(
        [f"people.person:{a.pk}", f"people.person:{b.pk}"]
    )
    assert {v.severity for v in found} == {"warning"}
    # run for village A alone: one 王芳 born that day there, no duplicate inside it
    alone = _of(run_checks(unit=tree.village_a, period=MARCH), "likely_duplicate_person")
    assert alone == []


def test_rules_apply_to_their_period_kinds(rules, tree, make_person):
    mother = make_person(birth_date=D(1995, 1, 1))
    birth(mother, D(2026, 3, 2), "")
    assert _of(run_checks(unit=tree.county, period=parse("2026Q1")), "births_by_sex")
    from jisheng.quality.models import LogicRule

    LogicRule.objects.filter(key="births_by_sex").update(periods=["year"])
    assert _of(run_checks(unit=tree.county, period=parse("2026Q1")), "births_by_sex") == []
    assert _of(run_checks(unit=tree.county, period=parse("2026")), "births_by_sex")


def test_no_message_calls_a_person_concealing(rules):
    """§0: results flag records for checking; no rule labels a person."""
    from jisheng.quality.models import LogicRule

    text = " ".join(f"{r.name} {r.message}" for r in LogicRule.objects.all())
    for word in ("瞒报", "隐瞒", "违法", "违规生育", "处罚", "罚款", "超生", "concealing"):
        assert word not in text
    assert "核实" in text


def test_timezone_window_is_whole_days():
    from jisheng.quality.checks_records import _period_window

    start, end = _period_window(MARCH)
    assert end - start == datetime.timedelta(days=31)
