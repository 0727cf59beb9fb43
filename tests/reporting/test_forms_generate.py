"""Issue 15, report forms: every shipped form's cells on hand-built data (figures derived
by hand below), empty units, a move on the period's last day, a correction, a unit
without children, the records behind each cell, build_all and the deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.core.periods import parse
from jisheng.core.registry import registry
from jisheng.people.choices import EventKind, PregnancyOutcome
from jisheng.people.events import event_correct, event_record
from jisheng.people.models import Birth, LifeEvent, Pregnancy
from jisheng.people.services import person_register
from jisheng.policy.choices import Method
from jisheng.reporting import selectors_statforms
from jisheng.services.models import ContraceptionRecord

D = dt.date
MARCH = parse("2026-03")

SHIPPED = ("info_report", "births", "operations", "floating", "population_year")
COMMODITY = ("commodity_methods", "commodity_users", "commodity_effect", "commodity_stock")


def cells(form, unit=None):
    for row in form.rows:
        if (row.unit.pk if row.unit is not None else None) == (unit.pk if unit else None):
            return row.cells
    raise AssertionError("no such row")


def test_every_form_is_registered_with_its_frequency():
    specs = registry["statforms"]
    for key in (*SHIPPED, *COMMODITY):
        assert key in specs, key
    assert specs["info_report"].frequency == "month"
    assert specs["population_year"].frequency == "year"
    assert specs["info_report"].source == "reporting"
    assert specs["commodity_stock"].source == "commodities"


def test_empty_units_show_zeros_and_every_form_builds(tree):
    for key in (*SHIPPED, *COMMODITY):
        spec = registry["statforms"][key]
        period = parse("2026") if spec.frequency == "year" else MARCH
        form = spec.build(tree.town, period)
        assert form.key == key
        assert [r.unit for r in form.rows] == [tree.village_a, tree.village_b, None]
        if key.startswith("commodity"):
            continue
        for row in form.rows:
            assert set(row.cells) == {k for k, _label in form.columns}
            assert all(v == 0 for v in row.cells.values()), (key, row.cells)


@pytest.fixture
def info_data(tree, make_person):
    """Village A: a marriage on 5 March, a death on 10 March corrected away, an
    out-migration on 1 April; village B: a move out on 31 March (the last day)."""
    a1 = make_person(name="甲一")
    a2 = make_person(name="甲二")
    b1 = make_person(tree.village_b, name="乙一")
    marriage = event_record(actor=None, person=a1, kind=EventKind.MARRIAGE, date=D(2026, 3, 5))
    death = event_record(actor=None, person=a2, kind=EventKind.DEATH, date=D(2026, 3, 10))
    event_correct(actor=None, event=death, reason="录入错误")
    event_record(actor=None, person=a1, kind=EventKind.FLOW_OUT, date=D(2026, 4, 1))
    move = event_record(
        actor=None, person=b1, kind=EventKind.MOVE_OUT, date=D(2026, 3, 31), data={"to": "外省"}
    )
    return marriage, move


def test_info_report_cells(tree, info_data):
    marriage, move = info_data
    form = selectors_statforms.build("info_report", tree.town, MARCH)
    a, b, total = cells(form, tree.village_a), cells(form, tree.village_b), cells(form)
    assert a["marriage"] == 1 and a["death"] == 0 and a["flow_out"] == 0 and a["total"] == 1
    assert b["move_out"] == 1 and b["total"] == 1
    assert total["marriage"] == 1 and total["move_out"] == 1 and total["death"] == 0
    assert total["total"] == 2
    assert form.records[(tree.village_a.pk, "marriage")] == [f"people.lifeevent:{marriage.pk}"]
    assert form.records[(None, "move_out")] == [f"people.lifeevent:{move.pk}"]
    assert (tree.village_a.pk, "death") not in form.records
    # April: the out-migration
    april = selectors_statforms.build("info_report", tree.town, parse("2026-04"))
    assert cells(april, tree.village_a)["flow_out"] == 1
    assert cells(april, tree.village_b)["move_out"] == 0


def test_a_unit_without_children_is_its_own_row(tree, info_data):
    form = selectors_statforms.build("info_report", tree.village_b, MARCH)
    assert [r.unit for r in form.rows] == [tree.village_b, None]
    assert cells(form, tree.village_b)["move_out"] == 1 == cells(form)["move_out"]


def test_build_all_rolls_up_every_unit(tree, info_data):
    figures = selectors_statforms.build_all("info_report", tree.county, MARCH)
    assert set(figures) == {
        u.pk
        for u in (
            tree.county,
            tree.town,
            tree.village_a,
            tree.village_b,
            tree.street,
            tree.community,
            tree.mine,
            tree.shaft,
        )
    }
    assert figures[tree.village_a.pk]["marriage"] == 1
    assert figures[tree.village_b.pk]["move_out"] == 1
    assert figures[tree.town.pk]["total"] == 2 == figures[tree.county.pk]["total"]
    assert figures[tree.street.pk]["total"] == 0
    # the same figures as the form's rows
    form = selectors_statforms.build("info_report", tree.town, MARCH)
    for row in form.rows:
        unit = row.unit or tree.town
        assert figures[unit.pk] == row.cells


@pytest.fixture
def births_data(tree, make_person):
    m1 = make_person(name="母一", birth_date=D(1990, 5, 17))  # 35 on 10 March 2026
    m2 = make_person(name="母二", birth_date=D(2004, 3, 31))  # 22 on 31 March 2026
    m3 = make_person(tree.village_b, name="母三", birth_date=D(2006, 4, 1))  # 19 on 31 March
    rows = [
        Birth.objects.create(
            unit=tree.village_a, mother=m1, date=D(2026, 3, 10), sex="M", computed_order=1
        ),
        Birth.objects.create(
            unit=tree.village_a,
            mother=m2,
            date=D(2026, 3, 31),
            sex="F",
            computed_order=1,
            order_override=3,
            within_policy=False,
        ),
        Birth.objects.create(
            unit=tree.village_b, mother=m3, date=D(2026, 3, 31), sex="F", computed_order=2
        ),
        # February: not counted
        Birth.objects.create(
            unit=tree.village_b, mother=m3, date=D(2026, 2, 28), sex="M", computed_order=1
        ),
    ]
    return rows


def test_births_cells(tree, births_data):
    form = selectors_statforms.build("births", tree.town, MARCH)
    a, b, total = cells(form, tree.village_a), cells(form, tree.village_b), cells(form)
    assert (a["first_m"], a["third_f"], a["first_f"], a["second_f"]) == (1, 1, 0, 0)
    assert (a["male"], a["female"], a["total"]) == (1, 1, 2)
    assert (a["age_35_39"], a["age_20_24"], a["age_under_20"]) == (1, 1, 0)
    assert (a["within_policy"], a["outside_policy"]) == (1, 1)
    assert (b["second_f"], b["age_under_20"], b["within_policy"], b["total"]) == (1, 1, 1, 1)
    assert (total["female"], total["male"], total["total"]) == (2, 1, 3)
    assert total["age_40_plus"] == 0
    assert form.records[(tree.village_b.pk, "second_f")] == [f"people.birth:{births_data[2].pk}"]
    # a sum column's records are its terms' records
    assert len(form.records[(None, "total")]) == 3


def test_operations_cells(tree, make_person):
    w = make_person(name="服务对象")
    iud = ContraceptionRecord.objects.create(
        person=w, unit=tree.village_a, method=Method.IUD, started_on=D(2026, 3, 2)
    )
    ContraceptionRecord.objects.create(
        person=w,
        unit=tree.village_a,
        method=Method.IUD,
        started_on=D(2024, 1, 1),
        ended_on=D(2026, 3, 31),
    )
    ContraceptionRecord.objects.create(
        person=w,
        unit=tree.village_b,
        method=Method.IMPLANT,
        started_on=D(2026, 3, 3),
        voided_at=dt.datetime(2026, 3, 4, tzinfo=dt.UTC),
    )
    ContraceptionRecord.objects.create(
        person=w, unit=tree.village_b, method=Method.FEMALE_STERILISATION, started_on=D(2026, 3, 9)
    )
    ContraceptionRecord.objects.create(
        person=w, unit=tree.village_b, method=Method.PILL, started_on=D(2026, 3, 9)
    )
    Pregnancy.objects.create(
        unit=tree.village_b,
        woman=w,
        registered_on=D(2026, 1, 5),
        outcome=PregnancyOutcome.ABORTION,
        outcome_on=D(2026, 3, 15),
    )
    Pregnancy.objects.create(
        unit=tree.village_b,
        woman=w,
        registered_on=D(2025, 9, 5),
        outcome=PregnancyOutcome.INDUCED_LABOUR,
        outcome_on=D(2026, 2, 28),
    )
    form = selectors_statforms.build("operations", tree.town, MARCH)
    a, b, total = cells(form, tree.village_a), cells(form, tree.village_b), cells(form)
    assert (a["iud_insertion"], a["iud_removal"], a["total"]) == (1, 1, 2)
    assert (b["implant"], b["female_sterilisation"], b["abortion"], b["induced_labour"]) == (
        0,
        1,
        1,
        0,
    )
    assert b["total"] == 2 and total["total"] == 4
    assert form.records[(tree.village_a.pk, "iud_insertion")] == [
        f"services.contraceptionrecord:{iud.pk}"
    ]


def test_floating_cells(tree, make_person):
    make_person(name="流入一", status="in_migrant", registered_on=D(2026, 3, 3))
    make_person(
        tree.village_b, name="流入男", sex="M", status="in_migrant", birth_date=D(1980, 1, 1)
    )
    leaver = make_person(name="外出", registered_on=D(2020, 1, 1))
    event_record(actor=None, person=leaver, kind=EventKind.FLOW_OUT, date=D(2026, 3, 31))
    form = selectors_statforms.build("floating", tree.town, MARCH)
    a, b, total = cells(form, tree.village_a), cells(form, tree.village_b), cells(form)
    # village A: the in-migrant woman; the woman who left on the last day is away at the end
    assert (a["in_migrants"], a["in_migrant_wra"], a["out_migrants"], a["departures"]) == (
        1,
        1,
        1,
        1,
    )
    # village B: a man (not a woman aged 15–49); registered before March, no arrival event
    assert (b["in_migrants"], b["in_migrant_wra"], b["arrivals"]) == (1, 0, 0)
    assert (total["in_migrants"], total["out_migrants"]) == (2, 1)


def test_population_year_balances(tree, make_person):
    mother = make_person(name="母亲", registered_on=D(2020, 1, 1))
    dies = make_person(name="去世", birth_date=D(1940, 2, 2), registered_on=D(2020, 1, 1))
    leaves = make_person(name="迁走", registered_on=D(2020, 1, 1))
    event_record(actor=None, person=dies, kind=EventKind.DEATH, date=D(2025, 6, 1))
    event_record(
        actor=None,
        person=leaves,
        kind=EventKind.MOVE_OUT,
        date=D(2025, 12, 31),
        data={"to": "市区"},
    )
    child = person_register(
        actor=None,
        name="新生儿",
        sex="M",
        birth_date=D(2025, 5, 1),
        unit=tree.village_a,
        registered_on=D(2025, 5, 1),
        id_status="newborn",
    )
    Birth.objects.create(
        unit=tree.village_a,
        mother=mother,
        child=child,
        date=D(2025, 5, 1),
        sex="M",
        computed_order=1,
    )
    form = selectors_statforms.build("population_year", tree.town, parse("2025"))
    a = cells(form, tree.village_a)
    # start 3; +1 birth −1 death −1 moved out (on the last day) = 2 at the end
    assert (a["start"], a["births"], a["deaths"], a["moved_in"], a["moved_out"], a["end"]) == (
        3,
        1,
        1,
        0,
        1,
        2,
    )
    assert a["balance"] == 0 and cells(form)["balance"] == 0
    # the balance names no records (it is a difference)
    assert (tree.village_a.pk, "balance") not in form.records


def test_deadlines_from_the_pack(tree):
    specs = registry["statforms"]
    # default-2026: monthly_statistics on the 3rd, annual_statistics on 15 January
    assert specs["info_report"].deadline(tree.town, MARCH) == D(2026, 4, 3)
    assert specs["population_year"].deadline(tree.town, parse("2026")) == D(2027, 1, 15)
    # the commodity forms: monthly_report is not in the default pack → the 5th
    assert specs["commodity_users"].deadline(tree.town, MARCH) == D(2026, 4, 5)


def test_deadline_falls_back_without_a_pack(tree, monkeypatch):
    from jisheng.policy import selectors

    monkeypatch.setattr(selectors, "pack_in_force", lambda unit, on=None: None)
    assert registry["statforms"]["info_report"].deadline(tree.town, MARCH) == D(2026, 4, 3)
    assert registry["statforms"]["population_year"].deadline(tree.town, parse("2026")) == D(
        2027, 1, 15
    )


def test_events_of_other_kinds_do_not_count(tree, make_person):
    p = make_person()
    event_record(actor=None, person=p, kind=EventKind.MARRIAGE, date=D(2026, 3, 5))
    event_record(actor=None, person=p, kind=EventKind.DIVORCE, date=D(2026, 3, 20))
    form = selectors_statforms.build("info_report", tree.town, MARCH)
    assert cells(form)["total"] == 1
    assert LifeEvent.objects.filter(kind=EventKind.DIVORCE).count() == 1


def test_counts_without_records_are_the_same(tree, info_data, births_data):
    for key in ("info_report", "births"):
        full = selectors_statforms.build(key, tree.town, MARCH)
        counts = selectors_statforms.build(key, tree.town, MARCH, with_records=False)
        assert [r.cells for r in counts.rows] == [r.cells for r in full.rows]
        assert counts.records == {}
    cell = selectors_statforms.cell_records("births", tree.town, MARCH, "male")
    assert [k for k, _label in cell.columns] == ["first_m", "second_m", "third_m", "male"]
    assert cell.records[(None, "male")] == [f"people.birth:{births_data[0].pk}"]
