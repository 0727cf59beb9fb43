"""The worklist's cross-check records (五关): records flagged for checking (待核实) and
not resolved, on the worklist of the responsible unit."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.querysets import count_and_first
from jisheng.core.registry import WorkItem, WorklistSource
from jisheng.core.scope import user_scope_path
from jisheng.orgs.models import Unit
from jisheng.quality.models import CrossCheckRow
from jisheng.quality.selectors_crosscheck import RESOLVE, Viewer, open_rows
from jisheng.quality.sources import get_source


def _what(row: CrossCheckRow) -> str:
    source = get_source(row.checklist.source)
    label = str(source.label) if source else row.checklist.source
    return _("Cross-check (%(source)s): %(outcome)s, flagged for checking") % {
        "source": label,
        "outcome": row.get_outcome_display(),
    }


def open_records_work(
    user: Viewer, *, unit: Unit | None, today: datetime.date, limit: int
) -> tuple[int, list[WorkItem]]:
    """The worklist's cross-check records: open records of the unit's subtree, oldest
    date first."""
    if user_scope_path(user) is None:
        return 0, []
    total, first = count_and_first(open_rows(user, unit), limit)
    items = [
        WorkItem(
            person_id=None,
            person_name=row.name or row.other_name,
            unit_name=row.unit.name,
            date=row.event_date or row.checklist.first,
            what=_what(row),
            url=reverse("quality:crosscheck_row", args=[row.pk]),
        )
        for row in first
    ]
    return total, items


CROSSCHECK_SOURCE = WorklistSource(
    kind="crosscheck",
    label=gettext_lazy("Cross-check records to check"),
    collect=open_records_work,
    permission=RESOLVE,
    order=95,
)
