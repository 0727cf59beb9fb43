"""Leave arithmetic across the 2025 Spring Festival: holiday 28 January – 4 February,
make-up working days Sunday 26 January and Saturday 8 February (chinesecalendar)."""

import datetime

import pytest

from jisheng.leave.calendar import CalendarUnknown, days_between, end_date, is_workday

D = datetime.date


def test_the_library_knows_the_2025_spring_festival():
    assert is_workday(D(2025, 1, 26))  # Sunday, make-up working day
    assert not is_workday(D(2025, 1, 28)) and not is_workday(D(2025, 2, 4))
    assert is_workday(D(2025, 2, 8))  # Saturday, make-up working day
    assert not is_workday(D(2025, 2, 9))  # an ordinary Sunday


def test_working_days_skip_the_holiday_and_count_the_make_up_days():
    # Fri 24 Jan, (Sat 25 off), Sun 26 (make-up), Mon 27, then the holiday until 4 Feb,
    # Wed 5 Feb … so 3 working days from 24 Jan end on Mon 27 Jan
    assert end_date(D(2025, 1, 24), 3, "working") == D(2025, 1, 27)
    # 4 working days: the holiday is skipped, the 4th is Wed 5 Feb
    assert end_date(D(2025, 1, 24), 4, "working") == D(2025, 2, 5)
    # from the first day of the holiday: Wed 5, Thu 6, Fri 7 Feb
    assert end_date(D(2025, 1, 28), 3, "working") == D(2025, 2, 7)
    # 4: the make-up Saturday 8 February counts
    assert end_date(D(2025, 1, 28), 4, "working") == D(2025, 2, 8)


def test_calendar_days_count_every_day_holiday_or_not():
    assert end_date(D(2025, 1, 24), 3, "calendar") == D(2025, 1, 26)
    assert end_date(D(2025, 1, 20), 98, "calendar") == D(2025, 4, 27)
    assert days_between(D(2025, 1, 24), D(2025, 2, 8), "calendar") == 16


def test_days_between_is_the_inverse_of_end_date():
    # Fri 24, Sun 26 (make-up), Mon 27, Wed 5, Thu 6, Fri 7, Sat 8 (make-up)
    assert days_between(D(2025, 1, 24), D(2025, 2, 8), "working") == 7
    for start in (D(2025, 1, 20), D(2025, 1, 26), D(2025, 1, 30)):
        for days in (1, 3, 10):
            for count in ("calendar", "working"):
                assert days_between(start, end_date(start, days, count), count) == days
    assert days_between(D(2025, 2, 8), D(2025, 2, 1), "working") == 0


def test_a_year_the_library_does_not_know_is_a_clear_chinese_error():
    with pytest.raises(CalendarUnknown) as info:
        end_date(D(2099, 3, 2), 3, "working")
    assert "2099 年的法定节假日尚未公布" in info.value.messages[0]
    # calendar days need no holiday data
    assert end_date(D(2099, 3, 2), 3, "calendar") == D(2099, 3, 4)


def test_a_leave_has_at_least_one_day():
    with pytest.raises(Exception, match="至少"):
        end_date(D(2025, 1, 2), 0, "calendar")
