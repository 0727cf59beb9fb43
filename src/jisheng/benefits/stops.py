"""Registry events that stop an entitlement's payments (issue 18, SPEC §7).

**Which events.** Only events of the entitlement's *person* (the child of 育儿补贴, the
parent of 特扶) stop it, and only the kinds the pack's ``stop_on`` lists:

=====================  =====================================  ===========================
event                  seen as                                 payments stop from (until)
=====================  =====================================  ===========================
death                  LifeEvent DEATH / status ``deceased``   the first day of the next
                                                               month (the month of death
                                                               is paid)
left the area          LifeEvent MOVE_OUT / status             the first day of the next
                       ``transferred_out`` (kinds claimed      month (the month of the move
                       where registered: ``registered_here``)  is paid)
end of eligibility     ``ends_on`` reached, or the age limit   that day (a child born
                       of a ``child`` kind (its clause with    2023-05-20 is three on
                       ``years``, e.g. under 3)                2026-05-20: May is not paid)
=====================  =====================================  ===========================

``until`` is the first day no longer paid, as :func:`jisheng.benefits.amounts.compute`
takes it; it is stored in ``Entitlement.stopped_on``.

**When.** Right away, in the transaction of the event: the receiver of
``people.signals.history_changed`` (:mod:`jisheng.benefits.hooks`) — one indexed query
(``benefit_ent_person``) for a person with no active entitlement, so the people app
never imports benefits. And each night (``jisheng benefits stops``, the periodic job):
the bulk loads send no signal and birthdays are no event. The scan reads only the rows
concerned through indexed conditions — active entitlements of deceased or moved persons,
``ends_on`` passed, persons born before the age limit — never a loop over all persons.
The same rule is applied at read time (:func:`due_stop`) so that a page shows a stop due
before the night's job made it.

Nothing here is a sanction (SPEC §0): an entitlement ends only where the eligibility the
law sets ends.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from jisheng.benefits.amounts import next_month
from jisheng.benefits.choices import EntitlementStatus, StopReason
from jisheng.benefits.models import Entitlement
from jisheng.people.choices import EventKind, PersonStatus
from jisheng.people.models import LifeEvent, Person
from jisheng.policy.schema_benefits import BenefitKind

# rules of a clause that set an upper age limit (``years``) on the person
AGE_LIMIT_RULES = ("age_under", "child_age_under", "under_age", "age_below")


@dataclass(frozen=True)
class Stop:
    reason: str  # a StopReason
    event_on: datetime.date  # the day of the event
    until: datetime.date  # the first day no longer paid

    @property
    def label(self) -> str:
        return str(StopReason(self.reason).label)


def until_for(reason: str, event_on: datetime.date) -> datetime.date:
    """The first day no longer paid after an event of ``reason`` on ``event_on``."""
    if reason == StopReason.ELIGIBILITY_ENDED:
        return event_on
    return next_month(event_on)  # a death or a move pays its month


def age_limit(kind: BenefitKind | None) -> int | None:
    """The age (years) at which a kind's eligibility ends, from its clauses."""
    if kind is None:
        return None
    for clause in kind.eligibility:
        if clause.years is not None and (
            clause.rule in AGE_LIMIT_RULES or clause.rule.endswith("_under")
        ):
            return clause.years
    return None


def birthday(born: datetime.date, years: int) -> datetime.date:
    """The day ``born`` turns ``years`` (29 February: 1 March in a common year)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


def eligibility_end(entitlement: Entitlement, kind: BenefitKind | None) -> datetime.date | None:
    """The day the eligibility ends (``ends_on``, else the kind's age limit)."""
    if entitlement.ends_on is not None:
        return entitlement.ends_on
    years = age_limit(kind)
    if years is None:
        return None
    return birthday(entitlement.person.birth_date, years)


def _event_day(person: Person, kinds: tuple[str, ...]) -> datetime.date | None:
    """The date of the person's latest event of ``kinds`` not corrected."""
    event = (
        LifeEvent.objects.filter(person=person, kind__in=kinds, reversed_by__isnull=True)
        .order_by("-date", "-id")
        .first()
    )
    return event.date if event is not None else None


def due_stop(
    entitlement: Entitlement,
    kind: BenefitKind | None,
    *,
    today: datetime.date,
    person: Person | None = None,
) -> Stop | None:
    """The stop due for ``entitlement`` on ``today`` (the earliest), or None."""
    person = person or entitlement.person
    stop_on = kind.stop_on if kind is not None else list(StopReason.values)
    found: list[Stop] = []
    if StopReason.DEATH in stop_on and person.status == PersonStatus.DECEASED:
        day = _event_day(person, (EventKind.DEATH,)) or today
        found.append(Stop(StopReason.DEATH, day, until_for(StopReason.DEATH, day)))
    registered_here = kind.registered_here if kind is not None else True
    if (
        StopReason.MOVED_AWAY in stop_on
        and registered_here
        and person.status == PersonStatus.TRANSFERRED_OUT
    ):
        day = _event_day(person, (EventKind.MOVE_OUT,)) or today
        found.append(Stop(StopReason.MOVED_AWAY, day, until_for(StopReason.MOVED_AWAY, day)))
    if StopReason.ELIGIBILITY_ENDED in stop_on:
        end = eligibility_end(entitlement, kind)
        if end is not None and end <= today:
            found.append(Stop(StopReason.ELIGIBILITY_ENDED, end, end))
    if not found:
        return None
    return min(found, key=lambda s: s.until)


def candidates(*, today: datetime.date, age_limits: dict[str, int]) -> list[Entitlement]:
    """The active entitlements that may have a stop due: their person deceased or moved
    away, ``ends_on`` passed, or born before a kind's age limit (``age_limits``: kind
    key → years). Indexed conditions only; the rows concerned, not all of them."""
    condition = Q(person__status__in=[PersonStatus.DECEASED, PersonStatus.TRANSFERRED_OUT])
    condition |= Q(ends_on__lte=today)
    for key, years in age_limits.items():
        condition |= Q(
            kind=key, ends_on__isnull=True, person__birth_date__lte=birthday_back(today, years)
        )
    return list(
        Entitlement.objects.filter(condition, status=EntitlementStatus.ACTIVE)
        .select_related("person", "unit")
        .order_by("id")
    )


def birthday_back(today: datetime.date, years: int) -> datetime.date:
    """The latest birth date of a person who is ``years`` old on ``today``."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return datetime.date(today.year - years, 2, 28)
