"""Stopped benefits on the office's worklist (待遇终止待确认, issue 18): entitlements a
registry event stopped that the office has not confirmed, in the user's scope (below
``unit``), the earliest stop first — one indexed query and its count."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.benefits import selectors_changes as selectors
from jisheng.benefits.choices import StopReason
from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source
from jisheng.core.scope import user_scope_path
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.orgs.models import Unit, User

CHANGE = "benefits.change_entitlement"


def collect_stops(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    if user_scope_path(user) is None:
        return 0, []
    rows = selectors.stops_to_confirm(user, unit=unit)
    items = []
    for entitlement in rows[:limit]:
        stopped_on = entitlement.stopped_on or today
        reason = (
            StopReason(entitlement.stop_reason).label
            if entitlement.stop_reason in StopReason.values
            else ""
        )
        items.append(
            WorkItem(
                person_id=entitlement.person_id,
                person_name=entitlement.person.name,
                unit_name=entitlement.unit.name,
                date=stopped_on,
                what=_("Benefit stopped (%(reason)s) from %(day)s: confirm")
                % {"reason": reason, "day": format_cn_date(stopped_on)},
                url=reverse("benefits:stop_confirm", args=[entitlement.pk]),
                late_days=max((today - stopped_on).days, 0),
            )
        )
    return rows.count(), items


STOPS_SOURCE = WorklistSource(
    kind="benefits_stops",
    label=gettext_lazy("Stopped benefits to confirm"),
    collect=collect_stops,
    permission=CHANGE,
    order=93,
)


def register() -> None:
    register_worklist_source(STOPS_SOURCE)
