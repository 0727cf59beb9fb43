"""Statistical forms generated from the registry, never typed.

:func:`build` gives one form (:class:`jisheng.core.statforms.Form`) for a unit and a
period: rows are the unit's children, then the total (a unit without children: itself),
and ``Form.records`` names the records behind every cell ("people.lifeevent:34", …) so
that every figure drills down to them. :func:`build_all` gives a form's figures for
EVERY unit of a subtree at once: one grouped query per kind of figure (a population of
the indicator engine, life events, births, operations, persons' states), the counts per
unit id rolled up to every ancestor by path prefix.

The columns' sources (:mod:`jisheng.reporting.definitions`):

- ``population``: the engine's population (:data:`jisheng.indicators.engine.POPULATIONS`)
  narrowed by its named filters — the same rows the dashboard counts;
- ``events``: ``people.LifeEvent`` of the kinds named, dated within the period; a
  correction and the event it reverses do not count (as the engine's ``deaths``);
- ``births``: ``people.Birth`` within the period by sex, birth order (the override when
  there is one), the mother's age on the birth date, within / outside policy;
- ``operations``: IUD insertions, implants, sterilisations (contraceptive records started
  within the period, voided ones excluded), IUD removals (IUD records ended within the
  period), induced abortions and induced labour (pregnancy outcomes within the period);
- ``persons_on``: ``people.PersonPeriod`` states on the period's first or last day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from jisheng.core.periods import Period, clamped
from jisheng.core.statforms import Form, FormRow, Rows
from jisheng.indicators.engine import POPULATIONS, STEPLEN
from jisheng.indicators.engine.vocabulary import _state_on, _ymd
from jisheng.orgs.models import Unit
from jisheng.people.choices import PregnancyOutcome
from jisheng.people.models import Birth, LifeEvent, PersonPeriod, Pregnancy
from jisheng.policy.choices import Method
from jisheng.reporting.definitions import Column, Definition
from jisheng.services.models import ContraceptionRecord

# A row of a figure's query: the unit, the pk or the count, and the attributes.
Row = dict[str, int | str | bool | None]

# operation kind → (query, value of its attribute)
_STARTS = {
    "iud_insertion": Method.IUD,
    "implant": Method.IMPLANT,
    "female_sterilisation": Method.FEMALE_STERILISATION,
    "male_sterilisation": Method.MALE_STERILISATION,
}
_OUTCOMES = {
    "abortion": PregnancyOutcome.ABORTION,
    "induced_labour": PregnancyOutcome.INDUCED_LABOUR,
}


def ref(model: type[Model], pk: int) -> str:
    """The reference of a record behind a cell: ``"people.birth:12"``."""
    return f"{model._meta.app_label}.{model._meta.model_name}:{pk}"


@dataclass
class Figure:
    """One kind of figure: one grouped query over ``queryset``, grouped by unit and
    ``attrs``; ``match(column, row)`` says whether a row counts in a column."""

    model: type[Model]
    queryset: QuerySet
    unit_field: str
    attrs: tuple[str, ...]
    columns: list[Column]

    def matches(self, column: Column, row: Row) -> bool:
        return _matches(column, row)


def _matches(column: Column, row: Row) -> bool:
    if column.population:
        return all(row.get(f"f_{name}") for name in column.filters)
    if column.breakdown == "events":
        return row["kind"] in column.kinds()
    if column.breakdown == "operations":
        return row["op"] == column.param("kind")
    if column.breakdown == "births":
        return _birth_matches(column, row)
    if column.breakdown == "persons_on":
        for name in ("status", "sex"):
            wanted = column.param(name)
            if wanted is not None and row[name] != wanted:
                return False
        return True
    return False


def _birth_matches(column: Column, row: Row) -> bool:
    sex = column.param("sex")
    if sex is not None and row["sex"] != sex:
        return False
    order = column.param("order")
    birth_order = int(row["order"] or 0)
    in_order = order is None or (
        birth_order >= 3 if order == "3+" else birth_order == int(str(order))
    )
    if not in_order:
        return False
    if column.param("mother_age") is not None:
        low, high = column.age_range()
        age = int(row["age"] or 0)
        if (low is not None and age < low) or (high is not None and age > high):
            return False
    within = column.param("within_policy")
    return within is None or row["within_policy"] == within


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def _figures(definition: Definition, root: Unit, period: Period) -> list[Figure]:
    """The queries of a form: one per population, breakdown (and day of persons_on)."""
    sourced = [c for c in definition.columns if not c.is_sum]
    figures: list[Figure] = []
    # populations of the indicator engine: the union of the columns' filters
    by_population: dict[str, list[Column]] = defaultdict(list)
    for column in sourced:
        if column.population:
            by_population[column.population].append(column)
    for name, columns in by_population.items():
        population = POPULATIONS[name]
        unit_field = population.path_field.rsplit("__", 1)[0] + "_id"
        qs = population.queryset(period).filter(
            **{f"{population.path_field}__startswith": root.path}
        )
        names = sorted({f for c in columns for f in c.filters})
        if all(c.filters for c in columns):  # no column counts every row: read only what counts
            wanted = Q()
            for column in columns:
                wanted |= population.filter_q(column.filters, period, root)
            qs = qs.filter(wanted)
        qs = qs.annotate(**{f"f_{f}": _flag(population.filter_q([f], period, root)) for f in names})
        figures.append(
            Figure(population.model, qs, unit_field, tuple(f"f_{f}" for f in names), columns)
        )
    breakdowns: dict[str, list[Column]] = defaultdict(list)
    for column in sourced:
        if column.breakdown:
            breakdowns[column.breakdown].append(column)
    within = {"gte": period.first, "lte": period.last}

    def dated(field_name: str) -> Q:
        return Q(**{f"{field_name}__{op}": day for op, day in within.items()})

    if events := breakdowns.get("events"):
        kinds = sorted({k for c in events for k in c.kinds()})
        qs = LifeEvent.objects.filter(
            dated("date"),
            kind__in=kinds,
            reversed_by__isnull=True,
            unit__path__startswith=root.path,
        )
        figures.append(Figure(LifeEvent, qs, "unit_id", ("kind",), events))
    if births := breakdowns.get("births"):
        qs = Birth.objects.filter(dated("date"), unit__path__startswith=root.path).annotate(
            order=Coalesce("order_override", "computed_order"),
            age=ExpressionWrapper(
                (_ymd("date") - _ymd("mother__birth_date")) / 10000, output_field=IntegerField()
            ),
        )
        figures.append(
            Figure(Birth, qs, "unit_id", ("sex", "order", "age", "within_policy"), births)
        )
    if operations := breakdowns.get("operations"):
        op_kinds = {str(c.param("kind")) for c in operations}
        starts = [m for k, m in _STARTS.items() if k in op_kinds]
        if starts:
            qs = ContraceptionRecord.objects.filter(
                dated("started_on"),
                voided_at=None,
                method__in=starts,
                unit__path__startswith=root.path,
            ).annotate(op=Case(*[When(method=m, then=Value(k)) for k, m in _STARTS.items()]))
            figures.append(Figure(ContraceptionRecord, qs, "unit_id", ("op",), operations))
        if "iud_removal" in op_kinds:
            qs = ContraceptionRecord.objects.filter(
                dated("ended_on"),
                voided_at=None,
                method=Method.IUD,
                unit__path__startswith=root.path,
            ).annotate(op=Value("iud_removal"))
            figures.append(Figure(ContraceptionRecord, qs, "unit_id", ("op",), operations))
        outcomes = [o for k, o in _OUTCOMES.items() if k in op_kinds]
        if outcomes:
            qs = Pregnancy.objects.filter(
                dated("outcome_on"), outcome__in=outcomes, unit__path__startswith=root.path
            ).annotate(op=Case(*[When(outcome=o, then=Value(k)) for k, o in _OUTCOMES.items()]))
            figures.append(Figure(Pregnancy, qs, "unit_id", ("op",), operations))
    if persons := breakdowns.get("persons_on"):
        for day_name in ("start", "end"):
            of_day = [c for c in persons if c.param("day", "end") == day_name]
            if not of_day:
                continue
            day = period.first if day_name == "start" else period.last
            qs = PersonPeriod.objects.filter(_state_on(day), unit__path__startswith=root.path)
            statuses = [c.param("status") for c in of_day]
            if None not in statuses:
                qs = qs.filter(status__in=sorted({str(s) for s in statuses}))
            figures.append(Figure(PersonPeriod, qs, "unit_id", ("status", "sex"), of_day))
    return figures


def _sums(definition: Definition, cells: dict[str, int]) -> None:
    for column in definition.columns:
        if column.is_sum:
            cells[column.key] = sum(sign * (cells.get(k) or 0) for sign, k in column.terms)


def build(definition: Definition, root: Unit, period: Period, *, with_records: bool = True) -> Form:
    """The form of ``root`` for ``period``: a row per child unit (or the unit itself),
    then the total; every cell a count, its records in ``Form.records``. Without
    ``with_records`` (a page, an export): the same counts from grouped queries, no
    records (fast for a county's year-end population: no row per person)."""
    rows = Rows(root)
    row_pk = {u.path: u.pk for u in rows.units}
    records: dict[tuple[int | None, str], list[str]] = defaultdict(list)
    if not with_records:
        for unit_id, counts in counts_by_unit(definition, root, period).items():
            for key, n in counts.items():
                rows.add(unit_id, key, n)
    for figure in _figures(definition, root, period) if with_records else []:
        for row in figure.queryset.order_by().values(figure.unit_field, "pk", *figure.attrs):
            unit_id = row[figure.unit_field]
            path = rows.paths.get(unit_id)
            if path is None:
                continue
            of_row = row_pk.get(path[: rows.width])
            reference = ref(figure.model, row["pk"])
            for column in figure.columns:
                if figure.matches(column, row):
                    rows.add(unit_id, column.key, 1)
                    records[(None, column.key)].append(reference)
                    if of_row is not None:
                        records[(of_row, column.key)].append(reference)
    form = Form(
        key=definition.key,
        title=definition.title,
        root=root,
        period=period,
        columns=[(c.key, c.label) for c in definition.columns],
    )
    for unit, counts in rows.rows():
        cells = {c.key: counts.get(c.key, 0) for c in definition.columns}
        _sums(definition, cells)
        form.rows.append(FormRow(unit, cells))
        pk = unit.pk if unit is not None else None
        for column in definition.columns:
            if column.is_sum and all(sign > 0 for sign, _k in column.terms):
                merged: list[str] = []
                for _sign, k in column.terms:
                    merged.extend(records.get((pk, k), []))
                if merged:
                    records[(pk, column.key)] = sorted(set(merged))
    form.records = {key: sorted(set(refs)) for key, refs in records.items()}
    return form


def counts_by_unit(definition: Definition, root: Unit, period: Period) -> dict[int, dict[str, int]]:
    """The form's counts per unit id of the unit holding the records (not rolled up)."""
    direct: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for figure in _figures(definition, root, period):
        grouped = (
            figure.queryset.order_by()
            .values(figure.unit_field, *figure.attrs)
            .annotate(n=Count(Value(1)))
        )
        for row in grouped:
            counts = direct[row[figure.unit_field]]
            for column in figure.columns:
                if figure.matches(column, row):
                    counts[column.key] += row["n"]
    return direct


def build_all(definition: Definition, root: Unit, period: Period) -> dict[int, dict[str, int]]:
    """The form's figures for every unit of ``root``'s subtree (unit id → column key →
    count, zeros included): grouped queries, then rolled up by path prefix."""
    direct = counts_by_unit(definition, root, period)
    units = list(
        Unit.objects.filter(path__startswith=root.path).order_by().values_list("pk", "path")
    )
    pk_of = {path: pk for pk, path in units}
    keys = [c.key for c in definition.columns if not c.is_sum]
    out: dict[int, dict[str, int]] = {pk: dict.fromkeys(keys, 0) for pk, _p in units}
    path_of = dict(units)
    start = len(root.path)
    for unit_id, counts in direct.items():
        path = path_of.get(unit_id)
        if path is None:
            continue
        for end in range(start, len(path) + 1, STEPLEN):
            target = out[pk_of[path[:end]]]
            for key, n in counts.items():
                target[key] += n
    for cells in out.values():
        _sums(definition, cells)
    return out


def due(definition: Definition, unit: Unit, period: Period) -> datetime.date:
    """The day the report of ``unit`` for ``period`` is due: the deadline ``deadline_key``
    of the policy pack in force for the unit, counted from the day after the period
    (a ``month_day`` rule: that day of the following month), else the fallback day of
    the month after the period."""
    from jisheng.policy.deadlines import due_date
    from jisheng.policy.selectors import pack_in_force

    after = period.last + datetime.timedelta(days=1)
    pack = pack_in_force(unit, after)
    rule = pack.deadlines.get(definition.deadline_key) if pack is not None else None
    if rule is not None:
        return due_date(rule, after)
    return clamped(after.year, after.month, definition.fallback_day)


def cell_records(definition: Definition, root: Unit, period: Period, column_key: str) -> Form:
    """The form of ``root`` reduced to column ``column_key`` (and the columns a sum
    adds up), with its records: the drill-down of one cell."""
    column = definition.column(column_key)
    needed = {column_key, *(k for _sign, k in column.terms)}
    columns = tuple(c for c in definition.columns if c.key in needed)
    return build(replace(definition, columns=columns), root, period)
