"""Writes of the services app's follow-up: methods, visits, and the derived schedules kept in step.

Every write is audited, scope-checked and followed by a rebuild of the person's
schedule (:func:`schedule_rebuild`): the visits due are derived by
:mod:`jisheng.services.schedule` from the person's dated state, methods, births and
pregnancies and the policy pack in force, and matched to the visits made. Changes of the
registry (events, births, pregnancy outcomes) reach it through the
``people.signals.history_changed`` signal; the nightly :func:`schedules_rebuild_all`
catches up with bulk loads and with the passing of time (a new year's periods).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, bulkcopy, locks
from jisheng.core.bulkcopy import Table, fetch_rows
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope, require_person_record_in_scope
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.orgs.models import Unit
from jisheng.people.choices import PregnancyOutcome
from jisheng.people.models import Birth, Person, PersonPeriod, Pregnancy
from jisheng.policy.schema import PolicyPackSchema
from jisheng.policy.selectors import schema_of
from jisheng.services import schedule
from jisheng.services.choices import ChangeReason, DueKind, Method, Satisfaction, VisitWay
from jisheng.services.models import ContraceptionRecord, FollowUpDue, FollowUpVisit

# 需另约时间: the day agreed for another visit lies at most this far ahead.
MAX_APPOINTMENT_DAYS = 366
ABORTION_OUTCOMES = (
    PregnancyOutcome.ABORTION,
    PregnancyOutcome.INDUCED_LABOUR,
    PregnancyOutcome.MISCARRIAGE,
)


# --------------------------------------------------------------------------- facts


def pack_for(person: Person, on: datetime.date | None = None) -> PolicyPackSchema | None:
    """The pack that governs the person's services: her work unit's own pack when it has
    one (a mine, a school), else the one of the unit she lives in (or its ancestors').
    The resolver of the bulk rebuilds (:func:`_pack_resolver`), for one person."""
    on = on or timezone.localdate()
    units = [person.unit_id] + ([person.employer_id] if person.employer_id else [])
    return _pack_resolver(on, unit_ids=units)(person.unit_id, person.employer_id)


def facts_of(person: Person) -> schedule.Facts:
    spans = [
        schedule.Span(
            p.valid_from, p.valid_to, p.unit_id, p.marital_status, p.status, p.employer_id
        )
        for p in PersonPeriod.objects.filter(person=person).order_by("valid_from")
    ]
    methods = [
        schedule.MethodUse(r.method, r.started_on, r.ended_on)
        for r in ContraceptionRecord.objects.filter(person=person, voided_at=None)
    ]
    deliveries = list(Birth.objects.filter(mother=person).values_list("date", flat=True))
    abortions = list(
        Pregnancy.objects.filter(woman=person, outcome__in=ABORTION_OUTCOMES)
        .exclude(outcome_on=None)
        .values_list("outcome_on", flat=True)
    )
    return schedule.Facts(
        person.pk, person.sex, person.birth_date, spans, methods, deliveries, abortions
    )


def _visit(
    pk: int,
    day: datetime.date,
    kind: str,
    starts_on: datetime.date | None,
    appointment_on: datetime.date | None = None,
    way: str = "",
):
    target = (kind, starts_on) if kind and starts_on else None
    return schedule.Visit(pk, day, target, appointment_on, face_to_face=way != VisitWay.PHONE)


VISIT_COLUMNS = ("pk", "visited_on", "for_kind", "for_starts_on", "appointment_on", "way")


def _visits_of(person: Person) -> list[schedule.Visit]:
    return [
        _visit(*row)
        for row in FollowUpVisit.objects.filter(person=person, voided_at=None).values_list(
            *VISIT_COLUMNS
        )
    ]


# --------------------------------------------------------------------------- schedules


def _row(person_id: int, done: schedule.Done) -> FollowUpDue:
    due = done.due
    return FollowUpDue(
        person_id=person_id,
        unit_id=due.unit_id,
        kind=due.kind,
        method=due.method,
        starts_on=due.starts_on,
        due_on=due.due_on,
        sequence=due.sequence,
        event_on=due.event_on,
        visit_id=done.visit_id,
        done_on=done.done_on,
        appointment_on=done.appointment_on,
    )


FIELDS = (
    "unit_id",
    "method",
    "due_on",
    "sequence",
    "event_on",
    "visit_id",
    "done_on",
    "appointment_on",
)


def packs_for(person: Person, horizon: schedule.Horizon) -> schedule.PackTimeline:
    """The versions of the pack that governs the person over ``horizon``, each from its
    effective date (see :func:`_timeline_resolver`)."""
    units = [person.unit_id] + ([person.employer_id] if person.employer_id else [])
    return _timeline_resolver(horizon.end, unit_ids=units)(person.unit_id, person.employer_id)


def schedule_rebuild(person: Person, *, today: datetime.date | None = None) -> list[FollowUpDue]:
    """Derive the person's visits due again and store the difference; returns them.
    Each item follows the pack version in force on its due date: a new version leaves
    the items due before its effective date as they were (the past stays put)."""
    today = today or timezone.localdate()
    horizon = schedule.Horizon.around(today)
    items = schedule.derive_dated(facts_of(person), packs_for(person, horizon), horizon)
    wanted = {
        (d.due.kind, d.due.starts_on): _row(person.pk, d)
        for d in schedule.assign(items, _visits_of(person), today)
    }
    existing = {(row.kind, row.starts_on): row for row in FollowUpDue.objects.filter(person=person)}
    stale = [row.pk for key, row in existing.items() if key not in wanted]
    if stale:
        FollowUpDue.objects.filter(pk__in=stale).delete()
    changed, new = [], []
    for key, row in wanted.items():
        old = existing.get(key)
        if old is None:
            new.append(row)
        elif any(getattr(old, f) != getattr(row, f) for f in FIELDS):
            for f in FIELDS:
                setattr(old, f, getattr(row, f))
            changed.append(old)
    if changed:
        FollowUpDue.objects.bulk_update(changed, list(FIELDS))
    if new:
        FollowUpDue.objects.bulk_create(new)
    return sorted(
        [*(existing[k] for k in wanted if k in existing), *new], key=lambda r: (r.due_on, r.kind)
    )


def rebuild_on_history_change(sender: Any, person: Person, **kwargs: Any) -> None:
    """``people.signals.history_changed`` receiver: the person's state changed."""
    schedule_rebuild(person)


# --------------------------------------------------------------------------- methods


def _current(person: Person) -> ContraceptionRecord | None:
    return (
        ContraceptionRecord.objects.filter(person=person, voided_at=None)
        .order_by("-started_on", "-id")
        .first()
    )


def method_start(
    *,
    actor: Any,
    person: Person,
    method: str,
    started_on: datetime.date,
    reason: str = ChangeReason.FIRST,
    reason_note: str = "",
    provider: str = "",
    explained_by: str = "",
    options_offered: Iterable[str] = (),
    told_other_methods: bool | None = None,
    told_side_effects: bool | None = None,
    told_what_to_do: bool | None = None,
    late_reason: str = "",
) -> ContraceptionRecord:
    """Record that ``person`` uses ``method`` from ``started_on`` (the previous method, if
    any, ends that day). ``none`` records stopping. The choice is the person's: the
    record keeps who explained, the options offered and the three MII answers. A start
    (or stop) dated inside a closed period is a late entry: refused on ``started_on``
    unless ``late_reason`` is given (:mod:`jisheng.core.locks`)."""
    require_in_scope(actor, person.unit)
    with locks.late_reason(late_reason), transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        current = _current(person)
        offered = list(dict.fromkeys(options_offered))
        errors: dict[str, str] = {}
        if method not in Method.values:
            errors["method"] = _("Choose a method from the list.")
        if reason not in ChangeReason.values:
            errors["reason"] = _("Choose a reason from the list.")
        if any(o not in Method.values for o in offered):
            errors["options_offered"] = _("Choose the methods offered from the list.")
        if started_on is None:
            errors["started_on"] = _("Give the date the method was started.")
        elif started_on > timezone.localdate():
            errors["started_on"] = _("The date is in the future.")
        elif started_on < person.birth_date:
            errors["started_on"] = _("The date is before the person's birth.")
        elif current is not None and started_on <= current.started_on:
            errors["started_on"] = _(
                "The current method (%(method)s) started on %(date)s; a new method must start "
                "after it. To correct the current record, void it first."
            ) % {"method": current.get_method_display(), "date": format_cn_date(current.started_on)}
        elif current is not None and current.method == method:
            errors["method"] = _("The person already uses this method.")
        if current is None and method == Method.NONE and not errors:
            errors["method"] = _("There is no method to stop.")
        if errors:
            raise ValidationError(errors)
        entry = locks.require_open(
            unit=person.unit,
            day=started_on,
            actor=actor,
            what=_("%(name)s: contraceptive method") % {"name": person.name},
            field="started_on",
        )
        if current is not None:
            current.ended_on = started_on
            current.save(update_fields=["ended_on", "updated_at"])
        record = ContraceptionRecord.objects.create(
            person=person,
            unit=person.unit,
            method=method,
            started_on=started_on,
            reason=reason,
            reason_note=reason_note.strip(),
            provider=provider.strip(),
            explained_by=explained_by.strip(),
            options_offered=offered,
            told_other_methods=told_other_methods,
            told_side_effects=told_side_effects,
            told_what_to_do=told_what_to_do,
            recorded_by=audit.user_of(actor),
        )
        if entry is not None and entry.object_id is None:
            locks.attach(entry, record)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=record,
            changes={
                "method": [current.method if current else None, method],
                "started_on": [None, started_on.isoformat()],
            },
        )
        schedule_rebuild(person)
    return record


