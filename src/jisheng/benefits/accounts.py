"""Bank account numbers (直通车, ``003:183``): normalised, validated, encrypted at rest
with a keyed hash for exact look-up, and masked everywhere but the bank's file.

Like an ID number (``people``: ``id_number_encrypted``, ``id_hash``, ``id_masked``) the
database holds no plain number: :class:`~jisheng.benefits.models.BankAccount` keeps
``number_encrypted`` (Fernet), ``number_hash`` (HMAC of the normalised number) and
``number_masked`` (``6222 **** **** 1234``). Reading the full number is a service that
writes an audit row (:func:`jisheng.benefits.services_payments.account_number_read`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import luhn

from jisheng.core.crypto import decrypt, encrypt, lookup_hash

MIN_DIGITS = 12
MAX_DIGITS = 30
# Bank cards (借记卡) are 16–19 digits and carry a Luhn check digit; passbook and
# corporate account numbers (存折, 对公) of other lengths do not.
CARD_LENGTHS = range(16, 20)
_SEPARATORS = re.compile(r"[\s\-]+")
_FULL_WIDTH = {ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}


def normalise(number: str) -> str:
    """The digits of ``number`` without spaces or dashes (full-width digits folded)."""
    text = (number or "").translate(_FULL_WIDTH)
    return _SEPARATORS.sub("", text.strip())


def validate(number: str) -> str:
    """The normalised number, or ``ValidationError`` with the reason in Chinese."""
    digits = normalise(number)
    if not digits:
        raise ValidationError({"number": _("Enter the account number.")})
    if not digits.isdigit():
        raise ValidationError({"number": _("An account number has digits only.")})
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise ValidationError(
            {
                "number": _("An account number has %(min)s to %(max)s digits (this one %(n)s).")
                % {"min": MIN_DIGITS, "max": MAX_DIGITS, "n": len(digits)}
            }
        )
    is_card = len(digits) in CARD_LENGTHS and digits.startswith(("4", "5", "6"))
    if is_card and not luhn.is_valid(digits):
        raise ValidationError(
            {"number": _("This card number's check digit is wrong: please check each digit.")}
        )
    return digits


def mask(number: str) -> str:
    """``6222 **** **** 1234``: the first four and last four digits; a short number
    shows its last four only."""
    digits = normalise(number)
    if len(digits) <= 8:
        return "*" * max(len(digits) - 4, 0) + digits[-4:]
    return f"{digits[:4]} **** **** {digits[-4:]}"


@dataclass(frozen=True)
class Stored:
    encrypted: str
    hash: str
    masked: str


def protect(number: str) -> Stored:
    """What a :class:`BankAccount` stores of a validated number."""
    digits = validate(number)
    return Stored(encrypt(digits), lookup_hash(digits), mask(digits))


def number_hash(number: str) -> str:
    """The look-up hash of a number as written anywhere (a bank's return file)."""
    return lookup_hash(normalise(number))


def reveal(encrypted: str) -> str:
    """The full number (the bank file; an audited read) — never for a page or a log."""
    return decrypt(encrypted)
