"""Input rules shared by the pages, the API and the Excel imports: one definition each.

- :data:`NOTE_MAX_LENGTH`: the longest free-text note anywhere (a person's, a visit's …);
- :func:`clean_text`: text as stored — Unicode NFC, invisible format characters
  (zero-width spaces and joiners, the byte-order mark, direction marks) removed,
  surrounding whitespace stripped; a name of nothing but such characters becomes empty;
- :func:`birth_date_error` / :func:`check_birth_date`: a plausible date of birth (on or
  after :data:`BIRTH_DATE_MIN`, not in the future);
- :func:`has_nul`: text with a NUL character, which PostgreSQL cannot store.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

NOTE_MAX_LENGTH = 2000
BIRTH_DATE_MIN = datetime.date(1900, 1, 1)

# Characters that are whitespace for people but not for str.strip(): NO-BREAK and the
# ideographic space are whitespace already; the format characters (category Cf: ZERO
# WIDTH SPACE, ZWNJ, ZWJ, WORD JOINER, BOM, LRM/RLM …) are removed wherever they are.


def clean_text(value: str) -> str:
    """``value`` in NFC without format characters, stripped."""
    text = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(ch) == "Cf" for ch in text):
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.strip()


def has_nul(value: Any) -> bool:
    """Whether a text (or any text inside a list or a dict) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


def nul_message() -> str:
    return _("The text contains a NUL character (\\x00), which cannot be stored.")


def birth_date_error(value: datetime.date | None, *, today: datetime.date | None = None) -> str:
    """Why ``value`` is not a plausible date of birth ("" when it is)."""
    if value is None:
        return ""
    today = today or timezone.localdate()
    if value > today:
        return _("The birth date is in the future.")
    if value < BIRTH_DATE_MIN:
        return _("The birth date must be on or after 1 January 1900.")
    return ""


def check_birth_date(value: datetime.date | None, *, field: str = "birth_date") -> None:
    """Raise a ``ValidationError`` on ``field`` when ``value`` is not a plausible birth date."""
    message = birth_date_error(value)
    if message:
        raise ValidationError({field: message}, code="birth_date")
