"""Follow-up schedules derived from a person's history and the policy pack — never typed.

:func:`derive` turns the facts of one person (dated state, method history, deliveries,
abortions) and the pack's ``followup`` rules into the visits due (:class:`Due`);
:func:`assign` then matches the visits made to them. Both are pure functions: the
services load the facts, call them and store the result (``FollowUpDue`` rows).

The rules, in the words of the seeds ("monthly for pill users, quarterly for
long-acting methods, twice a year for …"):

**Regular visits** (``kind = "method"``). While a person belongs to the pack's follow-up
target group (e.g. married women 15–49 living in the registry: 在册 or 流入), each
calendar period of her method's frequency is due once: ``every_months: 1`` → every
month, ``3`` → every quarter (January–March, …), ``6`` → every half-year, aligned on
January. A period is due only when she is in the target group *and* keeps the same
method from its first to its last day:

- a method started (or the target group entered: marriage, moving in, turning 15)
  in the middle of a period starts the schedule with the next period — starting is
  itself a service contact;
- a method change in the middle of a period ends the old method's period (not due)
  and starts the new method's schedule with the next period of its frequency;
- leaving the target group or the registry (moving out, 流出, turning 50, divorce, death)
  in the middle of a period means that period is not due;
- moving between units of the registry does not interrupt anything: a period belongs to
  the unit where she lives on its due date (the office responsible then).

Without any method record, she is taken to use no method (``none``), whose frequency the
pack also gives. While she is an **employee** (her dated state names an employer, a work
unit) and the pack gives ``employees_every_months``, every method's period is that many
months instead (the mine visits each woman employee once a quarter, whatever her method);
taking up or leaving a job in the middle of a period works like a method change.

Regular visits are due by the end of the period; for periods of a quarter or longer,
by the pack's ``followup_report`` deadline (day 25 of the third month of the quarter)
when it has one.

**Visits after an event** (``after_surgery``, ``after_delivery``, ``after_abortion``):
``first_after_days`` after the event, then every ``then_every_months``, ``visits`` in all
— for anyone living in the registry then (not only the target group): a long-acting
method started (上环, 结扎, 皮埋) is a family-planning operation; a birth is a delivery;
a pregnancy ended by abortion, induced labour or miscarriage an abortion.

**Matching visits** (:func:`assign`): a visit made for a chosen item (from the
worklist: "visit her about the overdue quarter") counts for that item, late if after its
due date. Any other visit counts for an item when it is made inside the item's window
(from ``starts_on`` to ``due_on``): done on time. A visit made before
the window counts for nothing (an early visit counts for the period it is in). A visit
after the due date counts, late, for the last item still open when no later item's
window contains it. One visit can serve one regular and one after-event item (one home
visit, two purposes).

**One visit acts on the person** (issue 13): after those matches, a visit also clears
every item of hers still open whose window had opened by the visit's day — the overdue
periods before it, late, and any other series — so that once she is visited the
worklist shows nothing of hers that the visit covers (a missed period stays missed for
the rate: it is done late, never on time).

**Face to face** (``face_to_face: true`` on a method's rule): a regular visit of that
method is done only by a visit made in person (at home, at the office, at the workplace);
a phone call clears nothing of it (it still counts for the other items it covers).

**Another appointment** (需另约时间): a visit recorded with an ``appointment_on`` date
was only an attempt (she was away, or asked for another day). It clears nothing; the
items it was for (open, window opened by then) carry the appointment date, and the
worklist shows them as due on that day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jisheng.core.periods import add_months, last_day
from jisheng.policy.choices import LONG_ACTING, Method
from jisheng.policy.deadlines import due_date
from jisheng.policy.schema import Followup, PolicyPackSchema, QuarterMonthDay, TargetGroup
from jisheng.services.choices import DueKind

ONE_DAY = datetime.timedelta(days=1)
FOLLOWUP_REPORT = "followup_report"  # the pack's deadline key for regular visits


AFTER_KIND = {
    "surgery": DueKind.AFTER_SURGERY,
    "delivery": DueKind.AFTER_DELIVERY,
    "abortion": DueKind.AFTER_ABORTION,
}


@dataclass(frozen=True)
class Span:
    """The person's state over ``[start, end)`` (end None: still so)."""

    start: datetime.date
    end: datetime.date | None
    unit_id: int
    marital: str
    status: str
    employer_id: int | None = None  # an employee (of a work unit) while set


@dataclass(frozen=True)
class MethodUse:
    method: str
    start: datetime.date
    end: datetime.date | None = None


@dataclass(frozen=True)
class Facts:
    person_id: int
    sex: str
    birth_date: datetime.date
    spans: Sequence[Span]
    methods: Sequence[MethodUse] = ()
    deliveries: Sequence[datetime.date] = ()
    abortions: Sequence[datetime.date] = ()


