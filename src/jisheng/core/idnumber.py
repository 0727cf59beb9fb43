"""Resident ID numbers (公民身份号码, GB 11643): validation, derived facts, masking.

Validation is python-stdnum's ``cn.ric`` (length, digits, checksum, birth date, and the
GB/T 2260 region of the first six digits); this module turns its exceptions into
messages a user can act on and checks the number against a given birth date and sex.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric
from stdnum.util import clean

MALE = "M"
FEMALE = "F"


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F": the 17th digit is odd for men, even for women
    region: str  # the first six digits


def normalise(value: str) -> str:
    """Strip spaces and dashes, upper-case the check character (x → X)."""
    return clean(value or "", " -").strip().upper()


@functools.lru_cache(maxsize=16384)
def region_known(region: str, year: int) -> bool:
    """Whether ``region`` was a GB/T 2260 county code in ``year`` (python-stdnum's list).

    Cached: a bulk import checks 100,000 numbers from a few hundred regions.
    """
    try:
        ric.get_birth_place(f"{region}{year:04d}01010010")
    except (stdnum_errors.ValidationError, KeyError):
        # stdnum raises KeyError for a code whose city is listed but not the county.
        return False
    return True


def parse(value: str, *, today: datetime.date | None = None) -> IdInfo:
    """Validate an 18-character ID number; raise ``ValidationError`` saying what is wrong."""
    number = normalise(value)
    if not number:
        raise ValidationError(_("The ID number is empty."), code="empty")
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)},
            code="length",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="format"
        )
    try:
        birth_date = ric.get_birth_date(number)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Digits 7–14 of the ID number (%(part)s) are not a real date.")
            % {"part": number[6:14]},
            code="birth_date",
        ) from exc
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(
            _("The check character of the ID number is wrong (expected %(digit)s).")
            % {"digit": ric.calc_check_digit(number)},
            code="checksum",
        )
    today = today or timezone.localdate()
    if birth_date > today or birth_date.year < 1880:
        raise ValidationError(
            _("The birth date in the ID number (%(date)s) is impossible.")
            % {"date": birth_date.isoformat()},
            code="birth_date",
        )
    if not region_known(number[:6], birth_date.year):
        raise ValidationError(
            _("The first six digits of the ID number (%(region)s) are not a known region code.")
            % {"region": number[:6]},
            code="region",
        )
    sex = MALE if int(number[16]) % 2 else FEMALE
    return IdInfo(number=number, birth_date=birth_date, sex=sex, region=number[:6])


def check_agrees(info: IdInfo, *, birth_date: datetime.date | None, sex: str | None) -> None:
    """Raise ``ValidationError`` (per field) when the ID disagrees with birth date or sex."""
    errors: dict[str, str] = {}
    if birth_date and birth_date != info.birth_date:
        errors["birth_date"] = _(
            "The birth date %(given)s does not agree with the ID number, which says %(id)s."
        ) % {"given": birth_date.isoformat(), "id": info.birth_date.isoformat()}
    if sex and sex != info.sex:
        errors["sex"] = (
            _("The sex does not agree with the ID number, whose 17th digit says male.")
            if info.sex == MALE
            else _("The sex does not agree with the ID number, whose 17th digit says female.")
        )
    if errors:
        raise ValidationError(errors)


MASK_KEEP = 6


def mask(number: str) -> str:
    """``110105************``: the region (first six digits) and nothing else.

    The region is what the person's unit tells anyway. No digit after the sixth is
    shown, the check character included: digits 7–14 are the birth date, 15–17 the
    sequence (the 17th's parity is the sex) and the check character would cut the
    candidates by 11. With the birth month shown beside it (``people.privacy``) a
    masked number leaves at least 14,000 candidates (SPEC §0 asks for 1,000).
    A text of ten characters or fewer is hidden whole.
    """
    number = normalise(number)
    if len(number) <= 10:
        return "*" * len(number)
    return remask(number)


def remask(masked: str) -> str:
    """A mask, or a number, with everything after the region hidden: ``AAAAAA********BBBB``
    (the mask before issue 13) → ``AAAAAA************``. Needs no key; ``""`` stays."""
    if not masked:
        return masked
    return masked[:MASK_KEEP] + "*" * max(0, len(masked) - MASK_KEEP)
