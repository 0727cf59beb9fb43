"""Statistical form definitions (统计报表定义): a form is data, like a policy pack.

One YAML file per form in ``reporting/forms/``: ``key``, ``version`` (a positive
integer), ``title``, ``frequency`` (month, quarter, year), ``deadline`` (``key``: a
deadline of the policy pack in force, ``fallback_day``: the day of the month after the
period when the pack has none), ``order``, header ``groups`` (key, label: the merged
headers) and ``columns``. A column has a ``key``, a ``label``, optionally a ``group`` and
either

- ``source: {population: NAME, filters: [...]}`` — a population of the indicator
  engine (:data:`jisheng.indicators.engine.POPULATIONS`) narrowed by its named filters, or
- ``source: {breakdown: NAME, ...}`` — a breakdown of :data:`BREAKDOWNS` with its
  parameters (event kind, sex, birth order, mother's age group, operation kind, …), or
- ``sum: [a, b, -c]`` — the sum of earlier columns (a minus sign subtracts).

:func:`parse_definition` validates strictly and raises :class:`DefinitionInvalid`
whose errors name the file and the column, in the current language;
:func:`shipped_definitions` reads the shipped files; ``jisheng load_statforms`` stores
them as ``reporting.FormDefinition`` rows (:mod:`jisheng.reporting.services_statforms`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from jisheng.core.periods import MONTH, QUARTER, YEAR
from jisheng.people.choices import EventKind, PersonStatus, Sex

FORMS_DIR = Path(__file__).resolve().parent / "forms"
FREQUENCIES = (MONTH, QUARTER, YEAR)
# What a form of each frequency is called (月报 …), in messages.
FREQUENCY_LABELS = {MONTH: "月报", QUARTER: "季报", YEAR: "年报"}
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
AGE_RANGE = re.compile(r"^(\d{1,2})?-(\d{1,2})?$")
ORDERS = ("1", "2", "3+")
OPERATION_KINDS = (
    "iud_insertion",
    "iud_removal",
    "implant",
    "female_sterilisation",
    "male_sterilisation",
    "abortion",
    "induced_labour",
)
DAYS = ("start", "end")

# The breakdowns a column may name, and the parameters each one accepts.
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    # life events within the period (corrections and corrected events excluded)
    "events": ("kind",),
    # births within the period
    "births": ("sex", "order", "mother_age", "within_policy"),
    # operations within the period (contraceptive records, pregnancy outcomes)
    "operations": ("kind",),
    # persons by their state on the period's first or last day
    "persons_on": ("day", "status", "sex"),
}


# A breakdown parameter once checked: a kind, sex, order, day or status (str), within
# policy (bool), event kinds (tuple of str) or a mother's age range (low, high).
ParamValue = str | bool | tuple[str, ...] | tuple[int | None, int | None]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str = ""
    population: str = ""
    filters: tuple[str, ...] = ()
    breakdown: str = ""
    params: tuple[tuple[str, ParamValue], ...] = ()
    # (sign, column key) of a sum column
    terms: tuple[tuple[int, str], ...] = ()

    @property
    def is_sum(self) -> bool:
        return bool(self.terms)

    def param(self, name: str, default: ParamValue | None = None) -> ParamValue | None:
        return dict(self.params).get(name, default)

    def kinds(self) -> tuple[str, ...]:
        """The event kinds of an ``events`` column."""
        value = self.param("kind")
        return value if isinstance(value, tuple) else (str(value),)  # type: ignore[return-value]

    def age_range(self) -> tuple[int | None, int | None]:
        value = self.param("mother_age")
        return value if isinstance(value, tuple) else (None, None)  # type: ignore[return-value]


@dataclass(frozen=True)
class Definition:
    key: str
    version: int
    title: str
    frequency: str
    deadline_key: str
    fallback_day: int
    order: int
    groups: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]
    data: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def digest(self) -> str:
        return digest_of(self.data)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


def digest_of(data: dict) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class DefinitionInvalid(ValueError):
    """The definition cannot be used; ``errors`` says where and why (in Chinese)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []

    def error(self, message: str, column: str = "") -> None:
        if column:
            self.errors.append(
                _("%(file)s, column %(column)s: %(message)s")
                % {"file": self.source, "column": column, "message": message}
            )
        else:
            self.errors.append(
                _("%(file)s: %(message)s") % {"file": self.source, "message": message}
            )


def _positive_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return None


