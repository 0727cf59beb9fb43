"""``information_accuracy`` 信息准确率 on hand-built data: records checked within the
period, counted for the record's unit (the person's residence unit at the draw)."""

from __future__ import annotations

import datetime

import pytest

from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.reports.models import VerificationRecord
from tests.reports.test_verification import by_person, draw, enter, ledger  # noqa: F401

D = datetime.date
INDICATOR = "information_accuracy"


def values(root, period, level=engine.CHILDREN):
    rows = engine.compute(catalogue.select([INDICATOR]), root, period, level)
    return {r.unit.code: r.values[INDICATOR] for r in rows}


def dated(record, day):
    """Move a check to ``day`` (the service only takes dates up to today)."""
    VerificationRecord.objects.filter(pk=record.pk).update(checked_on=day)


@pytest.fixture
def checked(ledger, tree):  # noqa: F811
    """a1 accurate and a2 not, checked in July 2026; a3 accurate, checked in October;
    b1 accurate in July; the rest not checked."""
    check = draw(tree, size=6)
    rows = by_person(check)
    for person, day, change in (
        (ledger.a1, D(2026, 7, 10), {}),
        (ledger.a2, D(2026, 7, 31), {"method": "none"}),
        (ledger.a3, D(2026, 10, 1), {}),
        (ledger.b1, D(2026, 7, 1), {}),
    ):
        dated(enter(rows[person.pk], **change), day)
    return check


def test_definition_is_in_the_catalogue():
    indicator = catalogue.get(INDICATOR)
    assert (indicator.name_zh, indicator.unit, indicator.semantics) == (
        "信息准确率",
        "%",
        engine.WITHIN,
    )
    assert "核查" in indicator.definition_zh


def test_records_checked_within_the_period(checked, ledger, tree):  # noqa: F811
    q3 = values(tree.town, parse("2026Q3"))
    a = q3[ledger.a.code]
    assert (a.numerator, a.denominator, a.value) == (1, 2, 50.0)  # a1 yes, a2 no; a3 in Q4
    b = q3[ledger.b.code]
    assert (b.numerator, b.denominator, b.value) == (1, 1, 100.0)
    town = values(tree.town, parse("2026Q3"), engine.SELF)[tree.town.code]
    assert (town.numerator, town.denominator) == (2, 3)
    assert town.value == pytest.approx(200 / 3)
    # the period's first and last day count; the day after does not
    jul = values(tree.town, parse("2026-07"))
    assert (jul[ledger.a.code].denominator, jul[ledger.b.code].denominator) == (2, 1)
    oct_ = values(tree.town, parse("2026-10"))[ledger.a.code]
    assert (oct_.numerator, oct_.denominator) == (1, 1)


def test_no_record_checked_is_undefined(checked, ledger, tree):  # noqa: F811
    empty = values(tree.town, parse("2026-08"))
    assert empty[ledger.a.code].value is None
    assert empty[ledger.a.code].display() == "—"
    street = values(tree.county, parse("2026Q3"))[tree.street.code]
    assert (street.value, street.denominator) == (None, 0)


def test_a_move_mid_period_keeps_the_record_in_the_unit_of_the_draw(checked, ledger, tree):  # noqa: F811
    people_services.event_record(
        actor=None,
        person=ledger.a1,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 8, 15),
        data={"unit": ledger.b},
    )
    q3 = values(tree.town, parse("2026Q3"))
    assert (q3[ledger.a.code].numerator, q3[ledger.a.code].denominator) == (1, 2)
    assert q3[ledger.b.code].denominator == 1


def test_the_tree_and_the_naive_engine_agree(checked, ledger, tree):  # noqa: F811
    period = parse("2026Q3")
    indicators = catalogue.select([INDICATOR])
    tree_values = {
        r.unit.code: r.values[INDICATOR].as_dict()
        for r in engine.compute_tree(indicators, tree.county, period)
    }
    naive = {
        r.unit.code: r.values[INDICATOR].as_dict()
        for r in engine.compute_naive(indicators, tree.town, period)
    }
    for code, value in naive.items():
        assert tree_values[code] == value
    assert tree_values[tree.county.code]["denominator"] == 3


def test_persons_behind_the_figure(checked, ledger, tree):  # noqa: F811
    indicator = catalogue.get(INDICATOR)
    period = parse("2026Q3")
    numerator = set(engine.persons_behind(indicator, "numerator", ledger.a, period))
    denominator = set(engine.persons_behind(indicator, "denominator", ledger.a, period))
    assert numerator == {ledger.a1}
    assert denominator == {ledger.a1, ledger.a2}
