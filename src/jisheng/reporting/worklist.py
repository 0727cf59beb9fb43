"""The worklist source "reports due" (报表待报): the statistical reports the user's own
unit must submit for the period now due — not started, draft or checked — with their
deadline and the days late. Returns appear in core.workflow's "returned" source (with the
退回意见); a report reopened from above appears here."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core import workflow as wf
from jisheng.core.periods import containing
from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source
from jisheng.core.statforms import statforms
from jisheng.orgs.models import Unit, User
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S

ADD = "reporting.add_submission"


def due_reports(user: User, *, unit: Unit | None = None, today: datetime.date) -> list[WorkItem]:
    own = getattr(user, "unit", None)
    if own is None or not user.has_perm(ADD):
        return []
    if unit is not None and not (own.path.startswith(unit.path) or unit.path == own.path):
        return []
    specs = statforms()
    periods = {s.key: containing(today, s.frequency).previous() for s in specs}
    subs = {
        (s.form_key, s.period_code): s
        for s in Submission.objects.filter(
            unit=own, form_key__in=list(periods), period_code__in={p.code for p in periods.values()}
        )
    }
    items = []
    for spec in specs:
        period = periods[spec.key]
        sub = subs.get((spec.key, period.code))
        if sub is not None and sub.status in (S.SUBMITTED, S.APPROVED):
            continue
        if sub is not None and sub.status == S.RETURNED and wf.last_return(sub) is not None:
            continue  # on the "returned" list, with its message
        deadline = sub.deadline if sub is not None else spec.deadline(own, period)
        items.append(
            WorkItem(
                person_id=None,
                person_name=f"{spec.title} · {period.label}",
                unit_name=own.name,
                date=deadline,
                what=_("Report to submit")
                if sub is None or sub.status != S.RETURNED
                else _("Report reopened: submit again"),
                url=reverse("reporting:submission", args=[spec.key, period.code, own.code]),
                late_days=max((today - deadline).days, 0),
            )
        )
    items.sort(key=lambda i: i.date)
    return items


def collect_due_reports(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    items = due_reports(user, unit=unit, today=today or timezone.localdate())
    return len(items), items[:limit]


def register() -> None:
    register_worklist_source(
        WorklistSource(
            kind="reports_due",
            label=gettext_lazy("Reports to submit"),
            collect=collect_due_reports,
            permission=ADD,
            order=8,
            per_user=True,
        )
    )
