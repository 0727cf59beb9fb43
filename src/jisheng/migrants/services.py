"""Writes of the floating-population app: recording a check of an in-migrant's
marriage and childbearing certificate (婚育证明). Validated, one transaction, audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, locks
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.migrants.models import CheckResult, MigrantCheck
from jisheng.migrants.selectors import was_in_migrant
from jisheng.people.models import Person


def check_record(
    *,
    actor: Any,
    person: Person,
    checked_on: datetime.date | None,
    result: str,
    certificate_number: str = "",
    issuing_place: str = "",
    note: str = "",
    late_reason: str = "",
) -> MigrantCheck:
    """Record that ``person``'s 婚育证明 was checked on ``checked_on`` with ``result``
    (valid, invalid or not shown). The person must have been an in-migrant that day.
    A check dated inside a closed period is a late entry: refused on ``checked_on``
    unless ``late_reason`` is given (:mod:`jisheng.core.locks`)."""
    require_in_scope(actor, person.unit)
    number = (certificate_number or "").strip()
    place = (issuing_place or "").strip()
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if result not in CheckResult.values:
        errors["result"] = _("Choose the result from the list.")
    if checked_on is None:
        errors["checked_on"] = _("Give the date of the check.")
    elif checked_on > timezone.localdate():
        errors["checked_on"] = _("The date is in the future.")
    elif checked_on < person.birth_date:
        errors["checked_on"] = _("The date is before the person's birth.")
    elif not was_in_migrant(person, checked_on):
        errors["checked_on"] = _("The person was not registered as an in-migrant on that day.")
    if result in (CheckResult.VALID, CheckResult.INVALID) and not number:
        errors["certificate_number"] = _("Give the number of the certificate shown.")
    if result == CheckResult.VALID and not place:
        errors["issuing_place"] = _("Give the place that issued the certificate.")
    if result == CheckResult.MISSING:
        number, place = "", ""
    if len(number) > 50:
        errors["certificate_number"] = _("At most 50 characters.")
    if len(place) > 200:
        errors["issuing_place"] = _("At most 200 characters.")
    if len(note) > 500:
        errors["note"] = _("At most 500 characters.")
    if errors:
        raise ValidationError(errors)
    with locks.late_reason(late_reason), transaction.atomic():
        entry = locks.require_open(
            unit=person.unit,
            day=checked_on,
            actor=actor,
            what=_("%(name)s: certificate check") % {"name": person.name},
            field="checked_on",
        )
        check = MigrantCheck.objects.create(
            person=person,
            unit=person.unit,
            certificate_number=number,
            issuing_place=place,
            checked_on=checked_on,
            result=result,
            checked_by=audit.user_of(actor),
            note=note,
        )
        if entry is not None and entry.object_id is None:
            locks.attach(entry, check)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=check,
            changes={
                k: [None, v]
                for k, v in audit.snapshot(
                    check, ["person", "certificate_number", "issuing_place", "checked_on", "result"]
                ).items()
                if v not in (None, "")
            },
        )
    return check