def _check_param(
    check: _Checker, column: str, breakdown: str, name: str, value: object
) -> ParamValue | None:
    """The parameter's value normalised, or None after recording an error."""
    bad = _("%(parameter)s: “%(value)s” is not allowed.") % {"parameter": name, "value": value}
    if name == "kind" and breakdown == "events":
        kinds = value if isinstance(value, list) else [value]
        allowed = set(EventKind.values) - {EventKind.CORRECTION}
        if not kinds or any(k not in allowed for k in kinds):
            check.error(bad, column)
            return None
        return tuple(str(k) for k in kinds)
    if name == "kind" and breakdown == "operations":
        if value not in OPERATION_KINDS:
            check.error(bad, column)
            return None
        return str(value)
    if name == "sex":
        if value not in Sex.values:
            check.error(bad, column)
            return None
        return str(value)
    if name == "order":
        if str(value) not in ORDERS:
            check.error(bad, column)
            return None
        return str(value)
    if name == "mother_age":
        match = AGE_RANGE.match(str(value))
        if not match or not (match.group(1) or match.group(2)):
            check.error(bad, column)
            return None
        low = int(match.group(1)) if match.group(1) else None
        high = int(match.group(2)) if match.group(2) else None
        if low is not None and high is not None and low > high:
            check.error(bad, column)
            return None
        return (low, high)
    if name == "within_policy":
        if not isinstance(value, bool):
            check.error(bad, column)
            return None
        return value
    if name == "day":
        if value not in DAYS:
            check.error(bad, column)
            return None
        return str(value)
    if name == "status":
        if value not in PersonStatus.values:
            check.error(bad, column)
            return None
        return str(value)
    check.error(bad, column)
    return None


def _source_column(check: _Checker, raw: dict, key: str, label: str, group: str) -> Column | None:
    from jisheng.indicators.engine import POPULATIONS

    source = raw.get("source")
    if not isinstance(source, dict):
        check.error(_("a column needs a source or a sum."), key)
        return None
    if "population" in source:
        name = source.get("population")
        unknown = set(source) - {"population", "filters"}
        if unknown:
            check.error(
                _("unknown keys: %(keys)s.") % {"keys": "、".join(sorted(map(str, unknown)))},
                key,
            )
            return None
        population = POPULATIONS.get(str(name))
        if population is None:
            check.error(_("unknown population “%(name)s”.") % {"name": name}, key)
            return None
        if population.counter is not None or population.measure:
            check.error(
                _("the population “%(name)s” is not a count of records.") % {"name": name}, key
            )
            return None
        filters = source.get("filters") or []
        if not isinstance(filters, list):
            check.error(_("filters must be a list."), key)
            return None
        ok = True
        for f in filters:
            if f not in population.filters:
                check.error(
                    _("the population “%(population)s” has no filter “%(filter)s”.")
                    % {"population": name, "filter": f},
                    key,
                )
                ok = False
        if not ok:
            return None
        return Column(
            key=key, label=label, group=group, population=str(name), filters=tuple(filters)
        )
    if "breakdown" in source:
        name = source.get("breakdown")
        if name not in BREAKDOWNS:
            check.error(_("unknown breakdown “%(name)s”.") % {"name": name}, key)
            return None
        params: list[tuple[str, ParamValue]] = []
        ok = True
        for param, value in source.items():
            if param == "breakdown":
                continue
            if param not in BREAKDOWNS[str(name)]:
                check.error(
                    _("the breakdown “%(breakdown)s” has no parameter “%(parameter)s”.")
                    % {"breakdown": name, "parameter": param},
                    key,
                )
                ok = False
                continue
            normal = _check_param(check, key, str(name), param, value)
            if normal is None:
                ok = False
            else:
                params.append((param, normal))
        if name in ("events", "operations") and "kind" not in dict(params) and ok:
            check.error(_("the breakdown “%(breakdown)s” needs a kind.") % {"breakdown": name}, key)
            ok = False
        if not ok:
            return None
        return Column(key=key, label=label, group=group, breakdown=str(name), params=tuple(params))
    check.error(_("a source names a population or a breakdown."), key)
    return None


