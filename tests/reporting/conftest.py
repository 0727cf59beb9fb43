"""A small statistical form of our own (the forms helper ships the real ones): births per
unit of a month, with the records behind each cell, registered under ``test_births``."""

from __future__ import annotations

import datetime

import pytest

from jisheng.core.periods import MONTH, Period
from jisheng.core.registry import registry
from jisheng.core.statforms import CheckFinding, Form, FormRow, FormSpec, Rows

KEY = "test_births"


def build_births(unit, period: Period) -> Form:
    from jisheng.people.models import Birth

    rows = Rows(unit)
    records: dict = {}
    births = Birth.objects.filter(
        unit__path__startswith=unit.path, date__gte=period.first, date__lte=period.last
    ).values_list("pk", "unit_id", "sex")
    width = rows.width
    by_path = {u.path: u.pk for u in rows.units}
    for pk, unit_id, sex in births:
        key = "boys" if sex == "M" else "girls"
        for column in ("births", key):
            rows.add(unit_id, column, 1)
            ref = f"people.birth:{pk}"
            records.setdefault((None, column), []).append(ref)
            row_pk = by_path.get(rows.paths[unit_id][:width])
            if row_pk is not None:
                records.setdefault((row_pk, column), []).append(ref)
    form = Form(
        key=KEY,
        title="出生统计（测试）",
        root=unit,
        period=period,
        columns=[("births", "出生"), ("boys", "男"), ("girls", "女")],
        records=records,
    )
    form.rows = [
        FormRow(u, {k: cells.get(k, 0) for k in ("births", "boys", "girls")})
        for u, cells in rows.rows()
    ]
    return form


def deadline(unit, period: Period) -> datetime.date:
    """The 5th of the month after the period."""
    return period.last + datetime.timedelta(days=5)


SPEC = FormSpec(
    key=KEY,
    title="出生统计（测试）",
    frequency=MONTH,
    build=build_births,
    deadline=deadline,
    order=1,
    version="t1",
    source="tests",
)


@pytest.fixture
def births_form():
    """The test form ALONE in the registry: the shipped forms (reporting/forms/*.yaml,
    the commodity forms) would add their own reports due to the figures worked out here."""
    saved = dict(registry["statforms"])
    registry["statforms"].clear()
    registry["statforms"][KEY] = SPEC
    yield SPEC
    registry["statforms"].clear()
    registry["statforms"].update(saved)


@pytest.fixture
def failing_check(monkeypatch):
    """A submission check finding one error for village A's test_births reports."""

    def check(*, unit, form_key, period):
        if form_key == KEY and unit.code == "990100001001":
            return [CheckFinding("too_many", "error", "出生数偏多，请核实", url="/people/")]
        return []

    monkeypatch.setitem(registry["submission_checks"], "test_too_many", check)
    return check


@pytest.fixture
def birth(tree, make_person):
    """``birth(day, unit=village A, sex="F")``: a birth record of a new mother."""
    from jisheng.people.models import Birth

    def make(day, unit=None, sex="F"):
        unit = unit or tree.village_a
        mother = make_person(unit=unit, name="王芳", sex="F")
        return Birth.objects.create(unit=unit, mother=mother, date=day, sex=sex, computed_order=1)

    return make