def void(
    *, actor: Any, record: Any, reason: str, check: Any = None, day: datetime.date | None = None
) -> Any:
    """Void ``record`` (a :class:`~jisheng.services.models.Voidable`): kept, marked, with
    the reason, audited. Call inside a transaction, with the row locked; ``check(record)``
    may refuse (raise) before anything is written. ``day``: the date the record is dated
    by — a void of a record dated inside a closed period is a change of that period, a
    late entry whose reason is the void's (:mod:`jisheng.core.locks`)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record is voided.")})
    if record.voided:
        raise ValidationError(_("This record is already voided."))
    if check is not None:
        check(record)
    if day is not None:
        locks.require_open(
            unit=record.unit,
            day=day,
            reason=reason,
            actor=actor,
            record=record,
            what=_("%(name)s: record voided") % {"name": record.person.name},
        )
    record.voided_at = timezone.now()
    record.voided_by = audit.user_of(actor)
    record.void_reason = reason.strip()
    record.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=record,
        changes={"voided": [False, True]},
        message=reason.strip(),
    )
    return record


def method_void(*, actor: Any, record: ContraceptionRecord, reason: str) -> ContraceptionRecord:
    """Void the person's latest method record (entered by mistake); the method before it
    runs on. An earlier record is corrected by voiding the later ones first. Scoped by
    the person's current unit (after a move, her new office corrects her records)."""
    require_person_record_in_scope(actor, record)

    def latest_only(record: ContraceptionRecord) -> None:
        current = _current(record.person)
        if current is None or current.pk != record.pk:
            raise ValidationError(_("Only the latest method record can be voided."))

    with transaction.atomic():
        record = ContraceptionRecord.objects.select_for_update().get(pk=record.pk)
        void(actor=actor, record=record, reason=reason, check=latest_only, day=record.started_on)
        previous = _current(record.person)
        if previous is not None and previous.ended_on == record.started_on:
            previous.ended_on = None
            previous.save(update_fields=["ended_on", "updated_at"])
        schedule_rebuild(record.person)
    return record


