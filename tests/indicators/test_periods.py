import datetime

import pytest
from django.utils import translation

from jisheng.indicators import periods
from jisheng.indicators.periods import Period, parse

D = datetime.date


@pytest.mark.parametrize(
    ("text", "first", "last", "code"),
    [
        ("2026-07", D(2026, 7, 1), D(2026, 7, 31), "2026-07"),
        ("2026-7", D(2026, 7, 1), D(2026, 7, 31), "2026-07"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
        ("2026Q3", D(2026, 7, 1), D(2026, 9, 30), "2026Q3"),
        (" 2026q1 ", D(2026, 1, 1), D(2026, 3, 31), "2026Q1"),
        ("2026H2", D(2026, 7, 1), D(2026, 12, 31), "2026H2"),
        ("2026h1", D(2026, 1, 1), D(2026, 6, 30), "2026H1"),
        ("2026", D(2026, 1, 1), D(2026, 12, 31), "2026"),
    ],
)
def test_parse(text, first, last, code):
    period = parse(text)
    assert (period.first, period.last, period.code) == (first, last, code)
    assert parse(period.code) == period


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "2026Q5",
        "2026Q0",
        "2026-13",
        "2026-00",
        "2026H3",
        "26Q1",
        "2026-Q3",
        "abc",
        "2026/07",
        "20261",
        "2026Q3x",
    ],
)
def test_parse_rejects_bad_text(text):
    with translation.override("en"), pytest.raises(ValueError, match="is not a period"):
        parse(text)


def test_parse_rejects_year_out_of_range():
    with translation.override("en"), pytest.raises(ValueError, match="out of range"):
        parse("1066")


def test_labels():
    with translation.override("en"):
        assert parse("2026Q3").label == "2026 Q3"
        assert parse("2026H1").label == "first half of 2026"
        assert parse("2026").label == "year 2026"
        assert parse("2026-07").label == "2026-07"


def test_previous():
    assert parse("2026Q1").previous() == parse("2025Q4")
    assert parse("2026Q3").previous() == parse("2026Q2")
    assert parse("2026-01").previous() == parse("2025-12")
    assert parse("2026H1").previous() == parse("2025H2")
    assert parse("2026").previous() == parse("2025")
    assert parse("2026Q3").same_last_year() == parse("2025Q3")


def test_months_before():
    months = parse("2026Q3").months_before()
    assert [m.code for m in months][:2] == ["2025-10", "2025-11"]
    assert months[-1].code == "2026-09"
    assert len(months) == 12
    assert [m.code for m in parse("2026-02").months_before(3)] == ["2025-12", "2026-01", "2026-02"]
    assert [m.code for m in parse("2026Q3").months()] == ["2026-07", "2026-08", "2026-09"]


def test_containing_and_days():
    assert periods.containing(D(2026, 8, 15), periods.QUARTER) == Period("quarter", 2026, 3)
    assert periods.containing(D(2026, 8, 15)).code == "2026-08"
    assert periods.containing(D(2026, 8, 15), periods.HALF).code == "2026H2"
    assert parse("2024").days == 366
    assert parse("2026Q3").contains(D(2026, 9, 30))
    assert not parse("2026Q3").contains(D(2026, 10, 1))
    with pytest.raises(ValueError):
        periods.containing(D(2026, 8, 15), "week")