@dataclass(frozen=True)
class Due:
    """One visit due: a visit inside ``[starts_on, due_on]`` does it on time."""

    kind: str
    starts_on: datetime.date
    due_on: datetime.date
    unit_id: int
    method: str = ""
    sequence: int = 1  # the n-th visit after the event
    event_on: datetime.date | None = None  # the event an after-event visit follows
    face_to_face: bool = False  # only a visit in person does it (the pack's method rule)

    @property
    def key(self) -> tuple[str, datetime.date]:
        return (self.kind, self.starts_on)


@dataclass
class Done:
    """A due item with the visit that did it (if any)."""

    due: Due
    visit_id: Any = None
    done_on: datetime.date | None = None
    # The day agreed for another visit (需另约时间) while the item is still open.
    appointment_on: datetime.date | None = None

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due.due_on


@dataclass(frozen=True)
class Visit:
    id: Any
    on: datetime.date
    # The item the visit was made for (kind, starts_on), chosen on the worklist: it
    # clears that item first, even one overdue, rather than the period it falls in.
    target: tuple[str, datetime.date] | None = None
    # Set when the visit only agreed another day (需另约时间): it clears nothing.
    appointment_on: datetime.date | None = None
    # Made in person (not by phone): only such a visit does a face-to-face item.
    face_to_face: bool = True


