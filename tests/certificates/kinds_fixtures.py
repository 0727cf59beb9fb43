"""Shared builders of the kind tests (生育登记, 婚育证明, 审验, 情况证明)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from jisheng.people.family import birth_record, couple_create
from tests import factories

D = datetime.date
_seq = itertools.count(800)
MARRIED = D(2015, 5, 1)


def today() -> datetime.date:
    return timezone.localdate()


def couple(unit, name="张", married_on=MARRIED, children=(), ended_on=None, outside=False):
    """A couple of ``unit`` (wife and husband registered there) with births on ``children``."""
    wife = factories.person(
        unit, name=f"{name}妻", sex="F", birth_date=D(1990, 1, 1), seq=next(_seq),
        registered_on=D(2010, 1, 1),
    )  # fmt: skip
    husband = None
    if not outside:
        husband = factories.person(
            unit, name=f"{name}夫", sex="M", birth_date=D(1988, 1, 1), seq=next(_seq),
            registered_on=D(2010, 1, 1),
        )  # fmt: skip
    made = couple_create(
        actor=None,
        married_on=married_on,
        wife=wife,
        husband=husband,
        outside={"name": f"{name}外夫"} if outside else None,
    )
    for day in children:
        birth_record(actor=None, mother=wife, date=day, sex="M", register_child=False)
    if ended_on is not None:
        from jisheng.people.family import couple_end

        couple_end(actor=None, couple=made, ended_on=ended_on, reason="divorce")
    made.refresh_from_db()
    return made


def woman(unit, name="刘芳", **extra):
    return factories.person(
        unit, name=name, sex="F", birth_date=D(1994, 6, 1), seq=next(_seq),
        registered_on=extra.pop("registered_on", D(2020, 1, 1)), **extra,
    )  # fmt: skip
