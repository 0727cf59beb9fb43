"""Search of the registry: one box that understands ID numbers, phones, names and pinyin.

:func:`person_search` is the one read behind the person list page, its Excel export and
``GET /api/v1/persons``. It always applies the caller's data scope. The search text
``q`` is interpreted (:func:`interpret`):

- an ID number (18 characters, the last a digit or X; or an old 15-digit number) →
  exact match through the keyed hash (``Person.id_hash``): the database holds no plain
  number, so there is never a ``LIKE`` on ID numbers;
- 7 or more digits → phone number, exact or by its beginning;
- Chinese characters → names starting with the text; when none does, names containing
  it (a given name typed alone);
- Latin letters → pinyin: full pinyin from the start of a reading (``zhangs`` finds
  张三) or initials (``zs``); a polyphonic name has several readings in
  ``name_pinyin``/``name_initials``, separated by spaces, and each is matched from its
  start.

Every match is a prefix match that an index serves (migration
``people.0004_person_search_indexes``): B-tree prefix indexes for names, pinyin and
phones, plus, on PostgreSQL, trigram indexes for the second and later readings.
"""

from __future__ import annotations

import datetime
import enum
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from stdnum.cn import ric

from jisheng.core import crypto, idnumber
from jisheng.core.scope import restrict
from jisheng.orgs.models import Unit
from jisheng.people.models import Person
from jisheng.people.selectors import birth_range_for_ages

MIN_PHONE_DIGITS = 7

# The columns a list of persons shows (page, export, API): ``.only(*LIST_FIELDS)``.
LIST_FIELDS = (
    "id",
    "name",
    "sex",
    "birth_date",
    "id_masked",
    "id_status",
    "marital_status",
    "status",
    "phone",
    "unit__id",
    "unit__code",
    "unit__name",
    "unit__path",
)

_ID_RE = re.compile(r"^(?:\d{17}[\dX]|\d{15})$")
_CJK_RE = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f]"
)
_PINYIN_RE = re.compile(r"^[a-z]+$")
# Characters people type between parts of a number or a pinyin reading.
_SEPARATORS_RE = re.compile(r"[\s\-_'’·.]")
# Sorts after every character that can follow a prefix (used for range look-ups).
_MAX_CHAR = "\U0010ffff"


class QueryKind(enum.StrEnum):
    EMPTY = "empty"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    PINYIN = "pinyin"
    INVALID = "invalid"  # e.g. a few digits: neither a phone number nor an ID number


@dataclass(frozen=True)
class Term:
    """The search text as understood: its kind and the normalised value to match."""

    kind: QueryKind
    value: str = ""

    def masked(self) -> str:
        """The text safe to write to a log: an ID number is masked."""
        if self.kind == QueryKind.ID_NUMBER:
            return idnumber.mask(self.value)
        return self.value


def _id_from_15(number: str) -> str:
    """An old 15-digit ID (born 19YYMMDD) as its 18-character form."""
    body = f"{number[:6]}19{number[6:]}"
    return body + ric.calc_check_digit(body + "0")


def interpret(q: str | None) -> Term:
    """What kind of search ``q`` is, and the value to look for."""
    # Full-width digits and letters (typed with a Chinese input method) become ASCII.
    text = unicodedata.normalize("NFKC", q or "").strip()
    if not text:
        return Term(QueryKind.EMPTY)
    if _CJK_RE.search(text):
        return Term(QueryKind.NAME, "".join(text.split()))
    compact = _SEPARATORS_RE.sub("", text)
    if _ID_RE.match(compact.upper()):
        number = compact.upper()
        return Term(QueryKind.ID_NUMBER, _id_from_15(number) if len(number) == 15 else number)
    if compact.startswith("+86") and compact[3:].isdigit():
        compact = compact[3:]
    if compact.isdigit():
        if len(compact) >= MIN_PHONE_DIGITS:
            return Term(QueryKind.PHONE, compact)
        return Term(QueryKind.INVALID, compact)
    letters = compact.lower().replace("ü", "v")
    if _PINYIN_RE.match(letters):
        return Term(QueryKind.PINYIN, letters)
    return Term(QueryKind.INVALID, text)


