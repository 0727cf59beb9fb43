"""Writes of rental housing (出租房屋, issue 17): properties filed by the unit they stand
in, landlords' agreements to report tenants (never a penalty, SPEC §0), tenants reported
by the landlord or the office, and the Excel imports of a property survey and of a tenant
list (each checked whole before anything is saved: nothing half-imported).

A tenant is matched with the registry by the keyed hash of her ID number: a person
registered as living in the property's unit is linked (``Tenancy.person``), no arrival
needed; anyone else gets a reported :class:`~jisheng.floating.models.Arrival` through
:func:`jisheng.floating.services_arrivals.arrival_report` (source ``tenant``), which puts
her on the unit's worklist until she is registered. A landlord who reports later than the
agreement's days is recorded and shown, never penalised.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, crypto, idnumber
from jisheng.core.choices import AuditAction
from jisheng.core.excel import ImportResult, RejectedRow, SheetRow
from jisheng.core.scope import path_in_scope, require_in_scope, restrict
from jisheng.floating.choices import ArrivalSource, ArrivalStatus, PropertyKind
from jisheng.floating.models import Arrival, LandlordAgreement, RentalProperty, Tenancy
from jisheng.floating.services_arrivals import arrival_report
from jisheng.orgs.models import Unit, User
from jisheng.people.choices import RESIDENT_STATUSES
from jisheng.people.models import Person
from jisheng.policy.selectors import pack_in_force

LANDLORD_REPORT_DAYS = 3  # the pack's floating.landlord_report_days when none is in force
MAX_ROOMS = 999


def landlord_report_days(unit: Unit, day: datetime.date) -> int:
    """The days a landlord has to report a tenant in ``unit`` on ``day``: the pack's
    ``floating.landlord_report_days``, else 3."""
    pack = pack_in_force(unit, day)
    if pack is not None and pack.floating is not None:
        return pack.floating.landlord_report_days
    return LANDLORD_REPORT_DAYS


def _text(value: str | None, limit: int, field: str, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors[field] = _("At most %(n)d characters.") % {"n": limit}
    return text


def _not_future(day: datetime.date | None, field: str, errors: dict[str, str]) -> None:
    if day is not None and day > timezone.localdate():
        errors[field] = _("The date is in the future.")


# --------------------------------------------------------------------------- properties


def _property_fields(
    *,
    unit: Unit,
    address: str,
    kind: str,
    rooms: int | None,
    landlord_name: str,
    landlord_phone: str,
    landlord: Person | None,
    note: str,
    errors: dict[str, str],
) -> dict[str, object]:
    address = _text(address, 200, "address", errors)
    if not address:
        errors["address"] = _("Give the address.")
    if kind not in PropertyKind.values:
        errors["kind"] = _("Choose the kind from the list.")
    if rooms is None or not 1 <= rooms <= MAX_ROOMS:
        errors["rooms"] = _("Give the rooms to let (1 to %(n)d).") % {"n": MAX_ROOMS}
    landlord_name = _text(landlord_name, 50, "landlord_name", errors)
    if landlord is not None and not landlord_name:
        landlord_name = landlord.name
    if not landlord_name:
        errors["landlord_name"] = _("Give the landlord's name.")
    landlord_phone = _text(landlord_phone, 32, "landlord_phone", errors)
    if landlord is not None and not landlord.unit.path.startswith(unit.path):
        errors["landlord"] = _("The landlord is not a resident of this unit.")
    return {
        "address": address,
        "kind": kind,
        "rooms": rooms,
        "landlord_name": landlord_name,
        "landlord_phone": landlord_phone,
        "landlord": landlord,
        "note": _text(note, 500, "note", errors),
    }


PROPERTY_AUDITED = ["address", "kind", "rooms", "landlord_name", "landlord_phone", "landlord"]


def property_file(
    *,
    actor: User | None,
    unit: Unit,
    address: str,
    landlord_name: str,
    filed_on: datetime.date | None,
    kind: str = PropertyKind.HOUSE,
    rooms: int | None = 1,
    landlord_phone: str = "",
    landlord: Person | None = None,
    note: str = "",
) -> RentalProperty:
    """File a rental property of ``unit`` (let from ``filed_on``). Refuses another
    unit's data (audited) and bad fields, in Chinese."""
    require_in_scope(actor, unit)
    errors: dict[str, str] = {}
    fields = _property_fields(
        unit=unit,
        address=address,
        kind=kind,
        rooms=rooms,
        landlord_name=landlord_name,
        landlord_phone=landlord_phone,
        landlord=landlord,
        note=note,
        errors=errors,
    )
    if filed_on is None:
        errors["filed_on"] = _("Give the date.")
    _not_future(filed_on, "filed_on", errors)
    if errors:
        raise ValidationError(errors)
    assert filed_on is not None
    with transaction.atomic():
        prop = RentalProperty.objects.create(unit=unit, filed_on=filed_on, **fields)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=prop,
            changes={k: [None, v] for k, v in audit.snapshot(prop, PROPERTY_AUDITED).items()},
        )
    return prop