# --------------------------------------------------------------------------- visits


def _face_to_face(person: Person, due: FollowUpDue) -> bool:
    """Whether the pack in force asks for ``due`` (a regular visit) to be made in person."""
    pack = pack_for(person, due.due_on)
    if pack is None or pack.followup is None or due.kind != DueKind.METHOD:
        return False
    employee = PersonPeriod.objects.filter(
        Q(valid_to__gt=due.due_on) | Q(valid_to=None),
        person=person,
        valid_from__lte=due.due_on,
        employer__isnull=False,
    ).exists()
    found = schedule.frequency(pack.followup, due.method, employee)
    return found is not None and found[1]


def visit_record(
    *,
    actor: Any,
    person: Person,
    visited_on: datetime.date,
    way: str,
    visitor_name: str = "",
    method_in_use: str = "",
    satisfaction: str = "",
    side_effects: str = "",
    needs: str = "",
    commodities: str = "",
    notes: str = "",
    for_due: FollowUpDue | None = None,
    appointment_on: datetime.date | None = None,
    late_reason: str = "",
) -> FollowUpVisit:
    """Record a follow-up visit; the person's visits due are matched again. ``for_due``:
    the visit due it was made for (chosen on the worklist), which it clears first —
    and every other item of hers it covers (``schedule.assign``). ``appointment_on``
    (需另约时间): the visit could not be made and another day was agreed: it clears
    nothing, and her open items show on the worklist as due that day. A visit dated
    inside a closed period is a late entry: refused on ``visited_on`` unless
    ``late_reason`` is given (:mod:`jisheng.core.locks`)."""
    require_in_scope(actor, person.unit)
    errors: dict[str, str] = {}
    if for_due is not None and for_due.person_id != person.pk:
        errors["for_due"] = _("This visit due belongs to someone else.")
    if visited_on is None:
        errors["visited_on"] = _("Give the date of the visit.")
    elif visited_on > timezone.localdate():
        errors["visited_on"] = _("The date is in the future.")
    elif visited_on < person.birth_date:
        errors["visited_on"] = _("The date is before the person's birth.")
    if way not in VisitWay.values:
        errors["way"] = _("Choose how the visit was made.")
    if method_in_use and method_in_use not in Method.values:
        errors["method_in_use"] = _("Choose a method from the list.")
    if satisfaction and satisfaction not in Satisfaction.values:
        errors["satisfaction"] = _("Choose an answer from the list.")
    if (
        for_due is not None
        and "for_due" not in errors
        and way == VisitWay.PHONE
        and appointment_on is None
        and _face_to_face(person, for_due)
    ):
        errors["way"] = _(
            "The policy pack asks for this visit to be made face to face: a phone call "
            "does not do it. Record a home, office or workplace visit, or agree another day."
        )
    if appointment_on is not None and visited_on is not None:
        if appointment_on <= visited_on:
            errors["appointment_on"] = _("The appointment must be after the day of the visit.")
        elif appointment_on > visited_on + datetime.timedelta(days=MAX_APPOINTMENT_DAYS):
            errors["appointment_on"] = _(
                "The appointment must be within %(days)d days of the visit."
            ) % {"days": MAX_APPOINTMENT_DAYS}
    if errors:
        raise ValidationError(errors)
    user = audit.user_of(actor)
    with locks.late_reason(late_reason), transaction.atomic():
        entry = locks.require_open(
            unit=person.unit,
            day=visited_on,
            actor=actor,
            what=_("%(name)s: follow-up visit") % {"name": person.name},
            field="visited_on",
        )
        visit = FollowUpVisit.objects.create(
            person=person,
            unit=person.unit,
            visited_on=visited_on,
            visitor=user,
            visitor_name=(visitor_name or (str(user) if user else "")).strip()[:50],
            way=way,
            method_in_use=method_in_use,
            satisfaction=satisfaction,
            side_effects=side_effects.strip(),
            needs=needs.strip(),
            commodities=commodities.strip(),
            notes=notes.strip(),
            for_kind=for_due.kind if for_due is not None else "",
            for_starts_on=for_due.starts_on if for_due is not None else None,
            appointment_on=appointment_on,
            recorded_by=user,
        )
        if entry is not None and entry.object_id is None:
            locks.attach(entry, visit)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=visit,
            changes={
                "visited_on": [None, visited_on.isoformat()],
                "way": [None, way],
                **(
                    {"appointment_on": [None, appointment_on.isoformat()]} if appointment_on else {}
                ),
            },
        )
        schedule_rebuild(person)
    return visit


