"""The benefit flow on the worklist (待办), issue 18.

- ``benefits_batches`` 待遇批次待办理: batches of the user's subtree waiting for a step
  the user may take — the review (draft, reviewed), the county's approval once the
  notice period is over (a county office), the funds (approved: the fund manager);
  batches where the user used another of the four powers are left out (四权分离).
- ``benefits_objections`` 公示异议待处理: open objections.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.benefits import selectors_flow as selectors
from jisheng.benefits.choices import BatchStatus
from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source
from jisheng.core.scope import user_scope_path
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.orgs.models import Unit, User

VIEW = "benefits.view_batch"
CHANGE_OBJECTION = "benefits.change_objection"


def _what(batch_status: str, until: datetime.date | None) -> str:
    if batch_status == BatchStatus.DRAFT:
        return _("Review the candidates")
    if batch_status == BatchStatus.REVIEWED:
        return _("Start the public notice")
    if batch_status == BatchStatus.NOTICE:
        return _("Approve: the notice ended on %(day)s") % {"day": format_cn_date(until)}
    return _("Confirm the funds")


def collect_batches(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    if user_scope_path(user) is None:
        return 0, []
    rows = selectors.awaiting(user, unit=unit, today=today)
    items = []
    for batch in rows[:limit]:
        due = (
            batch.notice_until + datetime.timedelta(days=1)
            if batch.status == BatchStatus.NOTICE and batch.notice_until
            else timezone.localdate(batch.updated_at)
        )
        items.append(
            WorkItem(
                person_id=None,
                person_name=batch.title,
                unit_name=batch.unit.name,
                date=due,
                what=_what(batch.status, batch.notice_until),
                url=reverse("benefits:batch_detail", args=[batch.pk]),
            )
        )
    return rows.count(), items


def collect_objections(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    if user_scope_path(user) is None:
        return 0, []
    rows = selectors.open_objections(user, unit=unit)
    items = [
        WorkItem(
            person_id=o.case.person_id,
            person_name=o.case.person.name,
            unit_name=o.unit.name,
            date=o.raised_on,
            what=_("Objection to resolve (%(batch)s)") % {"batch": o.case.batch.title},
            url=reverse("benefits:objection_resolve", args=[o.pk]),
        )
        for o in rows[:limit]
    ]
    return rows.count(), items


BATCHES_SOURCE = WorklistSource(
    kind="benefits_batches",
    label=gettext_lazy("Benefit batches to handle"),
    collect=collect_batches,
    permission=VIEW,
    order=90,
    per_user=True,
)
OBJECTIONS_SOURCE = WorklistSource(
    kind="benefits_objections",
    label=gettext_lazy("Objections to resolve"),
    collect=collect_objections,
    permission=CHANGE_OBJECTION,
    order=91,
)


def register() -> None:
    register_worklist_source(BATCHES_SOURCE)
    register_worklist_source(OBJECTIONS_SOURCE)