def property_update(
    *,
    actor: User | None,
    property: RentalProperty,
    address: str,
    landlord_name: str,
    kind: str,
    rooms: int | None,
    landlord_phone: str = "",
    landlord: Person | None = None,
    note: str = "",
) -> RentalProperty:
    """Correct a property's address, kind, rooms and landlord."""
    require_in_scope(actor, property)
    errors: dict[str, str] = {}
    fields = _property_fields(
        unit=property.unit,
        address=address,
        kind=kind,
        rooms=rooms,
        landlord_name=landlord_name,
        landlord_phone=landlord_phone,
        landlord=landlord,
        note=note,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        prop = RentalProperty.objects.select_for_update().get(pk=property.pk)
        before = audit.snapshot(prop, PROPERTY_AUDITED)
        for name, value in fields.items():
            setattr(prop, name, value)
        prop.save()
        changes = audit.diff(before, audit.snapshot(prop, PROPERTY_AUDITED))
        if changes:
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=prop, changes=changes)
    return prop


def property_close(
    *, actor: User | None, property: RentalProperty, reopen: bool = False, note: str = ""
) -> RentalProperty:
    """Mark a property no longer let (or let again with ``reopen``). Refused while a
    tenant still lives there."""
    require_in_scope(actor, property)
    if not reopen and property.tenancies.filter(moved_out__isnull=True).exists():
        raise ValidationError(
            _("Tenants still live here: record that they moved out before closing the property.")
        )
    with transaction.atomic():
        prop = RentalProperty.objects.select_for_update().get(pk=property.pk)
        was = prop.is_active
        prop.is_active = reopen
        if note.strip():
            prop.note = note.strip()[:500]
        prop.save(update_fields=["is_active", "note", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=prop,
            changes={"is_active": [was, reopen]},
        )
    return prop


# --------------------------------------------------------------------------- agreements


def landlord_agreement_sign(
    *,
    actor: User | None,
    property: RentalProperty,
    signed_on: datetime.date | None,
    valid_until: datetime.date | None = None,
    note: str = "",
) -> LandlordAgreement:
    """The landlord's agreement to report tenants' arrivals and departures within the
    pack's ``floating.landlord_report_days`` (taken when signed). It has no penalty of
    any kind (SPEC §0)."""
    require_in_scope(actor, property)
    errors: dict[str, str] = {}
    if signed_on is None:
        errors["signed_on"] = _("Give the date.")
    _not_future(signed_on, "signed_on", errors)
    if signed_on is not None and valid_until is not None and valid_until < signed_on:
        errors["valid_until"] = _("The end is before the signing.")
    note = _text(note, 500, "note", errors)
    if errors:
        raise ValidationError(errors)
    assert signed_on is not None
    with transaction.atomic():
        agreement = LandlordAgreement.objects.create(
            property=property,
            unit=property.unit,
            signed_on=signed_on,
            valid_until=valid_until,
            report_within_days=landlord_report_days(property.unit, signed_on),
            signed_by=audit.user_of(actor),
            note=note,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=agreement,
            changes={
                "signed_on": [None, signed_on.isoformat()],
                "valid_until": [None, valid_until.isoformat() if valid_until else None],
            },
        )
    return agreement


def agreement_in_force(property: RentalProperty, day: datetime.date) -> LandlordAgreement | None:
    """The property's agreement in force on ``day`` (the latest signed), if any."""
    return (
        property.agreements.filter(signed_on__lte=day)
        .exclude(valid_until__lt=day)
        .order_by("-signed_on", "-id")
        .first()
    )


# --------------------------------------------------------------------------- tenants


@dataclass(frozen=True)
class TenantIn:
    """A tenant as reported (one form, one row of a tenant list)."""

    name: str
    moved_in: datetime.date | None
    id_number: str = ""
    phone: str = ""
    room: str = ""
    note: str = ""


def _check_tenant(tenant: TenantIn) -> tuple[dict[str, str], str]:
    """The problems of a reported tenant (by field) and her normalised ID number."""
    errors: dict[str, str] = {}
    name = (tenant.name or "").strip()
    if not name:
        errors["name"] = _("Give the name.")
    elif len(name) > 50:
        errors["name"] = _("At most %(n)d characters.") % {"n": 50}
    if tenant.moved_in is None:
        errors["moved_in"] = _("Give the date she moved in.")
    _not_future(tenant.moved_in, "moved_in", errors)
    number = idnumber.normalise(tenant.id_number or "")
    if number:
        try:
            number = idnumber.parse(number).number
        except ValidationError as exc:
            errors["id_number"] = " ".join(exc.messages)
    _text(tenant.phone, 32, "phone", errors)
    _text(tenant.room, 20, "room", errors)
    _text(tenant.note, 500, "note", errors)
    return errors, number


def _resident(unit: Unit, id_hash: str) -> Person | None:
    """The person registered as living in ``unit`` (registered or in-migrant) with this
    ID hash."""
    if not id_hash:
        return None
    return (
        Person.objects.filter(id_hash=id_hash, unit=unit, status__in=RESIDENT_STATUSES)
        .order_by("id")
        .first()
    )


def _open_arrival(unit: Unit, id_hash: str) -> Arrival | None:
    """An arrival of the unit with this ID hash still reported or registered."""
    if not id_hash:
        return None
    return (
        Arrival.objects.filter(
            unit=unit,
            id_hash=id_hash,
            status__in=(ArrivalStatus.REPORTED, ArrivalStatus.REGISTERED),
        )
        .order_by("-arrived_on", "-id")
        .first()
    )


def _tenancy_create(
    *,
    actor: User | None,
    property: RentalProperty,
    tenant: TenantIn,
    number: str,
    reported_on: datetime.date,
) -> Tenancy:
    """Inside the caller's transaction: the tenancy, her match or her arrival, audited."""
    id_hash = crypto.lookup_hash(number) if number else ""
    assert tenant.moved_in is not None
    person = _resident(property.unit, id_hash)
    arrival = None
    if person is None:
        arrival = _open_arrival(property.unit, id_hash)
        if arrival is None:
            arrival = arrival_report(
                actor=actor,
                unit=property.unit,
                name=tenant.name.strip(),
                arrived_on=tenant.moved_in,
                source=ArrivalSource.TENANT,
                id_number=number,
                phone=tenant.phone,
                property=property,
                room=tenant.room,
            )
    tenancy = Tenancy.objects.create(
        property=property,
        unit=property.unit,
        name=tenant.name.strip(),
        id_number_encrypted=crypto.encrypt(number) if number else "",
        id_hash=id_hash,
        phone=(tenant.phone or "").strip(),
        room=(tenant.room or "").strip(),
        moved_in=tenant.moved_in,
        reported_on=reported_on,
        person=person,
        arrival=arrival,
        note=(tenant.note or "").strip(),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=tenancy,
        changes={
            "property": [None, property.pk],
            "name": [None, tenancy.name],
            "moved_in": [None, tenancy.moved_in.isoformat()],
            "person": [None, person.pk if person else None],
            "arrival": [None, arrival.pk if arrival else None],
        },
    )
    return tenancy


def _reported_on(reported_on: datetime.date | None, errors: dict[str, str]) -> datetime.date:
    day = reported_on or timezone.localdate()
    _not_future(day, "reported_on", errors)
    return day


def tenancy_report(
    *,
    actor: User | None,
    property: RentalProperty,
    name: str,
    moved_in: datetime.date | None,
    id_number: str = "",
    phone: str = "",
    room: str = "",
    reported_on: datetime.date | None = None,
    note: str = "",
) -> Tenancy:
    """A tenant reported by the landlord (or found by the office) living in ``property``
    since ``moved_in``, reported on ``reported_on`` (today by default). Matched with the
    registry by her ID number; otherwise a reported arrival goes on the worklist."""
    require_in_scope(actor, property)
    tenant = TenantIn(
        name=name, moved_in=moved_in, id_number=id_number, phone=phone, room=room, note=note
    )
    errors, number = _check_tenant(tenant)
    day = _reported_on(reported_on, errors)
    if moved_in is not None and moved_in > day:
        errors["reported_on"] = _("The report is before she moved in.")
    if not property.is_active:
        errors["property"] = _("The property is not let.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _tenancy_create(
            actor=actor, property=property, tenant=tenant, number=number, reported_on=day
        )


def tenancy_end(
    *, actor: User | None, tenancy: Tenancy, moved_out: datetime.date | None
) -> Tenancy:
    """Record that the tenant moved out on ``moved_out``."""
    require_in_scope(actor, tenancy)
    errors: dict[str, str] = {}
    if moved_out is None:
        errors["moved_out"] = _("Give the date she moved out.")
    _not_future(moved_out, "moved_out", errors)
    if moved_out is not None and moved_out < tenancy.moved_in:
        errors["moved_out"] = _("The date is before she moved in.")
    if tenancy.moved_out is not None:
        errors["moved_out"] = _("The tenant's moving out is already recorded.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
        row.moved_out = moved_out
        row.save(update_fields=["moved_out", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            changes={"moved_out": [None, moved_out.isoformat() if moved_out else None]},
        )
    return row


def report_days_late(tenancy: Tenancy, *, agreements: list[LandlordAgreement] | None = None) -> int:
    """Days the report came after the agreement's days (0 when on time or without an
    agreement): shown, never penalised (SPEC §0). ``agreements``: the property's, when
    the caller read them already (newest first)."""
    if agreements is None:
        agreement = agreement_in_force(tenancy.property, tenancy.moved_in)
    else:
        day = tenancy.moved_in
        agreement = next(
            (
                a
                for a in agreements
                if a.signed_on <= day and (a.valid_until is None or a.valid_until >= day)
            ),
            None,
        )
    if agreement is None:
        return 0
    late = (tenancy.reported_on - tenancy.moved_in).days - agreement.report_within_days
    return max(late, 0)


# --------------------------------------------------------------------------- imports

PROPERTY_SHEET = "出租房屋"
PROPERTY_HEADERS = (
    "单位代码",
    "地址",
    "房屋类型",
    "出租间数",
    "房东姓名",
    "房东电话",
    "登记日期",
    "备注",
)
PROPERTY_REQUIRED = ("地址", "房东姓名")
KIND_BY_TEXT = {
    "民房": PropertyKind.HOUSE,
    "单元房": PropertyKind.APARTMENT,
    "集体宿舍": PropertyKind.DORMITORY,
    "门面房": PropertyKind.SHOP,
    "其他": PropertyKind.OTHER,
}

TENANT_SHEET = "租户名单"
TENANT_HEADERS = (
    "房屋编号",
    "地址",
    "姓名",
    "身份证号",
    "电话",
    "房间",
    "入住日期",
    "报告日期",
    "备注",
)
TENANT_REQUIRED = ("姓名", "入住日期")


def parse_day(text: str) -> datetime.date | None:
    """A date cell as read (``2026-03-05``, ``2026/3/5``, ``2026.3.5``, ``2026年3月5日``)."""
    text = (text or "").strip()
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    for sep in ("年", "月", "/", "."):
        text = text.replace(sep, "-")
    text = text.rstrip("日-")
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return datetime.date(y, m, d)
    except (ValueError, TypeError):
        raise ValueError(text) from None


def _row_unit(
    actor: User | None, code: str, default: Unit | None, reasons: list[str], cache: dict[str, Unit]
) -> Unit | None:
    if not code:
        if default is None:
            reasons.append(_("Give the unit code."))
        return default
    if code not in cache:
        found = Unit.objects.filter(code=code).first()
        if found is None or (actor is not None and not path_in_scope(found.path, actor)):
            reasons.append(_("Unknown unit code %(code)s.") % {"code": code})
            return None
        cache[code] = found
    unit = cache[code]
    if default is not None and not unit.path.startswith(default.path):
        reasons.append(_("The unit %(code)s is not below the unit chosen.") % {"code": code})
        return None
    return unit


def _reasons(errors: Mapping[str, str | list[str]]) -> list[str]:
    out: list[str] = []
    for value in errors.values():
        out.extend(value if isinstance(value, list) else [value])
    return out


def _validation_reasons(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


def properties_import(
    *,
    actor: User | None,
    rows: Iterable[SheetRow],
    unit: Unit | None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    headers: Iterable[str] | None = None,
) -> ImportResult:
    """A property survey (sheet 出租房屋): every row checked first; with an error in any
    row nothing is saved (unless ``valid_rows_only``), the rejected rows listed with
    their reasons."""
    if unit is not None:
        require_in_scope(actor, unit)
    result = ImportResult(headers=list(headers or PROPERTY_HEADERS), dry_run=dry_run)
    result.valid_rows_only = valid_rows_only
    cache: dict[str, Unit] = {}
    good: list[tuple[Unit, dict[str, object], datetime.date]] = []
    for sheet_row in rows:
        number, row = sheet_row.number, dict(sheet_row.values)
        result.total += 1
        reasons: list[str] = []
        row_unit = _row_unit(actor, row.get("单位代码", "").strip(), unit, reasons, cache)
        kind_text = row.get("房屋类型", "").strip() or "民房"
        kind = KIND_BY_TEXT.get(kind_text, "")
        rooms_text = row.get("出租间数", "").strip() or "1"
        try:
            rooms: int | None = int(float(rooms_text))
        except ValueError:
            rooms = None
        try:
            filed_on = parse_day(row.get("登记日期", "")) or timezone.localdate()
        except ValueError:
            reasons.append(_("The date %(text)s is not a date.") % {"text": row.get("登记日期")})
            filed_on = timezone.localdate()
        errors: dict[str, str] = {}
        fields = _property_fields(
            unit=row_unit or Unit(path=""),
            address=row.get("地址", ""),
            kind=kind,
            rooms=rooms,
            landlord_name=row.get("房东姓名", ""),
            landlord_phone=row.get("房东电话", ""),
            landlord=None,
            note=row.get("备注", ""),
            errors=errors,
        )
        _not_future(filed_on, "filed_on", errors)
        reasons.extend(_reasons(errors))
        if reasons or row_unit is None:
            result.rejected.append(RejectedRow(number, row, reasons))
            continue
        good.append((row_unit, fields, filed_on))
    if dry_run or (result.rejected and not valid_rows_only):
        return result
    with transaction.atomic():
        created = RentalProperty.objects.bulk_create(
            [RentalProperty(unit=u, filed_on=day, **fields) for u, fields, day in good],
            batch_size=500,
        )
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=unit,
            message=_("Imported %(n)d rental properties.") % {"n": len(created)},
        )
    result.created = len(good)
    result.written = bool(good)
    return result


def tenants_import(
    *,
    actor: User | None,
    rows: Iterable[SheetRow],
    unit: Unit | None = None,
    property: RentalProperty | None = None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    headers: Iterable[str] | None = None,
) -> ImportResult:
    """A tenant list of one property (``property``) or of a unit (each row names its
    property by 房屋编号, the property's number in jisheng, or by its exact 地址 in
    ``unit``'s subtree). Every row checked first; nothing half-imported."""
    if property is not None:
        require_in_scope(actor, property)
        unit = property.unit
    elif unit is not None:
        require_in_scope(actor, unit)
    result = ImportResult(headers=list(headers or TENANT_HEADERS), dry_run=dry_run)
    result.valid_rows_only = valid_rows_only
    good: list[tuple[RentalProperty, TenantIn, str, datetime.date]] = []
    props: dict[str, RentalProperty | None] = {}

    def find(row: Mapping[str, str], reasons: list[str]) -> RentalProperty | None:
        if property is not None:
            return property
        key = row.get("房屋编号", "").strip()
        address = row.get("地址", "").strip()
        if not key and not address:
            reasons.append(_("Give the property's number or address."))
            return None
        cache_key = f"{key}|{address}"
        if cache_key not in props:
            qs = RentalProperty.objects.filter(is_active=True)
            if unit is not None:
                qs = qs.filter(unit__path__startswith=unit.path)
            else:
                qs = restrict(qs, actor) if actor is not None else qs
            if key:
                qs = qs.filter(pk=int(key)) if key.isdigit() else qs.none()
            else:
                qs = qs.filter(address=address)
            found = list(qs.select_related("unit")[:2])
            props[cache_key] = found[0] if len(found) == 1 else None
        found_prop = props[cache_key]
        if found_prop is None:
            reasons.append(_("No let property with this number or address here."))
        return found_prop

    for sheet_row in rows:
        number, row = sheet_row.number, dict(sheet_row.values)
        result.total += 1
        reasons: list[str] = []
        prop = find(row, reasons)
        day_errors: dict[str, str] = {}
        try:
            moved_in = parse_day(row.get("入住日期", ""))
        except ValueError:
            moved_in = None
            day_errors["moved_in"] = _("The date %(text)s is not a date.") % {
                "text": row.get("入住日期")
            }
        try:
            reported = parse_day(row.get("报告日期", ""))
        except ValueError:
            reported = None
            day_errors["reported_on"] = _("The date %(text)s is not a date.") % {
                "text": row.get("报告日期")
            }
        tenant = TenantIn(
            name=row.get("姓名", ""),
            moved_in=moved_in,
            id_number=row.get("身份证号", ""),
            phone=row.get("电话", ""),
            room=row.get("房间", ""),
            note=row.get("备注", ""),
        )
        errors, id_number = _check_tenant(tenant)
        errors.update(day_errors)
        day = _reported_on(reported, errors)
        if moved_in is not None and moved_in > day:
            errors["reported_on"] = _("The report is before she moved in.")
        reasons.extend(_reasons(errors))
        if reasons or prop is None:
            result.rejected.append(RejectedRow(number, row, reasons))
            continue
        good.append((prop, tenant, id_number, day))
    if dry_run or (result.rejected and not valid_rows_only):
        return result
    with transaction.atomic():
        for prop, tenant, id_number, day in good:
            _tenancy_create(
                actor=actor, property=prop, tenant=tenant, number=id_number, reported_on=day
            )
    result.created = len(good)
    result.written = bool(good)
    return result
