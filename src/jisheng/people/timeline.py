"""Replaying a person's life events into dated state periods.

A pure function of the event list: no database access, so it is easy to test and the
same rules serve recording, correcting and bulk loading. What each kind of event does to
the state comes from the table of :mod:`jisheng.people.consequences`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jisheng.people import consequences
from jisheng.people.choices import MARRIED_STATUSES, EventKind, MaritalStatus, PersonStatus
from jisheng.people.consequences import CONSEQUENCES, Consequence


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
NO_STATE_CHANGE = {kind for kind, c in CONSEQUENCES.items() if not c.changes_state}


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
    consequence = CONSEQUENCES.get(kind)
    if consequence is not None and not consequence.changes_state:
        return state
    if state.status == PersonStatus.TRANSFERRED_OUT and not (
        consequence is not None and consequence.after_move_out
    ):
        raise _fail(step, _("the person has moved out; record a move-in first."))
    if consequence is None:
        raise _fail(step, _("unknown event."))
    problem = _unmet(consequence.requires, state, data)
    if problem:
        raise _fail(step, problem)
    return _changed(state, consequence, data)


def _unmet(requirement: str, state: State, data: dict) -> str | None:
    """Why the state does not fit an event that ``requirement``s it (None: it fits)."""
    married = state.marital_status in MARRIED_STATUSES
    away = state.status == PersonStatus.OUT_MIGRANT
    if requirement == consequences.NOT_MARRIED and married:
        return _("the person is already married.")
    if requirement == consequences.MARRIED and not married:
        return _("the person is not married.")
    if requirement == consequences.NOT_AWAY and away:
        return _("the person is already away as an out-migrant.")
    if requirement == consequences.AWAY and not away:
        return _("the person is not away as an out-migrant.")
    if requirement == consequences.HAS_UNIT and not data.get("unit_id"):
        return _("the new unit is missing.")
    return None


def _changed(state: State, consequence: Consequence, data: dict) -> State:
    """The state after an event that fits it, from the event kind's row of the table."""
    new = state
    if consequence.status is not None:
        new = replace(new, status=consequence.status)
    if consequence.marital_status == consequences.MARRY:
        first = state.marital_status == MaritalStatus.SINGLE
        new = replace(
            new,
            marital_status=MaritalStatus.FIRST_MARRIAGE if first else MaritalStatus.REMARRIED,
        )
    elif consequence.marital_status is not None:
        new = replace(new, marital_status=consequence.marital_status)
    if consequence.moves_unit:
        new = replace(new, unit_id=int(data.get("unit_id") or state.unit_id))
    if consequence.employer == consequences.FROM_DATA:
        new = replace(new, employer_id=data.get("employer_id", state.employer_id))
    elif consequence.employer == consequences.CLEAR:
        new = replace(new, employer_id=None)
    return new


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
