import datetime

import pytest
from django.utils import translation

from jisheng.core import periods
from jisheng.core.periods import Period, add_months, parse, quarter_end, quarter_of, quarter_start

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


# --------------------------------------------------------------------------- month arithmetic
# (from tests/policy/test_deadlines.py: the deadlines use these)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 1, 15), 12, D(2027, 1, 15)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 10), -1, D(2025, 12, 10)),
        (D(2026, 5, 5), 0, D(2026, 5, 5)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("day", "quarter", "start", "end"),
    [
        (D(2026, 1, 1), 1, D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 3, 31), 1, D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), 2, D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 9, 30), 3, D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 12, 31), 4, D(2026, 10, 1), D(2026, 12, 31)),
    ],
)
def test_quarters(day, quarter, start, end):
    assert quarter_of(day) == quarter
    assert quarter_start(day) == start
    assert quarter_end(day) == end


def test_month_start_and_month_end():
    assert periods.month_start(D(2026, 3, 31)) == D(2026, 3, 1)
    assert periods.month_start(D(2026, 3, 31), back=3) == D(2025, 12, 1)
    assert periods.month_start(D(2026, 11, 5), back=-3) == D(2027, 2, 1)
    assert periods.month_end(2028, 2) == D(2028, 2, 29)
    assert periods.clamped(2026, 4, 31) == D(2026, 4, 30)
    assert periods.last_day(2026, 2) == 28


# --------------------------------------------------------------------------- labels, defaults
# (from tests/commodities/test_reports.py and tests/reports/test_dashboard.py)


def test_periods_parse_and_read_in_chinese():
    assert periods.parse_or_current("2026Q3") == periods.Period(periods.QUARTER, 2026, 3)
    assert periods.parse_or_current("", D(2026, 8, 1)).code == "2026Q3"
    # English msgids here; zh-Hans (2026年第三季度 …) comes from the catalogue
    with translation.override("en"):
        assert parse("2026Q3").long_label == "third quarter of 2026"
        assert parse("2026H1").long_label == "first half-year of 2026"
        assert parse("2026-07").long_label == "month 7 of 2026"
        assert parse("2026").long_label == "the year 2026"
    with translation.override("en"), pytest.raises(ValueError, match="is not a period"):
        periods.parse_or_current("2026Q5")
    with pytest.raises(ValueError):
        periods.parse_or_current("last quarter")


def test_labels_in_chinese():
    with translation.override("zh-hans"):
        assert parse("2026Q3").label == "2026年第3季度"
        assert parse("2026Q3").long_label == "2026年第三季度"
        assert parse("2026H2").label == parse("2026H2").long_label == "2026年下半年"
        assert parse("2026-07").label == parse("2026-07").long_label == "2026年7月"
        assert parse("2026").label == parse("2026").long_label == "2026年"
        assert str(parse("2026Q3")) == "2026Q3"


def test_the_current_period_is_the_quarter_of_today():
    today = D(2026, 11, 15)
    assert periods.current(today=today).code == "2026Q4"
    assert periods.current(periods.MONTH, today=today).code == "2026-11"
    assert periods.parse_or_current("", today).code == "2026Q4"
    assert periods.parse_or_current("  ", today, periods.HALF).code == "2026H2"
    assert periods.parse_or_current(" 2026q3 ", today).code == "2026Q3"
    with pytest.raises(periods.PeriodError):
        periods.parse_or_current("2026Q5", today)
    with pytest.raises(periods.PeriodError):
        periods.current("week", today=today)


def test_not_after_and_next_begun():
    today = D(2026, 11, 15)
    current = parse("2026Q4")
    assert periods.not_after(parse("2027Q1"), today) == current
    assert periods.not_after(parse("2027"), today) == parse("2026")
    assert periods.not_after(current, today) == current
    assert periods.not_after(parse("2025-03"), today) == parse("2025-03")
    assert periods.next_begun(current, today) is None  # no stepping past today
    assert periods.next_begun(current.previous(), today) == current
    assert periods.next_begun(parse("2026-10"), today) == parse("2026-11")