def visit_void(*, actor: Any, visit: FollowUpVisit, reason: str) -> FollowUpVisit:
    """Void a visit entered by mistake; the visits due are matched again without it.
    Scoped by the person's current unit, not the unit where the visit was entered."""
    require_person_record_in_scope(actor, visit)
    with transaction.atomic():
        visit = FollowUpVisit.objects.select_for_update().get(pk=visit.pk)
        void(actor=actor, record=visit, reason=reason, day=visit.visited_on)
        schedule_rebuild(visit.person)
    return visit


# --------------------------------------------------------------------------- all at once


def _pack_resolver(today: datetime.date, *, unit_ids: Iterable[int] | None = None):
    """``pack(unit_id, employer_id)``: the one resolver of the pack that governs a person
    (a work unit's own pack, else the residence unit's or its nearest ancestor's, else the
    default), for bulk rebuilds and single lookups (:func:`pack_for`) alike, without a
    query per person: the versions in force and the units' paths (of ``unit_ids``, else
    of every unit) are read once, the nearest ancestor's version found by walking up the
    path in memory."""
    from jisheng.policy.models import PolicyPackVersion

    latest: dict[str | None, PolicyPackVersion] = {}
    versions = PolicyPackVersion.objects.filter(effective_from__lte=today).select_related("unit")
    for version in versions.defer("content", "source_text"):
        where = version.unit.path if version.unit_id else None
        best = latest.get(where)
        if best is None or (version.effective_from, version.pk) > (best.effective_from, best.pk):
            latest[where] = version
    units = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=unit_ids)
    paths = dict(units.values_list("id", "path"))
    step = Unit.steplen

    def own(path: str) -> PolicyPackVersion | None:
        for end in range(len(path), 0, -step):
            version = latest.get(path[:end])
            if version is not None:
                return version
        return None

    cache: dict[tuple[int, int | None], PolicyPackSchema | None] = {}

    def resolve(unit_id: int, employer_id: int | None) -> PolicyPackSchema | None:
        key = (unit_id, employer_id)
        if key not in cache:
            version = own(paths[employer_id]) if employer_id in paths else None
            if version is None:
                version = own(paths.get(unit_id, "")) or latest.get(None)
            cache[key] = schema_of(version) if version is not None else None
        return cache[key]

    return resolve


