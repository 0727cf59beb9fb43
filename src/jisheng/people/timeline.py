"""Replaying a person's life events into dated state periods.

A pure function of the event list: no database access, so it is easy to test and the
same rules serve recording, correcting and bulk loading.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jisheng.people.choices import MARRIED_STATUSES, EventKind, MaritalStatus, PersonStatus


@dataclass(frozen=True)
class State:
    unit_id: int
    employer_id: int | None
    marital_status: str
    status: str


@dataclass(frozen=True)
class Step:
    """An event as the replay sees it."""

    key: Any  # the event's id (or any identifier) — opened periods point back to it
    kind: str
    date: datetime.date
    data: dict


@dataclass(frozen=True)
class Span:
    valid_from: datetime.date
    valid_to: datetime.date | None
    state: State
    key: Any


# Events that end a person's presence in the registry: nothing may follow them but a
# return/move-in (for departures) — and nothing at all after death.
DEPARTED = {PersonStatus.TRANSFERRED_OUT, PersonStatus.DECEASED}

# Events that leave the state as it is (recorded for services and statistics).
NO_STATE_CHANGE = {EventKind.BIRTH, EventKind.CONTRACEPTION}


def _fail(step: Step, message: str) -> ValidationError:
    return ValidationError(
        _("%(event)s on %(date)s: %(problem)s")
        % {"event": EventKind(step.kind).label, "date": step.date.isoformat(), "problem": message}
    )


def apply(state: State | None, step: Step) -> State:
    """The state after ``step``; raises ``ValidationError`` when the event cannot happen."""
    kind = step.kind
    data = step.data
    if kind == EventKind.REGISTER:
        if state is not None:
            raise _fail(step, _("the person is already registered."))
        return State(
            unit_id=int(data["unit_id"]),
            employer_id=data.get("employer_id"),
            marital_status=data.get("marital_status") or MaritalStatus.SINGLE,
            status=data.get("status") or PersonStatus.REGISTERED,
        )
    if state is None:
        raise _fail(step, _("the event is dated before the person's registration."))
    if state.status == PersonStatus.DECEASED:
        raise _fail(step, _("the person is recorded as deceased before this date."))
    if kind in NO_STATE_CHANGE:
        return state
    if state.status == PersonStatus.TRANSFERRED_OUT and kind not in (
        EventKind.MOVE_IN,
        EventKind.DEATH,
    ):
        raise _fail(step, _("the person has moved out; record a move-in first."))
    if kind == EventKind.MARRIAGE:
        if state.marital_status in MARRIED_STATUSES:
            raise _fail(step, _("the person is already married."))
        new = (
            MaritalStatus.FIRST_MARRIAGE
            if state.marital_status == MaritalStatus.SINGLE
            else MaritalStatus.REMARRIED
        )
        return replace(state, marital_status=new)
    if kind == EventKind.DIVORCE:
        if state.marital_status not in MARRIED_STATUSES:
            raise _fail(step, _("the person is not married."))
        return replace(state, marital_status=MaritalStatus.DIVORCED)
    if kind == EventKind.WIDOWED:
        if state.marital_status not in MARRIED_STATUSES:
            raise _fail(step, _("the person is not married."))
        return replace(state, marital_status=MaritalStatus.WIDOWED)
    if kind == EventKind.DEATH:
        return replace(state, status=PersonStatus.DECEASED)
    if kind == EventKind.MOVE_OUT:
        return replace(state, status=PersonStatus.TRANSFERRED_OUT)
    if kind == EventKind.MOVE_IN:
        return replace(
            state,
            status=PersonStatus.REGISTERED,
            unit_id=int(data.get("unit_id") or state.unit_id),
            employer_id=data.get("employer_id", state.employer_id),
        )
    if kind == EventKind.FLOW_OUT:
        if state.status == PersonStatus.OUT_MIGRANT:
            raise _fail(step, _("the person is already away as an out-migrant."))
        return replace(state, status=PersonStatus.OUT_MIGRANT)
    if kind == EventKind.FLOW_IN:
        return replace(
            state, status=PersonStatus.IN_MIGRANT, unit_id=int(data.get("unit_id") or state.unit_id)
        )
    if kind == EventKind.RETURN:
        if state.status != PersonStatus.OUT_MIGRANT:
            raise _fail(step, _("the person is not away as an out-migrant."))
        return replace(state, status=PersonStatus.REGISTERED)
    if kind == EventKind.INTERNAL_TRANSFER:
        if not data.get("unit_id"):
            raise _fail(step, _("the new unit is missing."))
        return replace(
            state,
            unit_id=int(data["unit_id"]),
            employer_id=data.get("employer_id", state.employer_id),
        )
    if kind == EventKind.RETIREMENT:
        return replace(state, status=PersonStatus.RETIRED)
    if kind == EventKind.EARLY_RETIREMENT:
        return replace(state, status=PersonStatus.EARLY_RETIRED)
    if kind == EventKind.LEAVE_EMPLOYMENT:
        return replace(state, status=PersonStatus.CONTRACT_ENDED, employer_id=None)
    raise _fail(step, _("unknown event."))


def replay(steps: Iterable[Step]) -> list[Span]:
    """Periods from events (already without corrected ones), in date order.

    Events of one day apply in the order given; a period that would last zero days is
    replaced by the next one.
    """
    spans: list[Span] = []
    state: State | None = None
    for step in sorted(steps, key=lambda s: s.date):
        new = apply(state, step)
        if new == state:
            continue
        if spans and spans[-1].valid_from == step.date:
            spans[-1] = Span(step.date, None, new, step.key)
        else:
            if spans:
                last = spans[-1]
                spans[-1] = Span(last.valid_from, step.date, last.state, last.key)
            spans.append(Span(step.date, None, new, step.key))
        state = new
    return spans
