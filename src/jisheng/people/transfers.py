"""管理移交: departures open a transfer case that the 计生办 completes with a clearance.

Completing is the step open → completed of ``core.workflow`` (the table is
``people/workflows.py``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.orgs.models import Unit
from jisheng.people import consequences
from jisheng.people.choices import TransferStatus
from jisheng.people.models import LifeEvent, Transfer

# The departures that open a transfer, and its reason: from the table of what each
# kind of event does (``people.consequences``).
REASON_FOR_EVENT: dict[str, str] = consequences.transfer_reasons()


def open_for_event(*, actor: Any, event: LifeEvent) -> Transfer | None:
    """Open the transfer case a departure event calls for (none for other events)."""
    reason = REASON_FOR_EVENT.get(event.kind)
    if reason is None:
        return None
    transfer = Transfer.objects.create(
        unit=event.unit,
        person=event.person,
        event=event,
        reason=reason,
        opened_on=event.date,
        receiving_name=str(event.data.get("to", ""))[:200],
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=transfer,
        changes={"reason": [None, reason], "opened_on": [None, str(event.date)]},
    )
    return transfer


def transfer_complete(
    *,
    actor: Any,
    transfer: Transfer,
    completed_on: datetime.date,
    receiving_name: str = "",
    receiving_unit: Unit | None = None,
    records_handed: str = "",
) -> Transfer:
    """Complete a transfer: records handed over, the clearance issued (by the
    certificates app, following the step)."""
    require_in_scope(actor, transfer.unit)
    if transfer.status != TransferStatus.OPEN:
        raise ValidationError(_("Only an open transfer can be completed."))
    receiving_name = receiving_name.strip() or transfer.receiving_name
    errors = {}
    if not (receiving_name or receiving_unit):
        errors["receiving_name"] = _("Name the receiving unit or township.")
    if not records_handed.strip():
        errors["records_handed"] = _("List the records handed over.")
    if completed_on < transfer.opened_on:
        errors["completed_on"] = _("The completion date is before the departure.")
    if completed_on > timezone.localdate():
        errors["completed_on"] = _("The completion date is in the future.")
    if errors:
        raise ValidationError(errors)
    workflow.transition(
        actor=actor,
        obj=transfer,
        to=TransferStatus.COMPLETED,
        params={
            "completed_on": completed_on,
            "receiving_name": receiving_name,
            "receiving_unit": receiving_unit,
            "records_handed": records_handed.strip(),
        },
    )
    return transfer


def record_clearance(ctx: workflow.Context) -> None:
    """Hook of completing (on the locked case): the handover written. The clearance
    (管理移交证明, numbered YJ<unit code>-<year>-<0001>) is issued by the certificates
    app, which follows this step (``core.workflow.follow``) in the same transaction and
    writes its number into ``clearance_number``."""
    transfer: Transfer = ctx.obj
    completed_on = ctx.params["completed_on"]
    receiving_unit = ctx.params["receiving_unit"]
    before = audit.snapshot(transfer)
    transfer.completed_on = completed_on
    transfer.receiving_name = ctx.params["receiving_name"] or (
        receiving_unit.name if receiving_unit else ""
    )
    transfer.receiving_unit = receiving_unit
    transfer.records_handed = ctx.params["records_handed"]
    transfer.completed_by = audit.user_of(ctx.actor)
    ctx.fields += [
        "completed_on",
        "receiving_name",
        "receiving_unit",
        "records_handed",
        "completed_by",
    ]
    after = audit.snapshot(transfer)
    after["status"] = TransferStatus.COMPLETED
    ctx.changes.update(audit.diff(before, after))
