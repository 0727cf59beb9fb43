"""Search of the registry: one box that understands ID numbers, phones, names and pinyin.

:func:`person_search` is the one read behind the person list page, its Excel export and
``GET /api/v1/persons``. It always applies the caller's data scope. The search text
``q`` is interpreted (:func:`interpret`):

- an ID number (18 characters, the last a digit or X; or an old 15-digit number) →
  exact match through the keyed hash (``Person.id_hash``): the database holds no plain
  number, so there is never a ``LIKE`` on ID numbers;
- 7 or more digits → phone number, exact or by its beginning;
- Chinese characters → names starting with the text; when none does, given names
  starting with it (a given name typed without the surname: ``建国`` finds 王建国);
- Latin letters → pinyin: full pinyin from the start of a reading (``zhangs`` finds
  张三) or initials (``zs``); a polyphonic name has several readings, each matched.

Every match is a prefix match that a B-tree index serves, on SQLite as on PostgreSQL:
names and phones on the person table, pinyin readings, initials and given names in
:class:`~jisheng.people.models.PersonNameKey` (one row per key, so a second reading is
found as fast as the first). Results are ordered by pinyin syllable by syllable
(``Person.name_sort``, copied to the keys as ``sort_key``;
:func:`jisheng.core.pinyin.sort_key`), then name and id: 安 < 白 < 陈 < 程 < 王 < 张,
not by code point.

How a key search stays fast:

- with no filter on the person's own columns (status, sex, age, marital status), the
  usual case: a :class:`KeySearch` — its count and its pages are read from the key
  index alone (it holds the key, the unit, the name and the person), and only the
  persons of the page asked for are read from the person table;
- with such filters, up to :data:`SORT_MATCHES_UP_TO` matching keys (counted first,
  index-only): the matches are found through the key index and sorted (an ordering the
  name index cannot serve, so that the database does not read the name index testing
  every person instead);
- with such filters and more keys (``z``): the name index is read in order, where
  matches are dense.
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
from django.db.models.functions import Lower
from django.utils import timezone
from stdnum.cn import ric

from jisheng.core import crypto, idnumber
from jisheng.core.scope import restrict_within
from jisheng.orgs.models import Unit
from jisheng.people.models import Person, PersonNameKey
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
# Up to this many matching keys, matches are found through the key index and sorted;
# beyond, the name index is read in order (see the module documentation).
SORT_MATCHES_UP_TO = 20_000
# The order of every list of persons (the Person model's too) and of the key pages.
ORDER = ("name_sort", "name", "id")
KEY_ORDER = ("sort_key", "name", "person_id")


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


def name_keys(prefix: str) -> QuerySet[PersonNameKey]:
    """The name keys (pinyin readings, initials, given names) starting with ``prefix``."""
    return PersonNameKey.objects.filter(prefix_q("key", prefix))


def name_q(text: str, prefix: str = "") -> Q:
    """Persons (through the relation ``prefix``, e.g. ``"mother__"``) whose name contains
    ``text`` or has a pinyin reading, initials or given name starting with it — the
    loose match of pickers and the family lists, used inside a small scope."""
    keys = name_keys(text.lower() if text.isascii() else text).values("person_id")
    return Q(**{f"{prefix}name__contains": text}) | Q(**{f"{prefix}id__in": keys})


class KeySearch(QuerySet):
    """Persons found by name keys, whose count and pages come from the key index.

    An ordinary queryset of persons (iterating it reads them all, ordered by pinyin,
    name and id), except that :meth:`count` counts the distinct persons of the matching
    keys and a slice (a page) first takes the page's person ids from the keys, ordered
    by the pinyin and name the keys repeat, and then reads just those persons. Filtering
    or reordering it further turns it back into an ordinary queryset.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys: QuerySet[PersonNameKey] | None = None

    def _clone(self) -> KeySearch:
        clone = super()._clone()
        clone._keys = self._keys
        return clone

    def _filter_or_exclude(self, negate: bool, args: Any, kwargs: Any) -> KeySearch:
        clone = super()._filter_or_exclude(negate, args, kwargs)
        clone._keys = None
        return clone

    def order_by(self, *field_names: Any) -> KeySearch:
        clone = super().order_by(*field_names)
        clone._keys = None
        return clone

    def _fast(self) -> bool:
        return self._keys is not None and self._result_cache is None and not self.query.is_sliced

    def page_keys(self, k: slice) -> QuerySet:
        """``(sort key, name, person id)`` of the persons of the slice ``k``, from the keys."""
        assert self._keys is not None
        return self._keys.order_by(*KEY_ORDER).values_list(*KEY_ORDER).distinct()[k]

    def count(self) -> int:
        if not self._fast():
            return super().count()
        assert self._keys is not None
        return self._keys.values("person_id").distinct().count()

    def __getitem__(self, k: Any) -> Any:
        if not (self._fast() and isinstance(k, slice) and k.step is None):
            return super().__getitem__(k)
        ids = [person_id for _sort, _name, person_id in self.page_keys(k)]
        # the scope is checked again on the page's persons (a handful of rows)
        return self.filter(pk__in=ids)


