"""The worklist source "leave to decide" (待审批假期): requests waiting for the user's
step — to sign as the unit leader, or to approve as the office."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.querysets import count_and_first
from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source
from jisheng.leave import selectors
from jisheng.leave.choices import LeaveStatus

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit, User


def collect_awaiting(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    total, first = count_and_first(selectors.awaiting(user, unit=unit), limit)
    items = [
        WorkItem(
            person_id=r.person_id,
            person_name=f"{r.person.name} · {r.get_kind_display()}",
            unit_name=r.unit.name,
            date=r.start,
            what=_("Leave to sign") if r.status == LeaveStatus.APPLIED else _("Leave to approve"),
            url=reverse("leave:detail", args=[r.pk]),
        )
        for r in first
    ]
    return total, items


def register() -> None:
    register_worklist_source(
        WorklistSource(
            kind="leave_awaiting",
            label=gettext_lazy("Leave requests to decide"),
            collect=collect_awaiting,
            permission="leave.view_leaverequest",
            order=30,
            per_user=True,
        )
    )