def _timeline_resolver(until: datetime.date, *, unit_ids: Iterable[int] | None = None):
    """``packs(unit_id, employer_id)``: the :data:`schedule.PackTimeline` of the pack that
    governs a person — on every day, the version :func:`_pack_resolver` would give on
    that day (a work unit's own, else the residence unit's or its nearest ancestor's,
    else the default), for the versions effective up to ``until``. The first version
    also governs the days before it (the registry's history predates its first pack).
    The versions and paths are read once; timelines are cached per unit pair."""
    from jisheng.policy.models import PolicyPackVersion

    by_path: dict[str | None, list[tuple[datetime.date, int, PolicyPackVersion]]] = {}
    versions = PolicyPackVersion.objects.filter(effective_from__lte=until).select_related("unit")
    for version in versions.defer("content", "source_text"):
        where = version.unit.path if version.unit_id else None
        by_path.setdefault(where, []).append((version.effective_from, version.pk, version))
    for found in by_path.values():
        found.sort(key=lambda row: (row[0], row[1]))
    units = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=unit_ids)
    paths = dict(units.values_list("id", "path"))
    step = Unit.steplen

    def chain(path: str | None) -> list[str | None]:
        if path is None:
            return []
        return [path[:end] for end in range(len(path), 0, -step)]

    def at(where: str | None, day: datetime.date | None) -> PolicyPackVersion | None:
        found = by_path.get(where) or []
        best = None
        for effective_from, _pk, version in found:
            if day is None or effective_from <= day:
                best = version
            else:
                break
        return best

    def version_on(
        day: datetime.date | None, employer: str | None, unit: str | None
    ) -> PolicyPackVersion | None:
        for where in chain(employer):
            if (version := at(where, day)) is not None:
                return version
        for where in [*chain(unit), None]:
            if (version := at(where, day)) is not None:
                return version
        return None

    cache: dict[tuple[int, int | None], schedule.PackTimeline] = {}
    schemas: dict[int, PolicyPackSchema] = {}

    def schema(version: PolicyPackVersion | None) -> PolicyPackSchema | None:
        if version is None:
            return None
        if version.pk not in schemas:
            schemas[version.pk] = schema_of(version)
        return schemas[version.pk]

    def resolve(unit_id: int, employer_id: int | None) -> schedule.PackTimeline:
        key = (unit_id, employer_id)
        if key in cache:
            return cache[key]
        employer = paths.get(employer_id) if employer_id else None
        unit = paths.get(unit_id)
        relevant = [*chain(employer), *chain(unit), None]
        days = sorted({row[0] for where in relevant for row in by_path.get(where, [])})
        timeline: list[tuple[datetime.date | None, PolicyPackVersion | None]] = []
        for day in days:
            version = version_on(day, employer, unit)
            if version is None or (timeline and timeline[-1][1] is version):
                continue
            timeline.append((None if not timeline else day, version))
        cache[key] = [(start, schema(version)) for start, version in timeline] or [(None, None)]
        return cache[key]

    return resolve


