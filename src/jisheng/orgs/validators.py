"""Organisation codes: 12-digit statistical division codes for territorial units."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jisheng.orgs.choices import TERRITORIAL_CODE_DIGITS

FREE_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


def is_territorial(unit_type: str) -> bool:
    return unit_type in TERRITORIAL_CODE_DIGITS


def validate_unit_code(
    code: str, unit_type: str, parent_code: str = "", parent_type: str = ""
) -> None:
    """Raise ``ValidationError`` (on field ``code``) if ``code`` does not fit its type/parent.

    Territorial codes are 12 digits; the digits below the unit's level are zeros, its own
    level's digits are not all zero, and they start with the parent's significant digits
    when the parent is territorial too.
    """
    if not code:
        raise ValidationError({"code": _("The code is required.")})
    if not is_territorial(unit_type):
        if not FREE_CODE_RE.match(code):
            raise ValidationError(
                {"code": _("A work-unit code has 1–32 letters, digits, '.', '_' or '-'.")}
            )
        return
    if len(code) != 12:
        raise ValidationError(
            {
                "code": _("A territorial unit code must have 12 digits; this one has %(n)d.")
                % {"n": len(code)}
            }
        )
    if not code.isdigit():
        raise ValidationError({"code": _("A territorial unit code may contain digits only.")})
    digits = TERRITORIAL_CODE_DIGITS[unit_type]
    if code[digits:].strip("0"):
        raise ValidationError(
            {
                "code": _("For this unit type only the first %(d)d digits may be non-zero.")
                % {"d": digits}
            }
        )
    own_segment = code[digits - 3 : digits] if digits > 6 else code[:6]
    if not own_segment.strip("0"):
        raise ValidationError(
            {
                "code": _("Digits %(a)d–%(b)d of the code may not all be zero.")
                % {"a": max(digits - 2, 1), "b": digits}
            }
        )
    if parent_code and is_territorial(parent_type):
        parent_digits = TERRITORIAL_CODE_DIGITS[parent_type]
        if parent_digits >= digits:
            raise ValidationError(
                {"code": _("A unit of this type cannot be placed under that parent type.")}
            )
        if code[:parent_digits] != parent_code[:parent_digits]:
            raise ValidationError(
                {
                    "code": _("The code must start with the parent's code prefix %(prefix)s.")
                    % {"prefix": parent_code[:parent_digits]}
                }
            )
