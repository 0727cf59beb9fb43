"""Reads of the services app, always in the caller's scope: the worklist (待办), a
person's methods, visits and visits due. (The follow-up rate is the catalogue's
``followup_rate`` indicator: one definition, read through the indicator engine.)

The worklist is read from rows kept up to date as things happen (``FollowUpDue``,
rebuilt per person on every change and for everyone nightly; open transfers,
pregnancies and marriages from the registry), each through an index on its date, so
opening it costs a few indexed counts and one page per group — never a pass over the
registry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.core import registry
from jisheng.core.querysets import count_and_first
from jisheng.core.scope import restrict_within
from jisheng.orgs.models import Unit
from jisheng.people.choices import EventKind, PregnancyOutcome, TransferStatus
from jisheng.people.models import Birth, LifeEvent, Person, Pregnancy, Transfer
from jisheng.policy.selectors import packs_remembered
from jisheng.services.choices import DueKind
from jisheng.services.models import ContraceptionRecord, FollowUpDue, FollowUpVisit

# Overdue visits older than this are missed (they count in the rate), not to-dos.
OVERDUE_DAYS = 92
# Pregnancies expected within this many days are prompted.
PREGNANCY_PROMPT_DAYS = 30
# Newlyweds are offered guidance within this many days of the marriage.
NEWLYWED_DAYS = 30
# A newborn is registered (建档) within this many days of the birth; births older than a
# year without the child's record are left to the data-quality checks.
BIRTH_REGISTRATION_DAYS = 30
REGISTRATION_KEPT_DAYS = 366


class WorkKind:
    OVERDUE = "overdue"
    DUE = "due"
    TRANSFER = "transfer"
    PREGNANCY = "pregnancy"
    NEWLYWED = "newlywed"
    ABSENT = "absent"
    LETTER = "letter"
    REGISTRATION = "registration"

    LABELS = {
        OVERDUE: _("Visits overdue"),
        DUE: _("Visits due"),
        TRANSFER: _("Open management transfers"),
        PREGNANCY: _("Pregnancies near the expected date"),
        NEWLYWED: _("Newlyweds to offer guidance"),
        ABSENT: _("Campaign targets to offer another date"),
        LETTER: _("Letters of inquiry without reply"),
        REGISTRATION: _("Newborns past their registration deadline"),
    }
    ORDER = (OVERDUE, DUE, PREGNANCY, NEWLYWED, REGISTRATION, TRANSFER, ABSENT, LETTER)


# A worklist line is the registry's (any app's source returns them).
WorkItem = registry.WorkItem


@dataclass
class WorkGroup:
    kind: str
    label: Any
    count: int
    items: list[WorkItem] = field(default_factory=list)


@dataclass
class Worklist:
    today: datetime.date
    groups: list[WorkGroup]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)


def _within(queryset: QuerySet, user: Any, unit: Unit | None) -> QuerySet:
    return restrict_within(queryset, user, unit)


def due_open(user: Any, *, unit: Unit | None = None, today: datetime.date) -> QuerySet:
    """Visits due whose window has opened and that are not done, back to OVERDUE_DAYS
    (or with another day agreed that has not passed yet)."""
    recent = Q(due_on__gte=today - datetime.timedelta(days=OVERDUE_DAYS))
    return _within(FollowUpDue.objects, user, unit).filter(
        recent | Q(appointment_on__gte=today), done_on=None, starts_on__lte=today
    )


def _visit_url(person_id: int, due_id: int | None = None) -> str:
    url = reverse("services:visit_create", args=[person_id])
    return f"{url}?due={due_id}" if due_id else url


def worklist(
    user: Any,
    *,
    unit: Unit | None = None,
    today: datetime.date | None = None,
    limit: int = 20,
    kinds: tuple[str, ...] | None = None,
) -> Worklist:
    """Everything due or overdue in ``user``'s scope (below ``unit``), grouped by kind,
    each group's count and its first ``limit`` items by date.

    The kinds are the registered worklist sources (``jisheng.core.registry``), in their
    order or in the order of ``kinds``; a kind whose permission ``user`` lacks, or that
    no app registered, has no group."""
    today = today or timezone.localdate()
    sources = registry.registry["worklist_sources"]
    chosen = registry.worklist_sources() if kinds is None else [sources.get(k) for k in kinds]
    groups: list[WorkGroup] = []
    with packs_remembered():  # the sources ask for the same unit's pack
        for source in chosen:
            if source is None or (source.permission and not user.has_perm(source.permission)):
                continue
            count, items = source.collect(user, unit=unit, today=today, limit=limit)
            groups.append(WorkGroup(source.kind, source.label, count, list(items)))
    return Worklist(today, groups)


# --------------------------------------------------------------------------- sources
# Each kind of work of the services app (and, for now, the registry's transfers,
# pregnancies and newborns to register): ``collect(user, *, unit, today, limit)`` →
# (count, first ``limit`` items by date).

Collected = tuple[int, list[WorkItem]]


def _visits(*, overdue_wanted: bool) -> Any:
    def collect(user: Any, *, unit: Unit | None, today: datetime.date, limit: int) -> Collected:
        labels = dict(DueKind.choices)
        # An item with another day agreed (需另约时间) is due on that day.
        overdue = Q(due_on__lt=today) & (Q(appointment_on=None) | Q(appointment_on__lt=today))
        qs = due_open(user, unit=unit, today=today).filter(overdue if overdue_wanted else ~overdue)
        total, rows = count_and_first(
            qs.select_related("person", "unit")
            .annotate(when=Coalesce("appointment_on", "due_on"))
            .order_by("when", "id"),
            limit,
        )
        items = [
            WorkItem(
                row.person_id,
                row.person.name,
                row.unit.name,
                row.when,
                str(labels.get(row.kind, row.kind)),
                _visit_url(row.person_id, row.pk),
                late_days=max(0, (today - row.when).days),
                appointment_on=row.appointment_on,
            )
            for row in rows
        ]
        return total, items

    return collect


def _transfers(user: Any, *, unit: Unit | None, today: datetime.date, limit: int) -> Collected:
    qs = _within(Transfer.objects, user, unit).filter(status=TransferStatus.OPEN)
    total, rows = count_and_first(
        qs.select_related("person", "unit").order_by("opened_on", "id"), limit
    )
    items = [
        WorkItem(
            t.person_id,
            t.person.name,
            t.unit.name,
            t.opened_on,
            str(t.get_reason_display()),
            reverse("people:transfer_complete", args=[t.pk]),
            late_days=(today - t.opened_on).days,
        )
        for t in rows
    ]
    return total, items


def _pregnancies(user: Any, *, unit: Unit | None, today: datetime.date, limit: int) -> Collected:
    qs = _within(Pregnancy.objects, user, unit).filter(
        outcome=PregnancyOutcome.ONGOING,
        expected_on__lte=today + datetime.timedelta(days=PREGNANCY_PROMPT_DAYS),
    )
    total, rows = count_and_first(
        qs.select_related("woman", "unit").order_by("expected_on", "id"), limit
    )
    items = [
        WorkItem(
            p.woman_id,
            p.woman.name,
            p.unit.name,
            p.expected_on,
            str(_("Expected date")),
            reverse("people:person_detail", args=[p.woman_id]),
            late_days=max(0, (today - p.expected_on).days),
        )
        for p in rows
    ]
    return total, items


def _registrations(user: Any, *, unit: Unit | None, today: datetime.date, limit: int) -> Collected:
    qs = _within(Birth.objects, user, unit).filter(
        child__isnull=True,
        date__lte=today - datetime.timedelta(days=BIRTH_REGISTRATION_DAYS),
        date__gte=today - datetime.timedelta(days=REGISTRATION_KEPT_DAYS),
    )
    total, rows = count_and_first(qs.select_related("mother", "unit").order_by("date", "id"), limit)
    items = [
        WorkItem(
            b.mother_id,
            b.mother.name,
            b.unit.name,
            b.date + datetime.timedelta(days=BIRTH_REGISTRATION_DAYS),
            str(_("Register the child %(name)s") % {"name": b.child_name or "—"}),
            reverse("people:birth_detail", args=[b.pk]),
            late_days=(today - b.date).days - BIRTH_REGISTRATION_DAYS,
        )
        for b in rows
    ]
    return total, items


def _newlyweds(user: Any, *, unit: Unit | None, today: datetime.date, limit: int) -> Collected:
    since = today - datetime.timedelta(days=NEWLYWED_DAYS)
    qs = (
        _within(LifeEvent.objects, user, unit)
        .filter(kind=EventKind.MARRIAGE, date__gte=since, reversed_by__isnull=True)
        .exclude(
            Exists(
                FollowUpVisit.objects.filter(
                    person=OuterRef("person"),
                    visited_on__gte=OuterRef("date"),
                    voided_at=None,
                )
            )
        )
    )
    total, rows = count_and_first(qs.select_related("person", "unit").order_by("date", "id"), limit)
    items = [
        WorkItem(
            e.person_id,
            e.person.name,
            e.unit.name,
            e.date,
            str(_("Newlywed guidance")),
            _visit_url(e.person_id),
        )
        for e in rows
    ]
    return total, items


# Rounds ended longer ago than this no longer list their targets not yet seen.
ABSENT_DAYS = OVERDUE_DAYS


def _absent(user: Any, *, unit: Unit | None, today: datetime.date, limit: int) -> Collected:
    """Campaign targets not seen yet (to offer another date: a service statistic, never
    a sanction)."""
    from jisheng.services.selectors_campaigns import open_targets

    qs = open_targets(user, unit=unit, today=today, days=ABSENT_DAYS)
    total, rows = count_and_first(
        qs.select_related("person", "unit", "round")
        .annotate(when=Coalesce("appointment_on", "round__period_end"))
        .order_by("when", "round_id", "id"),
        limit,
    )
    items = [
        WorkItem(
            t.person_id,
            t.person.name,
            t.unit.name,
            t.when,
            t.round.name,
            reverse("services:campaign_attendance", args=[t.round_id]) + f"?target={t.pk}",
            late_days=max(0, (today - t.when).days),
            appointment_on=t.appointment_on,
        )
        for t in rows
    ]
    return total, items


def _letters(user: Any, *, unit: Unit | None, today: datetime.date, limit: int) -> Collected:
    """Letters of inquiry sent without a reply."""
    from jisheng.services.models import Letter

    qs = _within(Letter.objects, user, unit).filter(reply_received_on=None)
    total, rows = count_and_first(
        qs.select_related("person", "unit").order_by("sent_on", "id"), limit
    )
    items = [
        WorkItem(
            x.person_id,
            x.person.name,
            x.unit.name,
            x.sent_on,
            str(_("Letter %(number)s to %(to)s") % {"number": x.number, "to": x.addressed_to}),
            reverse("services:letter_detail", args=[x.pk]),
            late_days=(today - x.sent_on).days,
        )
        for x in rows
    ]
    return total, items


# kind → (collect, permission): a group is shown only to users who may open what it
# lists (a leader without the transfer pages does not get the open transfers).
SOURCES: dict[str, tuple[Any, str]] = {
    WorkKind.OVERDUE: (_visits(overdue_wanted=True), "services.view_followupdue"),
    WorkKind.DUE: (_visits(overdue_wanted=False), "services.view_followupdue"),
    WorkKind.PREGNANCY: (_pregnancies, "people.view_pregnancy"),
    WorkKind.NEWLYWED: (_newlyweds, "people.view_person"),
    WorkKind.REGISTRATION: (_registrations, "people.add_person"),
    WorkKind.TRANSFER: (_transfers, "people.view_transfer"),
    WorkKind.ABSENT: (_absent, "services.view_campaigntarget"),
    WorkKind.LETTER: (_letters, "services.view_letter"),
}


def register_worklist_sources() -> None:
    """The services app's worklist sources, in ``WorkKind.ORDER`` (from ``ready()``)."""
    for position, kind in enumerate(WorkKind.ORDER, start=1):
        collect, permission = SOURCES[kind]
        registry.register_worklist_source(
            registry.WorklistSource(
                kind=kind,
                label=WorkKind.LABELS[kind],
                collect=collect,
                permission=permission,
                order=position * 10,
            )
        )


# --------------------------------------------------------------------------- a person


@dataclass
class PersonServices:
    methods: list[ContraceptionRecord]
    visits: list[FollowUpVisit]
    due: list[FollowUpDue]

    @property
    def current_method(self) -> ContraceptionRecord | None:
        live = [m for m in self.methods if not m.voided and m.ended_on is None]
        return live[-1] if live else None


def person_services(person: Person) -> PersonServices:
    """A person's method history (voided records included, marked), visits and visits
    due (the caller has checked the person is in scope)."""
    return PersonServices(
        methods=list(
            ContraceptionRecord.objects.filter(person=person)
            .select_related("recorded_by")
            .order_by("started_on", "id")
        ),
        visits=list(FollowUpVisit.objects.filter(person=person).select_related("visitor")),
        due=list(FollowUpDue.objects.filter(person=person).order_by("due_on", "kind")),
    )