def _candidates(horizon: schedule.Horizon) -> Q | None:
    """Who can have visits due under the packs loaded: when every pack follows women of
    an age range, the women whose age falls in it during the horizon, and anyone with a
    method recorded, a birth or a pregnancy ended in the horizon or the year before
    (visits after those events); otherwise everyone (None)."""
    from jisheng.policy.models import PolicyPackVersion

    low, high = 200, 0
    for version in PolicyPackVersion.objects.all():
        pack = schema_of(version)
        followup = pack.followup
        if followup is None:
            continue
        group = pack.target_groups.get(followup.target)
        if group is None or group.sex != "F" or group.age_min is None or group.age_max is None:
            return None
        low, high = min(low, group.age_min), max(high, group.age_max)
    if high == 0:
        return Q(pk__in=[])
    born_after = datetime.date(horizon.start.year - high - 1, 1, 1)
    born_before = datetime.date(horizon.end.year - low, 12, 31)
    # visits after an event fall due up to months later: events of the year before count
    since = horizon.start - datetime.timedelta(days=366)
    in_horizon = {"date__gte": since, "date__lte": horizon.end}
    return (
        Q(sex="F", birth_date__gte=born_after, birth_date__lte=born_before)
        | Q(pk__in=ContraceptionRecord.objects.values("person_id"))
        | Q(pk__in=Birth.objects.filter(**in_horizon).values("mother_id"))
        | Q(
            pk__in=Pregnancy.objects.filter(
                outcome__in=ABORTION_OUTCOMES,
                outcome_on__gte=since,
                outcome_on__lte=horizon.end,
            ).values("woman_id")
        )
    )


def schedules_rebuild_all(
    *, today: datetime.date | None = None, batch: int = 10000, root: Unit | None = None
) -> int:
    """Rebuild the visits due of every person (below ``root``) from scratch; returns the
    number of items. Run nightly (``jisheng schedules rebuild``) and after bulk loads.

    Persons are read in batches of ``batch``, each batch's facts in a few queries, the
    schedules derived in Python and written with ``COPY`` (PostgreSQL) or one
    ``executemany`` (SQLite), one transaction per batch; the rows of persons who can
    have no visit due are deleted without deriving anything.
    """
    today = today or timezone.localdate()
    horizon = schedule.Horizon.around(today)
    resolve = _timeline_resolver(horizon.end)
    persons = Person.objects.order_by("pk")
    if root is not None:
        persons = persons.filter(unit__path__startswith=root.path)
    stale = FollowUpDue.objects.all()
    if root is not None:
        stale = stale.filter(person__unit__path__startswith=root.path)
    candidates = _candidates(horizon)
    if candidates is not None:
        persons = persons.filter(candidates)
        stale = stale.exclude(person__in=persons)
        stale.delete()
    ids = list(persons.values_list("pk", flat=True))
    # A chunk is read by primary-key range (an index range scan) rather than by a list of
    # thousands of ids; rows of persons in the range who are not candidates are skipped.
    chunks = [ids[start : start + batch] for start in range(0, len(ids), batch)]
    if root is None and len(ids) >= FIRST_BUILD_MIN and not FollowUpDue.objects.exists():
        return _first_build(chunks, resolve=resolve, horizon=horizon, today=today)
    total = 0
    for chunk in chunks:
        with transaction.atomic():
            total += _rebuild_chunk(chunk, resolve=resolve, horizon=horizon, today=today)
    return total


