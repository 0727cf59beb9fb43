"""Fixtures of the benefits tests: families in the small county of ``tests/conftest.py``."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable

import pytest

from jisheng.people.models import Birth, Person

_seq = itertools.count(500)


@pytest.fixture
def family(tree, make_person) -> Callable[..., Birth]:
    """``family(child_born, mother=None, father=None, unit=None, sex="F", ...)``: a child
    of village A (by default) with her birth record; parents made when not given."""

    def make(
        child_born: datetime.date,
        *,
        mother: Person | None = None,
        father: Person | bool | None = None,
        unit=None,
        sex: str = "F",
        name: str = "王小红",
        mother_born: datetime.date = datetime.date(1992, 3, 1),
        father_born: datetime.date = datetime.date(1990, 3, 1),
        **child_fields,
    ) -> Birth:
        unit = unit or tree.village_a
        if mother is None:
            mother = make_person(unit, name="李母", sex="F", birth_date=mother_born, seq=next(_seq))
        if father is None:
            father = make_person(unit, name="王父", sex="M", birth_date=father_born, seq=next(_seq))
        elif father is False:
            father = None
        child = make_person(
            unit,
            name=name,
            sex=sex,
            birth_date=child_born,
            seq=next(_seq),
            registered_on=child_born,
            **child_fields,
        )
        order = Birth.objects.filter(mother=mother).count() + 1
        return Birth.objects.create(
            unit=unit,
            mother=mother,
            father=father,  # type: ignore[misc]
            child=child,
            child_name=child.name,
            date=child_born,
            sex=sex,
            computed_order=order,
        )

    return make
