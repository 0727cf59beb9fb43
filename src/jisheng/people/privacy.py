"""What of a person's birth date a reader may see (SPEC §0: at least 1,000 candidates).

An ID number is region (6 digits) + birth date (8) + sequence (3, the last one's parity
is the sex) + check character. The mask (:func:`jisheng.core.idnumber.mask`) shows the
region only, which the person's unit tells anyway. With region, the exact birth date and
the sex only 500 sequences remain, so a reader without ``people.view_full_id`` sees the
birth date as year and month (``1990年5月``, API ``birth_month`` ``"1990-05"``): at least
28 × 500 = 14,000 candidates. Ages shown to such a reader are counted from the month
(:func:`age_by_month`), so that an age changing on the birthday cannot tell the day.
Readers allowed to see full ID numbers keep the full date and the exact age.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from jisheng.people.selectors import age_on

FULL_BIRTH_PERM = "people.view_full_id"

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-\d{2}$")


def sees_full_birth(user: Any) -> bool:
    """Whether ``user`` may see exact birth dates (the readers of full ID numbers)."""
    has_perm = getattr(user, "has_perm", None)
    return bool(has_perm and has_perm(FULL_BIRTH_PERM))


def birth_month(value: datetime.date | None) -> str:
    """``1990-05``: the year and month of a birth date (``""`` for none)."""
    return f"{value.year:04d}-{value.month:02d}" if value else ""


def birth_month_cn(value: datetime.date | None) -> str:
    """``1990年5月`` (no leading zero), as pages show a restricted birth date."""
    return f"{value.year}年{value.month}月" if value else ""


def month_of_iso(value: Any) -> Any:
    """An ISO date string ``1990-05-17`` as ``1990-05``; anything else unchanged."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return birth_month(value)
    if isinstance(value, str):
        match = _ISO_DATE.match(value)
        if match:
            return f"{match.group(1)}-{match.group(2)}"
    return value


def age_by_month(birth_date: datetime.date, day: datetime.date) -> int:
    """Whole years on ``day`` counted from the birth month: a year is complete from the
    first day of the birth month on. Equal to the exact age except in the birth month
    before the birthday (one more); it depends on the year and month only."""
    return day.year - birth_date.year - (day.month < birth_date.month)


def shown_age(birth_date: datetime.date, day: datetime.date, *, full: bool) -> int:
    return age_on(birth_date, day) if full else age_by_month(birth_date, day)


def shown_birth(
    birth_date: datetime.date | None, *, full: bool, fmt: str = "iso"
) -> datetime.date | str:
    """The birth date as a reader sees it: the date itself (``full``), else ``1990年5月``
    on pages (``fmt="cn"`` or ``"iso"``) or ``1990-05`` in workbooks (``fmt="month"``)."""
    if birth_date is None:
        return ""
    if full:
        return birth_date
    return birth_month(birth_date) if fmt == "month" else birth_month_cn(birth_date)