FIRST_BUILD_MIN = 50_000  # persons: a first build this large loads without indexes


def _first_build(chunks: list[list[int]], **how: Any) -> int:
    """Fill the empty table in one transaction, its indexes dropped while the rows go
    in and built once at the end (as the registry's bulk loader does)."""
    total = 0
    with bulkcopy.without_indexes([FollowUpDue]):
        for chunk in chunks:
            total += _rebuild_chunk(chunk, fresh=True, **how)
    return total


def _group(rows: Iterable[tuple], key_index: int = 0) -> dict[Any, list[tuple]]:
    grouped: dict[Any, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[key_index]].append(row)
    return grouped


DUE_COLUMNS = [
    "person_id", "unit_id", "kind", "method", "starts_on", "due_on", "sequence", "event_on",
    "visit_id", "done_on", "appointment_on",
]  # fmt: skip


def _rebuild_chunk(
    ids: list[int], *, resolve: Any, horizon: schedule.Horizon, today, fresh: bool = False
) -> int:
    wanted = set(ids)
    span = (ids[0], ids[-1])
    people = [
        row
        for row in fetch_rows(
            Person.objects.filter(pk__range=span)
            .order_by()
            .values_list("pk", "sex", "birth_date", "unit_id", "employer_id")
        )
        if row[0] in wanted
    ]
    periods = _group(
        fetch_rows(
            PersonPeriod.objects.filter(person_id__gte=span[0], person_id__lte=span[1])
            .order_by()
            .values_list(
                "person_id",
                "valid_from",
                "valid_to",
                "unit_id",
                "marital_status",
                "status",
                "employer_id",
            )
        )
    )
    methods = _group(
        fetch_rows(
            ContraceptionRecord.objects.filter(
                person_id__gte=span[0], person_id__lte=span[1], voided_at=None
            )
            .order_by()
            .values_list("person_id", "method", "started_on", "ended_on")
        )
    )
    births = _group(
        fetch_rows(
            Birth.objects.filter(mother_id__gte=span[0], mother_id__lte=span[1])
            .order_by()
            .values_list("mother_id", "date")
        )
    )
    abortions = _group(
        fetch_rows(
            Pregnancy.objects.filter(
                woman_id__gte=span[0], woman_id__lte=span[1], outcome__in=ABORTION_OUTCOMES
            )
            .exclude(outcome_on=None)
            .order_by()
            .values_list("woman_id", "outcome_on")
        )
    )
    visits = _group(
        fetch_rows(
            FollowUpVisit.objects.filter(
                person_id__gte=span[0], person_id__lte=span[1], voided_at=None
            )
            .order_by()
            .values_list("person_id", *VISIT_COLUMNS)
        )
    )
    rows: list[tuple] = []
    for pk, sex, birth_date, unit_id, employer_id in people:
        facts = schedule.Facts(
            pk,
            sex,
            birth_date,
            [schedule.Span(*r[1:]) for r in periods.get(pk, ())],
            [schedule.MethodUse(*r[1:]) for r in methods.get(pk, ())],
            [r[1] for r in births.get(pk, ())],
            [r[1] for r in abortions.get(pk, ())],
        )
        items = schedule.derive_dated(facts, resolve(unit_id, employer_id), horizon)
        if not items:
            continue
        made = [_visit(*r[1:]) for r in visits.get(pk, ())]
        for done in schedule.assign(items, made, today):
            due = done.due
            rows.append(
                (
                    pk, due.unit_id, due.kind, due.method, due.starts_on, due.due_on,
                    due.sequence, due.event_on, done.visit_id, done.done_on,
                    done.appointment_on,
                )
            )  # fmt: skip
    if not fresh:
        FollowUpDue.objects.filter(person_id__gte=span[0], person_id__lte=span[1]).filter(
            person_id__in=ids
        ).delete()
    return Table(FollowUpDue, DUE_COLUMNS).write(rows)