# --------------------------------------------------------------------------- matching


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` starts with ``prefix``, in the form the database's index serves.

    PostgreSQL answers ``LIKE 'x%'`` from a ``varchar_pattern_ops`` index. SQLite uses an
    index for ``LIKE`` only with case-insensitive (NOCASE) indexes, but it does use one
    for a range, and its binary collation makes the range exactly the prefix.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _MAX_CHAR})
    return Q(**{f"{field}__startswith": prefix})


def _reading_q(field: str, prefix: str) -> Q:
    """``prefix`` at the start of any space-separated reading of ``field``."""
    return prefix_q(field, prefix) | Q(**{f"{field}__contains": f" {prefix}"})


def _match_id(queryset: QuerySet[Person], number: str) -> QuerySet[Person]:
    digest = crypto.lookup_hash(idnumber.normalise(number))
    return queryset.filter(id_hash=digest) if digest else queryset.none()


def _match_phone(queryset: QuerySet[Person], digits: str, typed: str) -> QuerySet[Person]:
    condition = prefix_q("phone", digits)
    if typed != digits:  # also as typed, e.g. 0851-1234567 stored with its dash
        condition |= prefix_q("phone", typed)
    return queryset.filter(condition)


def _match_name(queryset: QuerySet[Person], text: str) -> QuerySet[Person]:
    condition = prefix_q("name", text)
    if connection.vendor != "sqlite":
        # Redundant for the result (a name that starts with the text sorts after it),
        # but it lets PostgreSQL start an ordered scan of the name index at the text
        # instead of at "A" when only the first page is wanted.
        condition &= Q(name__gte=text)
    starting = queryset.filter(condition)
    if len(text) < 2 or starting.exists():
        return starting
    # Nobody's name starts with it: a given name typed without the surname.
    return queryset.filter(name__contains=text)


def _match_pinyin(queryset: QuerySet[Person], letters: str) -> QuerySet[Person]:
    return queryset.filter(
        _reading_q("name_pinyin", letters) | _reading_q("name_initials", letters)
    )


def _values(value: str | Iterable[str] | None) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if v]


def person_search(
    *,
    user: Any,
    q: str = "",
    unit: Unit | None = None,
    status: str | Iterable[str] | None = None,
    sex: str | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    on: datetime.date | None = None,
    marital_status: str | Iterable[str] | None = None,
) -> QuerySet[Person]:
    """Persons in ``user``'s data scope matching every given criterion, by name then id.

    ``unit`` keeps the persons living in that unit and below (callers look the unit up
    inside the user's scope). ``status`` and ``marital_status`` take one value or
    several. ``age_min``/``age_max`` are ages in whole years on ``on`` (default today),
    both ends included. ``q`` is interpreted as described in the module's docstring; a
    text that is none of those kinds finds nobody.
    """
    queryset = restrict(Person.objects.select_related("unit"), user)
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    statuses = _values(status)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    marital = _values(marital_status)
    if marital:
        queryset = queryset.filter(marital_status__in=marital)
    if sex:
        queryset = queryset.filter(sex=sex)
    if age_min is not None or age_max is not None:
        day = on or timezone.localdate()
        earliest, latest = birth_range_for_ages(day, age_min or 0, age_max or 0)
        if age_min is not None:
            queryset = queryset.filter(birth_date__lte=latest)
        if age_max is not None:
            queryset = queryset.filter(birth_date__gte=earliest)
    queryset = queryset.order_by("name", "id")

    term = interpret(q)
    if term.kind == QueryKind.EMPTY:
        return queryset
    if term.kind == QueryKind.ID_NUMBER:
        return _match_id(queryset, term.value)
    if term.kind == QueryKind.PHONE:
        return _match_phone(queryset, term.value, (q or "").strip())
    if term.kind == QueryKind.NAME:
        return _match_name(queryset, term.value)
    if term.kind == QueryKind.PINYIN:
        return _match_pinyin(queryset, term.value)
    return queryset.none()
