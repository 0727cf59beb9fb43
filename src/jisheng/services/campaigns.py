"""Writes of service campaigns (综合服务/查环查孕, 妇女病普查): rounds, their target lists
drawn from the registry by the policy pack's rule, attendance entered a page at a time,
"checked elsewhere" with a certificate (孕检证明), and voiding a row put on a list by
mistake.

Attendance is a service statistic only (SPEC §0): nothing here computes anything against
a person who does not come; she is offered another date (the worklist's ``absent``).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, locks
from jisheng.core.choices import AuditAction
from jisheng.core.scope import (
    path_in_scope,
    person_record_path,
    record_denied,
    require_in_scope,
    require_person_record_in_scope,
)
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.people.choices import RESIDENT_STATUSES
from jisheng.people.models import PersonPeriod
from jisheng.people.selectors import birth_range_for_ages, periods_as_of
from jisheng.policy.models import PolicyPackVersion
from jisheng.policy.schema import Campaign, PolicyPackSchema, TargetGroup
from jisheng.policy.selectors import schema_of, version_in_force, versions_in_force
from jisheng.services.models import CampaignRound, CampaignTarget

CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024
# File signatures of the certificate types accepted: PDF, JPEG, PNG.
CERTIFICATE_TYPES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
RESULT_FIELDS = ("iud_in_place", "pregnant", "findings", "referred", "referred_to")
ENTRY_FIELDS = ("attended_on", *RESULT_FIELDS)


# --------------------------------------------------------------------------- the rule


def campaigns_for(unit: Unit, on: datetime.date) -> tuple[Any, list[Campaign]]:
    """The pack version in force for ``unit`` on ``on`` and its campaigns."""
    version = version_in_force(unit, on)
    if version is None:
        return None, []
    return version, list(schema_of(version).campaigns)


def target_population(group: TargetGroup, unit: Unit, day: datetime.date) -> QuerySet[PersonPeriod]:
    """The persons of ``group`` on ``day`` in ``unit``'s subtree (living there; for a
    group of employees, working there), one dated state each."""
    qs = periods_as_of(day)
    if group.employees_only:
        qs = qs.filter(employer__path__startswith=unit.path)
    else:
        qs = qs.filter(unit__path__startswith=unit.path)
    if group.sex:
        qs = qs.filter(sex=group.sex)
    if group.age_min is not None or group.age_max is not None:
        low = group.age_min if group.age_min is not None else 0
        high = group.age_max if group.age_max is not None else 150
        earliest, latest = birth_range_for_ages(day, low, high)
        qs = qs.filter(birth_date__gte=earliest, birth_date__lte=latest)
    if group.marital:
        qs = qs.filter(marital_status__in=[str(m) for m in group.marital])
    statuses = [str(s) for s in group.statuses] or list(RESIDENT_STATUSES)
    return qs.filter(status__in=statuses)


def _group_of(round_: CampaignRound) -> TargetGroup:
    version = version_in_force(round_.unit, round_.period_start)
    pack: PolicyPackSchema | None = schema_of(version) if version is not None else None
    group = pack.target_groups.get(round_.target_group) if pack is not None else None
    if group is None:
        raise ValidationError(
            _("The policy pack in force has no target group %(group)s.")
            % {"group": round_.target_group}
        )
    return group


# --------------------------------------------------------------------------- rounds


def round_create(
    *,
    actor: Any,
    unit: Unit,
    campaign_id: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    name: str = "",
    from_pack: bool = False,
) -> CampaignRound:
    """Create a round of the pack campaign ``campaign_id`` for ``unit`` (the pack in force
    for the unit on ``period_start``) and draw its target list. ``from_pack``: created by
    :func:`rounds_create_from_packs`, not by hand."""
    require_in_scope(actor, unit)
    errors: dict[str, str] = {}
    campaign = None
    version = None
    if period_start is None:
        errors["period_start"] = _("Give the first day of the round.")
    if period_end is None:
        errors["period_end"] = _("Give the last day of the round.")
    elif period_start is not None and period_end < period_start:
        errors["period_end"] = _("The round ends before it starts.")
    elif period_start is not None and (period_end - period_start).days > 366:
        errors["period_end"] = _("A round lasts a year at most.")
    if period_start is not None:
        version, campaigns = campaigns_for(unit, period_start)
        campaign = next((c for c in campaigns if c.id == campaign_id), None)
        if campaign is None:
            errors["campaign_id"] = _(
                "The policy pack in force for this unit has no such campaign; choose one "
                "from the list."
            )
    if errors:
        raise ValidationError(errors)
    assert campaign is not None and version is not None and period_start and period_end
    with transaction.atomic():
        round_ = CampaignRound.objects.create(
            kind=campaign.kind,
            name=(name.strip() or f"{campaign.name} {period_start:%Y-%m}")[:200],
            campaign_id=campaign.id,
            target_group=campaign.target,
            period_start=period_start,
            period_end=period_end,
            unit=unit,
            pack_code=version.pack.code,
            pack_version=version.version,
            from_pack=from_pack,
            created_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=round_,
            changes={
                "campaign_id": [None, campaign.id],
                "period_start": [None, period_start.isoformat()],
                "period_end": [None, period_end.isoformat()],
                "pack": [None, f"{version.pack.code} {version.version}"],
            },
        )
        _draw(round_, period_start)
    return round_


def _insert_select(model: type[models.Model], columns: dict[str, Any], source: QuerySet) -> int:
    """``INSERT INTO model (columns) SELECT …`` from ``source`` annotated with the column
    expressions, in one statement; returns the rows inserted."""
    names = [f"c_{column}" for column in columns]
    select = (
        source.order_by()
        .annotate(**{f"c_{column}": expr for column, expr in columns.items()})
        .values_list(*names)
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({cols}) {sql}", params)
        return cursor.rowcount


def _draw(round_: CampaignRound, day: datetime.date) -> int:
    group = _group_of(round_)
    population = target_population(group, round_.unit, day).exclude(
        person_id__in=CampaignTarget.objects.filter(round=round_).values("person_id")
    )
    now = timezone.now()
    added = _insert_select(
        CampaignTarget,
        {
            "round_id": Value(round_.pk, output_field=models.BigIntegerField()),
            "person_id": F("person_id"),
            "unit_id": F("unit_id"),
            "iud_in_place": Value(""),
            "pregnant": Value(""),
            "findings": Value(""),
            "referred": Value(False),
            "referred_to": Value(""),
            "checked_elsewhere": Value(False),
            "certificate": Value(""),
            "void_reason": Value(""),
            "created_at": Value(now, output_field=models.DateTimeField()),
            "updated_at": Value(now, output_field=models.DateTimeField()),
        },
        population,
    )
    CampaignRound.objects.filter(pk=round_.pk).update(drawn_at=now)
    round_.drawn_at = now
    return added


def round_redraw(*, actor: Any, round_: CampaignRound, on: datetime.date | None = None) -> int:
    """Add to the list the persons of the target group on ``on`` (default today, kept
    inside the round's period) who are not on it yet; nobody is removed, attended or
    not. Returns how many were added."""
    require_in_scope(actor, round_.unit)
    day = on or timezone.localdate()
    day = min(max(day, round_.period_start), round_.period_end)
    with transaction.atomic():
        added = _draw(round_, day)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=round_,
            changes={"targets_added": [None, added]},
            message=_("Target list drawn again as of %(date)s.") % {"date": day.isoformat()},
        )
    return added


# --------------------------------------------------------------------------- from the packs

# The offices that run the rounds of the pack in force for them (besides any unit with a
# pack of its own that is not a county: a mine, a school run their own).
ORGANISING_TYPES = (UnitType.TOWNSHIP, UnitType.STREET)


def organising_units() -> list[Unit]:
    """The offices that must run the rounds of the packs: every active township and
    street office, and every other active unit with a pack of its own except a county
    (a county's pack is run by its townships and streets)."""
    own = PolicyPackVersion.objects.exclude(unit=None).values("unit_id")
    where = Q(unit_type__in=ORGANISING_TYPES) | (Q(pk__in=own) & ~Q(unit_type=UnitType.COUNTY))
    return list(Unit.objects.filter(where, is_active=True).order_by("path"))


def _month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    return first, datetime.date(year, month, calendar.monthrange(year, month)[1])


def rounds_create_from_packs(
    *, today: datetime.date | None = None, actor: Any = None
) -> list[CampaignRound]:
    """Create the rounds of this month and the coming one that the packs plan (each
    campaign's :meth:`~jisheng.policy.schema.Campaign.round_months`, in the years it
    runs) for every office that must run them (:func:`organising_units`), with their
    target lists. Idempotent: a round already there for the office, the campaign and a
    period overlapping the month — made by hand or by an earlier run — is left alone.
    Returns the rounds created. Run nightly (``services.create_rounds``)."""
    today = today or timezone.localdate()
    next_month = today.replace(day=1) + datetime.timedelta(days=32)
    months = [(today.year, today.month), (next_month.year, next_month.month)]
    units = organising_units()
    created: list[CampaignRound] = []
    for year, month in months:
        first, last = _month_bounds(year, month)
        versions = versions_in_force(units, first)
        existing = set(
            CampaignRound.objects.filter(
                unit__in=units, period_start__lte=last, period_end__gte=first
            ).values_list("unit_id", "campaign_id")
        )
        for unit in units:
            version = versions[unit.pk]
            if version is None:
                continue
            for campaign in schema_of(version).campaigns:
                if month not in campaign.round_months():
                    continue
                if not campaign.runs_in(year, version.effective_from.year):
                    continue
                if (unit.pk, campaign.id) in existing:
                    continue
                try:
                    with transaction.atomic():
                        round_ = round_create(
                            actor=actor,
                            unit=unit,
                            campaign_id=campaign.id,
                            period_start=first,
                            period_end=last,
                            from_pack=True,
                        )
                except IntegrityError:  # another worker created it meanwhile
                    continue
                existing.add((unit.pk, campaign.id))
                created.append(round_)
    return created


# --------------------------------------------------------------------------- attendance


@dataclass
class AttendanceEntry:
    """One row of a page of attendance: the values typed for one target."""

    target_id: int
    attended_on: datetime.date | None = None
    iud_in_place: str = ""
    pregnant: str = ""
    findings: str = ""
    referred: bool = False
    referred_to: str = ""


class BatchInvalid(ValidationError):
    """Some rows of a batch are wrong; nothing was saved. ``rows`` maps the index of each
    wrong row to ``{field: message}``."""

    def __init__(self, rows: dict[int, dict[str, str]]) -> None:
        self.rows = rows
        messages = [
            _("Row %(row)s: %(message)s") % {"row": index + 1, "message": message}
            for index, fields in sorted(rows.items())
            for message in fields.values()
        ]
        super().__init__(messages)


def _check_entry(
    entry: AttendanceEntry, target: CampaignTarget | None, round_: CampaignRound, today
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if target is None:
        return {"target": _("This person is not on the round's list.")}
    if target.voided:
        return {"target": _("This row was voided; it cannot be changed.")}
    if entry.attended_on is not None:
        if entry.attended_on > today:
            errors["attended_on"] = _("The date is in the future.")
        elif entry.attended_on < round_.period_start:
            errors["attended_on"] = _("The date is before the round started (%(date)s).") % {
                "date": format_cn_date(round_.period_start)
            }
    if entry.iud_in_place not in ("", *CampaignTarget.YesNoNA.values):
        errors["iud_in_place"] = _("Choose an answer from the list.")
    if entry.pregnant not in ("", "yes", "no"):
        errors["pregnant"] = _("Choose an answer from the list.")
    has_results = bool(
        entry.iud_in_place or entry.pregnant or entry.findings.strip() or entry.referred
    )
    if has_results and entry.attended_on is None:
        errors["attended_on"] = _("Give the date attended before the results.")
    if entry.referred and not entry.referred_to.strip():
        errors["referred_to"] = _("Say where the person was referred.")
    if entry.referred_to.strip() and not entry.referred:
        errors["referred"] = _("Tick “referred” or leave the place empty.")
    if len(entry.findings) > 500:
        errors["findings"] = _("At most 500 characters.")
    return errors


def attendance_record(
    *,
    actor: Any,
    round_: CampaignRound,
    entries: list[AttendanceEntry],
    late_reason: str = "",
) -> list[CampaignTarget]:
    """Save a page of attendance and results in one transaction: every row is checked
    first and, when any is wrong, nothing is saved (:class:`BatchInvalid` names the rows).
    Rows whose values did not change are left alone; each changed row is audited. A
    changed row attended (before or now) on a day inside a closed period is a late entry
    (:mod:`jisheng.core.locks`): refused on ``attended_on`` unless ``late_reason`` (one
    for the page) is given."""
    today = timezone.localdate()
    ids = [e.target_id for e in entries]
    targets = {
        t.pk: t
        for t in CampaignTarget.objects.filter(round=round_, pk__in=ids).select_related(
            "unit", "person__unit"
        )
    }
    for target in targets.values():
        # the person's current unit: after a move her new office records her attendance
        if actor is not None and not path_in_scope(person_record_path(target), actor):
            record_denied(actor, target, _("Write outside the user's data scope."))
            raise PermissionDenied(_("This unit is outside your data scope."))
    errors = {}
    for index, entry in enumerate(entries):
        problems = _check_entry(entry, targets.get(entry.target_id), round_, today)
        if problems:
            errors[index] = problems
    if errors:
        raise BatchInvalid(errors)
    user = audit.user_of(actor)
    changed: list[CampaignTarget] = []
    closed: dict[int, dict[str, str]] = {}
    with locks.late_reason(late_reason), transaction.atomic():
        locked = {t.pk: t for t in CampaignTarget.objects.select_for_update().filter(pk__in=ids)}
        for index, entry in enumerate(entries):
            target = locked[entry.target_id]
            before = {f: getattr(target, f) for f in ENTRY_FIELDS}
            target.attended_on = entry.attended_on
            target.iud_in_place = entry.iud_in_place
            target.pregnant = entry.pregnant
            target.findings = entry.findings.strip()
            target.referred = entry.referred
            target.referred_to = entry.referred_to.strip() if entry.referred else ""
            after = {f: getattr(target, f) for f in ENTRY_FIELDS}
            if before == after:
                continue
            for day in {before["attended_on"], after["attended_on"]} - {None}:
                try:
                    locks.require_open(
                        unit=targets[entry.target_id].unit,
                        day=day,
                        actor=actor,
                        record=target,
                        what=_("%(name)s: campaign check")
                        % {"name": targets[entry.target_id].person.name},
                        field="attended_on",
                    )
                except ValidationError as exc:
                    closed[index] = {"attended_on": " ".join(exc.messages)}
            if index in closed:
                continue
            target.recorded_by = user
            target.save(update_fields=[*ENTRY_FIELDS, "recorded_by", "updated_at"])
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=target,
                changes=audit.diff(
                    {k: audit._jsonable(v) for k, v in before.items()},
                    {k: audit._jsonable(v) for k, v in after.items()},
                ),
            )
            changed.append(target)
        if closed:
            raise BatchInvalid(closed)
    return changed


# --------------------------------------------------------------------------- elsewhere


def certificate_check(upload: UploadedFile | None) -> None:
    """Refuse a certificate that is not a PDF, JPEG or PNG file of at most 5 MB."""
    if upload is None:
        raise ValidationError({"certificate": _("Attach the check certificate.")})
    name = (upload.name or "").lower()
    ext = name[name.rfind(".") :] if "." in name else ""
    if ext not in CERTIFICATE_TYPES:
        raise ValidationError(
            {"certificate": _("The certificate must be a PDF, JPEG or PNG file.")}
        )
    if upload.size is None or upload.size > CERTIFICATE_MAX_BYTES:
        raise ValidationError(
            {"certificate": _("The certificate is larger than 5 MB; send a smaller scan.")}
        )
    if upload.size == 0:
        raise ValidationError({"certificate": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in CERTIFICATE_TYPES[ext]):
        raise ValidationError(
            {
                "certificate": _(
                    "The file's content is not a PDF, JPEG or PNG file, whatever its name says."
                )
            }
        )


def checked_elsewhere_record(
    *,
    actor: Any,
    target: CampaignTarget,
    checked_on: datetime.date | None,
    certificate: UploadedFile | None,
) -> CampaignTarget:
    """Record that the person was checked where she is (孕检证明 attached)."""
    require_person_record_in_scope(actor, target)
    errors: dict[str, str] = {}
    if target.voided:
        raise ValidationError(_("This row was voided; it cannot be changed."))
    if checked_on is None:
        errors["checked_elsewhere_on"] = _("Give the date of the check.")
    elif checked_on > timezone.localdate():
        errors["checked_elsewhere_on"] = _("The date is in the future.")
    try:
        certificate_check(certificate)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    assert certificate is not None
    with transaction.atomic():
        target = CampaignTarget.objects.select_for_update().get(pk=target.pk)
        target.checked_elsewhere = True
        target.checked_elsewhere_on = checked_on
        suffix = certificate.name.lower()[certificate.name.rfind(".") :]
        target.certificate.save(f"target-{target.pk}{suffix}", certificate, save=False)
        target.recorded_by = audit.user_of(actor)
        target.save(
            update_fields=[
                "checked_elsewhere",
                "checked_elsewhere_on",
                "certificate",
                "recorded_by",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=target,
            changes={
                "checked_elsewhere": [False, True],
                "checked_elsewhere_on": [None, checked_on.isoformat() if checked_on else None],
                "certificate": [None, target.certificate.name],
            },
        )
    return target


# 需另约时间: the day agreed lies at most this far ahead.
MAX_APPOINTMENT_DAYS = 366


def target_appointment_set(
    *, actor: Any, target: CampaignTarget, appointment_on: datetime.date | None
) -> CampaignTarget:
    """Agree another day with a person not seen yet (需另约时间): the worklist lists her
    as due that day. ``None`` clears it. An offer of a service, never a sanction."""
    require_person_record_in_scope(actor, target)
    if target.voided:
        raise ValidationError(_("This row was voided; it cannot be changed."))
    if target.covered:
        raise ValidationError(_("She has attended or was checked elsewhere already."))
    today = timezone.localdate()
    if appointment_on is not None and not (
        today <= appointment_on <= today + datetime.timedelta(days=MAX_APPOINTMENT_DAYS)
    ):
        raise ValidationError(
            {
                "appointment_on": _("The appointment must be from today to %(days)d days ahead.")
                % {"days": MAX_APPOINTMENT_DAYS}
            }
        )
    with transaction.atomic():
        target = CampaignTarget.objects.select_for_update().get(pk=target.pk)
        before = target.appointment_on
        target.appointment_on = appointment_on
        target.recorded_by = audit.user_of(actor)
        target.save(update_fields=["appointment_on", "recorded_by", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=target,
            changes={
                "appointment_on": [
                    before.isoformat() if before else None,
                    appointment_on.isoformat() if appointment_on else None,
                ]
            },
        )
    return target


def target_void(*, actor: Any, target: CampaignTarget, reason: str) -> CampaignTarget:
    """Take a row off the list (put there by mistake, or the person left): it stays,
    marked, with the reason, and leaves the statistics and the worklist."""
    from jisheng.services.followup import void

    require_person_record_in_scope(actor, target)
    with transaction.atomic():
        target = CampaignTarget.objects.select_for_update().get(pk=target.pk)
        return void(actor=actor, record=target, reason=reason)


__all__ = [
    "AttendanceEntry",
    "BatchInvalid",
    "attendance_record",
    "campaigns_for",
    "certificate_check",
    "checked_elsewhere_record",
    "round_create",
    "round_redraw",
    "rounds_create_from_packs",
    "target_population",
    "target_void",
]