def _by_keys(
    queryset: QuerySet[Person], prefix: str, *, user: Any, unit: Unit | None, plain: bool
) -> QuerySet[Person]:
    """Persons with a name key starting with ``prefix``, ordered by name, in the
    plan that is fast for the number of matches (see the module documentation).
    ``plain``: no filter on the person's own columns was asked for."""
    keys = name_keys(prefix)
    matches = queryset.filter(pk__in=keys.values("person_id"))
    if plain:
        scoped = restrict_within(keys, user, unit)
        search = KeySearch(model=Person, query=matches.query.chain(), using=matches.db)
        search._keys = scoped
        return search
    if keys.count() > SORT_MATCHES_UP_TO:
        return matches
    # An expression the name index cannot serve: the database finds the few matches
    # through the key index and sorts them, instead of reading the name index in
    # order and testing every person.
    return matches.order_by(Lower("name_sort"), *ORDER[1:])


def _match_id(queryset: QuerySet[Person], number: str) -> QuerySet[Person]:
    digest = crypto.lookup_hash(idnumber.normalise(number))
    return queryset.filter(id_hash=digest) if digest else queryset.none()


def _match_phone(queryset: QuerySet[Person], digits: str, typed: str) -> QuerySet[Person]:
    condition = prefix_q("phone", digits)
    if typed != digits:  # also as typed, e.g. 0851-1234567 stored with its dash
        condition |= prefix_q("phone", typed)
    return queryset.filter(condition)


def _match_name(queryset: QuerySet[Person], text: str, **how: Any) -> QuerySet[Person]:
    condition = prefix_q("name", text)
    if connection.vendor != "sqlite":
        # Redundant for the result (a name that starts with the text sorts after it),
        # but it lets PostgreSQL start an ordered scan of the name index at the text
        # instead of at "A" when only the first page is wanted.
        condition &= Q(name__gte=text)
    starting = queryset.filter(condition)
    if starting.exists():
        return starting
    # Nobody's name starts with it: a given name typed without the surname.
    return _by_keys(queryset, text, **how)


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
    """Persons in ``user``'s data scope matching every given criterion, by pinyin, name, id.

    ``unit`` keeps the persons living in that unit and below (callers look the unit up
    inside the user's scope). ``status`` and ``marital_status`` take one value or
    several. ``age_min``/``age_max`` are ages in whole years on ``on`` (default today),
    both ends included. ``q`` is interpreted as described in the module's docstring; a
    text that is none of those kinds finds nobody.
    """
    queryset = restrict_within(Person.objects.select_related("unit"), user, unit)
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
    queryset = queryset.order_by(*ORDER)
    how = {
        "user": user,
        "unit": unit,
        "plain": not (statuses or marital or sex) and (age_min is None and age_max is None),
    }

    term = interpret(q)
    if term.kind == QueryKind.EMPTY:
        return queryset
    if term.kind == QueryKind.ID_NUMBER:
        return _match_id(queryset, term.value)
    if term.kind == QueryKind.PHONE:
        return _match_phone(queryset, term.value, (q or "").strip())
    if term.kind == QueryKind.NAME:
        return _match_name(queryset, term.value, **how)
    if term.kind == QueryKind.PINYIN:
        return _by_keys(queryset, term.value, **how)
    return queryset.none()