# --------------------------------------------------------------------------- next, shift, ranges


@pytest.mark.parametrize(
    ("text", "following"),
    [
        ("2026Q4", "2027Q1"),
        ("2026Q1", "2026Q2"),
        ("2026-12", "2027-01"),
        ("2026-07", "2026-08"),
        ("2026H2", "2027H1"),
        ("2026H1", "2026H2"),
        ("2026", "2027"),
    ],
)
def test_next_is_the_inverse_of_previous(text, following):
    assert parse(text).next() == parse(following)
    assert parse(following).previous() == parse(text)


def test_shift():
    assert parse("2026Q3").shift(0) == parse("2026Q3")
    assert parse("2026Q3").shift(6) == parse("2028Q1")
    assert parse("2026Q3").shift(-11) == parse("2023Q4")
    assert parse("2026-02").shift(-14) == parse("2024-12")
    assert parse("2026H1").shift(-3) == parse("2024H2")


def test_period_range():
    assert [p.code for p in periods.period_range(parse("2025Q3"), parse("2026Q2"))] == [
        "2025Q3",
        "2025Q4",
        "2026Q1",
        "2026Q2",
    ]
    assert periods.period_range(parse("2026-07"), parse("2026-07")) == [parse("2026-07")]
    assert len(periods.period_range(parse("2025-01"), parse("2026-12"))) == 24


def test_period_range_refuses_mixed_kinds_and_reversed_bounds():
    with translation.override("en"), pytest.raises(periods.PeriodError, match="one kind"):
        periods.period_range(parse("2026Q1"), parse("2026-07"))
    with translation.override("en"), pytest.raises(periods.PeriodError, match="before"):
        periods.period_range(parse("2026Q3"), parse("2026Q1"))


# --------------------------------------------------------------------------- bad input


BAD = ["2026Q5", "2026-13", "2026H3", "abc", "2026Q0", "2026-00", ""]


@pytest.mark.parametrize("text", BAD)
def test_bad_input_raises_one_error_with_a_chinese_message(text):
    with translation.override("zh-hans"), pytest.raises(periods.PeriodError) as caught:
        parse(text)
    assert isinstance(caught.value, ValueError)
    assert "不是有效的期间" in str(caught.value)
    assert f"“{text}”" in str(caught.value)


def test_a_year_out_of_range_and_an_unknown_kind_in_chinese():
    with translation.override("zh-hans"), pytest.raises(periods.PeriodError, match="超出范围"):
        parse("1066")
    with (
        translation.override("zh-hans"),
        pytest.raises(periods.PeriodError, match="未知的期间类型"),
    ):
        periods.containing(D(2026, 8, 15), "week")


@pytest.mark.parametrize(
    ("kind", "number"),
    [("quarter", 5), ("quarter", 0), ("month", 13), ("half", 3), ("year", 2), ("week", 1)],
)
def test_a_period_cannot_be_built_out_of_range(kind, number):
    with pytest.raises(periods.PeriodError):
        Period(kind, 2026, number)


@pytest.mark.parametrize("text", ["2026Q5", "2026-13", "2026H3", "abc"])
def test_every_entry_point_refuses_bad_input_with_the_same_error(text):
    """The pages (commodity reports, dashboard: parse_or_current), the assessments and
    the API/command (parse) all read periods through core.periods."""
    from jisheng.indicators import assessment

    for read in (parse, periods.parse_or_current, assessment.parse_period):
        with translation.override("zh-hans"), pytest.raises(periods.PeriodError) as caught:
            read(text)
        assert "不是有效的期间" in str(caught.value)


def test_an_assessment_period_of_the_wrong_kind_is_a_period_error():
    from jisheng.indicators import assessment

    with translation.override("en"), pytest.raises(periods.PeriodError, match="half-yearly"):
        assessment.parse_period("2026Q3")
    assert assessment.parse_period("2026h1") == parse("2026H1")
