"""Writes of arrivals (流入): reported → registered → left (issue 17).

:func:`arrival_report` is the one entry other parts call (a tenant list, a sweep
finding, a notification): it puts a reported arrival on the worklist of the unit where
she lives, due the pack's ``in_migrant_registration`` days after she arrived.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, crypto, idnumber
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.floating.choices import ArrivalSource, ArrivalStatus
from jisheng.floating.models import Arrival, RentalProperty
from jisheng.orgs.models import Unit, User
from jisheng.policy.deadlines import due_date
from jisheng.policy.schema import DaysAfter
from jisheng.policy.selectors import pack_in_force

REGISTRATION_DAYS = 15  # SPEC §4, when no pack in force names the deadline


def registration_due(unit: Unit, arrived_on: datetime.date) -> datetime.date:
    """The day an arrival on ``arrived_on`` must be registered by in ``unit``: the pack's
    ``deadlines.in_migrant_registration`` in force that day, else 15 days."""
    pack = pack_in_force(unit, arrived_on)
    rule = pack.deadlines.get("in_migrant_registration") if pack is not None else None
    if rule is None:
        rule = DaysAfter(kind="days_after", days=REGISTRATION_DAYS)
    return due_date(rule, arrived_on)


def arrival_report(
    *,
    actor: User | None,
    unit: Unit,
    name: str,
    arrived_on: datetime.date,
    source: str = ArrivalSource.OFFICE,
    id_number: str = "",
    phone: str = "",
    property: RentalProperty | None = None,
    room: str = "",
    note: str = "",
) -> Arrival:
    """Record that ``name`` arrived to live in ``unit`` on ``arrived_on`` (not yet
    registered). Refuses another unit's data (audited), a future date and a bad ID
    number, in Chinese."""
    require_in_scope(actor, unit)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the name.")
    elif len(name) > 50:
        errors["name"] = _("At most 50 characters.")
    if arrived_on > timezone.localdate():
        errors["arrived_on"] = _("The date is in the future.")
    if source not in ArrivalSource.values:
        errors["source"] = _("Choose the source from the list.")
    number = idnumber.normalise(id_number or "")
    if number:
        try:
            number = idnumber.parse(number).number
        except ValidationError as exc:
            errors["id_number"] = " ".join(exc.messages)
    if property is not None and property.unit_id != unit.pk:
        errors["property"] = _("The property is not in this unit.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        arrival = Arrival.objects.create(
            unit=unit,
            status=ArrivalStatus.REPORTED,
            source=source,
            name=name,
            id_number_encrypted=crypto.encrypt(number) if number else "",
            id_hash=crypto.lookup_hash(number) if number else "",
            phone=(phone or "").strip()[:32],
            arrived_on=arrived_on,
            due_on=registration_due(unit, arrived_on),
            property=property,
            room=(room or "").strip()[:20],
            note=(note or "").strip()[:500],
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=arrival,
            changes={"name": [None, name], "arrived_on": [None, arrived_on.isoformat()]},
        )
    return arrival