@dataclass(frozen=True)
class Horizon:
    """The days whose due items are kept: from ``start`` to ``end`` inclusive."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def around(cls, today: datetime.date) -> Horizon:
        """From 1 January of last year to 31 December of this one."""
        return cls(datetime.date(today.year - 1, 1, 1), datetime.date(today.year, 12, 31))


@dataclass
class _Interval:
    start: datetime.date
    end: datetime.date | None  # exclusive
    spans: list[Span] = field(default_factory=list)


# --------------------------------------------------------------------------- membership


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


RESIDENT = ("registered", "in_migrant")


def _member(group: TargetGroup | None, sex: str, span: Span) -> bool:
    """Whether the state of ``span`` is in ``group`` (None: living in the registry). A
    group that names no statuses means the people living in the registry: nobody follows
    up the departed or the dead."""
    if (group is None or not group.statuses) and span.status not in RESIDENT:
        return False
    if group is None:
        return True
    if group.sex and sex != group.sex:
        return False
    if group.marital and span.marital not in group.marital:
        return False
    return not group.statuses or span.status in group.statuses


def intervals(facts: Facts, group: TargetGroup | None) -> list[_Interval]:
    """The stretches of time the person belongs to ``group`` (None: lives in the registry),
    contiguous spans merged: moving between units does not interrupt membership."""
    low = high = None
    if group is not None:
        if group.age_min is not None:
            low = _years_after(facts.birth_date, group.age_min)
        if group.age_max is not None:
            high = _years_after(facts.birth_date, group.age_max + 1)
    result: list[_Interval] = []
    for span in sorted(facts.spans, key=lambda s: s.start):
        if not _member(group, facts.sex, span):
            continue
        start = max(span.start, low) if low else span.start
        end = span.end
        if high is not None:
            end = min(end, high) if end is not None else high
        if end is not None and end <= start:
            continue
        last = result[-1] if result else None
        if last is not None and last.end == span.start and start == span.start:
            last.end = end
            last.spans.append(span)
        else:
            result.append(_Interval(start, end, [span]))
    return result


def unit_on(spans: Iterable[Span], day: datetime.date) -> int | None:
    """The unit of the span containing ``day`` (else of the last span before it)."""
    best: Span | None = None
    for span in spans:
        if span.start <= day and (span.end is None or day < span.end):
            return span.unit_id
        if span.start <= day and (best is None or span.start > best.start):
            best = span
    return best.unit_id if best is not None else None


# --------------------------------------------------------------------------- regular visits


def _method_segments(
    methods: Sequence[MethodUse], start: datetime.date, end: datetime.date | None
) -> list[MethodUse]:
    """The methods in use over ``[start, end)``, gaps filled with ``none``."""
    out: list[MethodUse] = []
    cursor = start
    for use in sorted(methods, key=lambda m: m.start):
        if use.end is not None and use.end <= cursor:
            continue
        if end is not None and use.start >= end:
            break
        if use.start > cursor:
            out.append(MethodUse(Method.NONE, cursor, use.start))
        seg_start = max(use.start, cursor)
        seg_end = use.end if end is None else (min(use.end, end) if use.end else end)
        out.append(MethodUse(use.method, seg_start, seg_end))
        if seg_end is None:
            return out
        cursor = seg_end
    if end is None or cursor < end:
        out.append(MethodUse(Method.NONE, cursor, end))
    return out


def _periods(
    every: int, start: datetime.date, end: datetime.date | None, horizon: Horizon
) -> Iterable[tuple[datetime.date, datetime.date]]:
    """Calendar periods of ``every`` months (aligned on January) lying wholly inside
    ``[start, end)`` and ending inside the horizon: ``(first day, last day)``."""
    first = max(start, horizon.start)
    index = first.year * 12 + first.month - 1
    index += (-index) % every  # the next aligned month
    if datetime.date(index // 12, index % 12 + 1, 1) < start:
        index += every
    while True:
        year, month0 = divmod(index, 12)
        period_start = datetime.date(year, month0 + 1, 1)
        end_index = index + every - 1
        end_year, end_month0 = divmod(end_index, 12)
        period_end = datetime.date(end_year, end_month0 + 1, last_day(end_year, end_month0 + 1))
        if period_end > horizon.end:
            return
        if end is not None and period_end >= end:
            return
        if period_start >= start:
            yield period_start, period_end
        index += every


def _regular_due_on(pack: PolicyPackSchema, every: int, last: datetime.date) -> datetime.date:
    rule = pack.deadlines.get(FOLLOWUP_REPORT)
    if every >= 3 and isinstance(rule, QuarterMonthDay):
        return due_date(rule, last)
    return last


def _employment(interval: _Interval) -> list[tuple[bool, datetime.date, datetime.date | None]]:
    """``interval`` cut where the person takes up or leaves a job: ``(employee, start,
    end)`` pieces, consecutive spans of the same kind merged."""
    out: list[tuple[bool, datetime.date, datetime.date | None]] = []
    for span in interval.spans:
        employed = span.employer_id is not None
        start = max(span.start, interval.start)
        end = span.end
        if interval.end is not None:
            end = min(end, interval.end) if end is not None else interval.end
        if end is not None and end <= start:
            continue
        if out and out[-1][0] == employed and out[-1][2] == start:
            out[-1] = (employed, out[-1][1], end)
        else:
            out.append((employed, start, end))
    return out


def frequency(followup: Followup, method: str, employee: bool) -> tuple[int, bool] | None:
    """``(every_months, face_to_face)`` of a method's regular visits, ``None`` when the pack
    follows nobody up for it. An employee is visited every ``employees_every_months``
    (when the pack gives it) whatever the method."""
    rule = followup.methods.get(method)
    face_to_face = rule.face_to_face if rule is not None else False
    if employee and followup.employees_every_months is not None:
        return followup.employees_every_months, face_to_face
    if rule is None:
        return None
    return rule.every_months, face_to_face


def _regular(facts: Facts, pack: PolicyPackSchema, horizon: Horizon) -> list[Due]:
    followup = pack.followup
    if followup is None or not (followup.methods or followup.employees_every_months):
        return []
    group = pack.target_groups.get(followup.target)
    if group is None:
        return []
    out: list[Due] = []
    for interval in intervals(facts, group):
        for employee, start, end in _employment(interval):
            for segment in _method_segments(facts.methods, start, end):
                found = frequency(followup, segment.method, employee)
                if found is None:
                    continue
                every, face_to_face = found
                for first, last in _periods(every, segment.start, segment.end, horizon):
                    due_on = _regular_due_on(pack, every, last)
                    unit_id = unit_on(interval.spans, due_on)
                    if unit_id is None:
                        continue
                    out.append(
                        Due(
                            DueKind.METHOD,
                            first,
                            due_on,
                            unit_id,
                            method=segment.method,
                            face_to_face=face_to_face,
                        )
                    )
    return out


# --------------------------------------------------------------------------- after events


def _events(facts: Facts) -> list[tuple[str, datetime.date]]:
    events = [("surgery", m.start) for m in facts.methods if m.method in LONG_ACTING]
    events += [("delivery", day) for day in facts.deliveries]
    events += [("abortion", day) for day in facts.abortions]
    return sorted(events, key=lambda e: e[1])


def _containing(found: list[_Interval], day: datetime.date) -> _Interval | None:
    return next((i for i in found if i.start <= day and (i.end is None or day < i.end)), None)


def _after(facts: Facts, pack: PolicyPackSchema, horizon: Horizon) -> list[Due]:
    followup = pack.followup
    if followup is None or not followup.after:
        return []
    resident = intervals(facts, None)
    out: list[Due] = []
    for event, day in _events(facts):
        rule = followup.after.get(event)
        if rule is None:
            continue
        window_start = day + ONE_DAY
        first_due = day + datetime.timedelta(days=rule.first_after_days)
        for n in range(rule.visits):
            if n == 0:
                due_on = first_due
            elif rule.then_every_months:
                due_on = add_months(first_due, rule.then_every_months * n)
            else:
                break
            if horizon.start <= due_on <= horizon.end:
                home = next(
                    (
                        i
                        for i in resident
                        if i.start <= due_on and (i.end is None or due_on < i.end)
                    ),
                    None,
                )
                unit_id = unit_on(home.spans, due_on) if home is not None else None
                if unit_id is not None:
                    out.append(
                        Due(
                            AFTER_KIND[event],
                            window_start,
                            due_on,
                            unit_id,
                            sequence=n + 1,
                            event_on=day,
                        )
                    )
            window_start = due_on + ONE_DAY
    return out


def derive(facts: Facts, pack: PolicyPackSchema | None, horizon: Horizon) -> list[Due]:
    """Every visit due for the person within the horizon, in due order."""
    if pack is None:
        return []
    items = _regular(facts, pack, horizon) + _after(facts, pack, horizon)
    # Two events on one day (twins' delivery recorded twice …) give one item per key.
    unique = {item.key: item for item in items}
    return sorted(unique.values(), key=lambda d: (d.due_on, d.kind, d.starts_on))


# A pack's versions over time: ``(from, pack)`` in date order, the first ``from`` None
# (it also governs the days before any later version).
PackTimeline = Sequence[tuple[datetime.date | None, PolicyPackSchema | None]]


def derive_dated(facts: Facts, packs: PackTimeline, horizon: Horizon) -> list[Due]:
    """:func:`derive` where each item follows the pack version in force on its due date
    (SPEC §9, "the past stays put"): a new version changes the items due from its
    effective date on, never those due before it — last year's visits due and 随访率
    stay what they were."""
    if len(packs) == 1:
        return derive(facts, packs[0][1], horizon)
    unique: dict[tuple[str, datetime.date], Due] = {}
    for index, (start, pack) in enumerate(packs):
        end = packs[index + 1][0] if index + 1 < len(packs) else None
        for item in derive(facts, pack, horizon):
            if (start is None or item.due_on >= start) and (end is None or item.due_on < end):
                unique[item.key] = item
    return sorted(unique.values(), key=lambda d: (d.due_on, d.kind, d.starts_on))


# --------------------------------------------------------------------------- visits


def _series(due: Due) -> str:
    return "regular" if due.kind == DueKind.METHOD else "after"


def _serves(visit: Visit, due: Due) -> bool:
    """Whether ``visit`` can do ``due``: a face-to-face item needs a visit in person."""
    return visit.face_to_face or not due.face_to_face


def assign(items: Sequence[Due], visits: Sequence[Visit], today: datetime.date) -> list[Done]:
    """Match visits to due items (see the module documentation); keeps ``items``' order."""
    done = [Done(item) for item in items]
    attempts = sorted(
        (v for v in visits if v.appointment_on is not None), key=lambda v: (v.on, str(v.id))
    )
    ordered = sorted(
        (v for v in visits if v.appointment_on is None), key=lambda v: (v.on, str(v.id))
    )
    by_key = {d.due.key: d for d in done}
    targeted: set[Any] = set()
    for visit in ordered:  # visits made for a chosen item
        entry = by_key.get(visit.target) if visit.target else None
        if (
            entry is not None
            and entry.done_on is None
            and visit.on >= entry.due.starts_on
            and _serves(visit, entry.due)
        ):
            entry.visit_id, entry.done_on = visit.id, visit.on
            targeted.add(visit.id)
    for series in ("regular", "after"):
        chain = sorted(
            (d for d in done if _series(d.due) == series and d.done_on is None),
            key=lambda d: (d.due.due_on, d.due.key),
        )
        used: set[Any] = set(targeted)
        for entry in chain:  # on time: inside the window
            for visit in ordered:
                if visit.id in used or not _serves(visit, entry.due):
                    continue
                if entry.due.starts_on <= visit.on <= entry.due.due_on:
                    entry.visit_id, entry.done_on = visit.id, visit.on
                    used.add(visit.id)
                    break
        for n, entry in enumerate(chain):  # late: after the due date, before the next window
            if entry.done_on is not None or entry.due.due_on >= today:
                continue
            later = [e.due.starts_on for e in chain[n + 1 :]]
            for visit in ordered:
                if (
                    visit.id in used
                    or visit.on <= entry.due.due_on
                    or not _serves(visit, entry.due)
                ):
                    continue
                if any(start <= visit.on for start in later):
                    break
                entry.visit_id, entry.done_on = visit.id, visit.on
                used.add(visit.id)
                break
    for entry in done:  # one visit acts on the person: what is still open and had begun
        if entry.done_on is None:
            visit = next(
                (v for v in ordered if v.on >= entry.due.starts_on and _serves(v, entry.due)),
                None,
            )
            if visit is not None:
                entry.visit_id, entry.done_on = visit.id, visit.on
    for entry in done:  # another day agreed: the latest appointment after the window opened
        if entry.done_on is None:
            agreed = [v for v in attempts if v.on >= entry.due.starts_on]
            if agreed:
                entry.appointment_on = agreed[-1].appointment_on
    return done