def parse_definition(text: str, source: str = "") -> Definition:
    """The validated definition of YAML ``text`` (``source``: the file's name, for errors)."""
    check = _Checker(source or _("(the definition)"))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        check.error(_("not valid YAML (line %(line)s).") % {"line": line})
        raise DefinitionInvalid(check.errors) from exc
    if not isinstance(data, dict):
        check.error(_("a form definition is a mapping of keys."))
        raise DefinitionInvalid(check.errors)
    allowed = {"key", "version", "title", "frequency", "deadline", "order", "groups", "columns"}
    unknown = set(map(str, data)) - allowed
    if unknown:
        check.error(_("unknown keys: %(keys)s.") % {"keys": "、".join(sorted(unknown))})
    key = data.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        check.error(_("the key must be lower-case letters, digits and underscores."))
    version = _positive_int(data.get("version"))
    if version is None:
        check.error(_("the version must be a positive whole number."))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        check.error(_("the form needs a title."))
    frequency = data.get("frequency")
    if frequency not in FREQUENCIES:
        check.error(
            _("unknown frequency “%(frequency)s”: month, quarter or year.")
            % {"frequency": frequency}
        )
    deadline = data.get("deadline") or {}
    deadline_key, fallback_day = "", 0
    if not isinstance(deadline, dict) or set(deadline) - {"key", "fallback_day"}:
        check.error(_("the deadline has a key and a fallback day."))
    else:
        deadline_key = str(deadline.get("key") or "")
        day = _positive_int(deadline.get("fallback_day"))
        if day is None or day > 28:
            check.error(_("the deadline's fallback day must be 1 to 28."))
        else:
            fallback_day = day
    order = data.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        check.error(_("the order must be a whole number."))
        order = 100
    groups: list[tuple[str, str]] = []
    for raw in data.get("groups") or []:
        if not isinstance(raw, dict) or not raw.get("key") or not raw.get("label"):
            check.error(_("a header group has a key and a label."))
            continue
        if any(g == raw["key"] for g, _label in groups):
            check.error(_("duplicate header group “%(key)s”.") % {"key": raw["key"]})
            continue
        groups.append((str(raw["key"]), str(raw["label"])))
    group_keys = {g for g, _label in groups}
    columns: list[Column] = []
    seen: set[str] = set()  # every column key met, valid or not (no cascade of errors)
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        check.error(_("the form needs at least one column."))
        raw_columns = []
    for index, raw in enumerate(raw_columns, start=1):
        if not isinstance(raw, dict):
            check.error(_("column %(number)s is not a mapping.") % {"number": index})
            continue
        ckey = raw.get("key")
        if not isinstance(ckey, str) or not KEY.match(ckey):
            check.error(
                _("column %(number)s: the key must be lower-case letters, digits and underscores.")
                % {"number": index}
            )
            continue
        if ckey in seen:
            check.error(_("duplicate column."), ckey)
            continue
        seen.add(ckey)
        unknown = set(map(str, raw)) - {"key", "label", "group", "source", "sum"}
        if unknown:
            check.error(_("unknown keys: %(keys)s.") % {"keys": "、".join(sorted(unknown))}, ckey)
            continue
        label = raw.get("label")
        if not isinstance(label, str) or not label.strip():
            check.error(_("the column needs a label."), ckey)
            continue
        group = str(raw.get("group") or "")
        if group and group not in group_keys:
            check.error(_("unknown header group “%(group)s”.") % {"group": group}, ckey)
            continue
        if "sum" in raw:
            if "source" in raw:
                check.error(_("a column has a source or a sum, not both."), ckey)
                continue
            terms: list[tuple[int, str]] = []
            items = raw["sum"] if isinstance(raw["sum"], list) else []
            if not items:
                check.error(_("a sum names earlier columns."), ckey)
                continue
            for item in items:
                text = str(item)
                sign, name = (-1, text[1:]) if text.startswith("-") else (1, text)
                if name not in seen or name == ckey:
                    check.error(
                        _("the sum names “%(name)s”, not an earlier column.") % {"name": name},
                        ckey,
                    )
                    continue
                terms.append((sign, name))
            if len(terms) == len(items):
                columns.append(Column(key=ckey, label=label, group=group, terms=tuple(terms)))
            continue
        column = _source_column(check, raw, ckey, label, group)
        if column is not None:
            columns.append(column)
    if check.errors:
        raise DefinitionInvalid(check.errors)
    return Definition(
        key=str(key),
        version=int(version or 0),
        title=str(title).strip(),
        frequency=str(frequency),
        deadline_key=deadline_key,
        fallback_day=fallback_day,
        order=int(order),
        groups=tuple(groups),
        columns=tuple(columns),
        data=data,
    )


def definition_from_data(data: dict, source: str = "") -> Definition:
    """The definition stored as JSON (a ``FormDefinition`` row's ``definition``)."""
    return parse_definition(json.dumps(data, ensure_ascii=False), source)


def shipped_files() -> list[Path]:
    return sorted(FORMS_DIR.glob("*.yaml"))


def shipped_definitions() -> list[Definition]:
    """The definitions shipped with jisheng (``reporting/forms/*.yaml``), validated."""
    return [
        parse_definition(path.read_text(encoding="utf-8"), path.name) for path in shipped_files()
    ]
