"""People away on the worklist (待办), issue 17.

- ``floating_outflow_due`` 流出人员待建档/签协议: (a) persons the registry holds as
  out-migrants with no open record (data from before, imports), and (b) open records
  without a service agreement — each due the pack's ``deadlines.out_migrant_contract``
  after she left, else ``floating.out_migrant_months`` (3) after it (the pack in force
  today for the unit asked: one look-up for all the rows).
- ``floating_contact_due`` 流出人员待联系: open records with no contact for
  :data:`~jisheng.floating.services_outflows.CONTACT_EVERY_MONTHS` months (each quarter),
  due the last contact (or the record) plus those months.

Administrative duties of the office only (SPEC §0). Each kind is a count and the first
``limit`` rows of one indexed query: the due dates are monotone in the day she left (or
last contact), so ordering by that day orders by due date.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.querysets import count_and_first
from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source
from jisheng.core.scope import user_scope_path
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.floating import selectors_outflows as selectors
from jisheng.floating.services_outflows import agreement_rule, contact_due
from jisheng.orgs.models import Unit, User

ADD = "floating.add_outflow"


def _where(user: User, unit: Unit | None) -> Unit | None:
    return unit if unit is not None else getattr(user, "unit", None)


def collect_outflow_due(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    if user_scope_path(user) is None:
        return 0, []
    due_by = agreement_rule(_where(user, unit), today)  # the pack in force today
    persons = selectors.without_record(user, unit=unit)
    records = selectors.without_agreement(user, unit=unit)
    away, first_persons = count_and_first(persons, limit)
    unsigned, first_records = count_and_first(records, limit)
    items: list[WorkItem] = []
    for person in first_persons:
        left_on = getattr(person, "left_on", None) or today
        due = due_by(left_on)
        items.append(
            WorkItem(
                person_id=person.pk,
                person_name=person.name,
                unit_name=person.unit.name,
                date=due,
                what=_("Out-migrant record to make (away since %(day)s)")
                % {"day": format_cn_date(left_on)},
                url=reverse("floating:outflow_record") + f"?person={person.pk}",
                late_days=max((today - due).days, 0),
            )
        )
    for outflow in first_records:
        due = due_by(outflow.left_on)
        items.append(
            WorkItem(
                person_id=outflow.person_id,
                person_name=outflow.person.name,
                unit_name=outflow.unit.name,
                date=due,
                what=_("Service agreement to sign (away since %(day)s)")
                % {"day": format_cn_date(outflow.left_on)},
                url=reverse("floating:agreement_sign", args=[outflow.pk]),
                late_days=max((today - due).days, 0),
            )
        )
    items.sort(key=lambda item: (item.date, item.person_name))
    return away + unsigned, items[:limit]


def collect_contact_due(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    if user_scope_path(user) is None:
        return 0, []
    rows = selectors.contact_overdue(user, unit=unit, today=today)
    total, first = count_and_first(rows, limit)
    items = []
    for outflow in first:
        last = getattr(outflow, "last_contact_on", None) or outflow.recorded_on
        due = contact_due(last)
        items.append(
            WorkItem(
                person_id=outflow.person_id,
                person_name=outflow.person.name,
                unit_name=outflow.unit.name,
                date=due,
                what=_("Contact the person away (last %(day)s)") % {"day": format_cn_date(last)},
                url=reverse("floating:contact_create", args=[outflow.pk]),
                late_days=max((today - due).days, 0),
            )
        )
    return total, items


OUTFLOW_DUE_SOURCE = WorklistSource(
    kind="floating_outflow_due",
    label=gettext_lazy("Out-migrants: records and agreements to make"),
    collect=collect_outflow_due,
    permission=ADD,
    order=82,
)
CONTACT_DUE_SOURCE = WorklistSource(
    kind="floating_contact_due",
    label=gettext_lazy("Out-migrants to contact"),
    collect=collect_contact_due,
    permission=ADD,
    order=83,
)


def register() -> None:
    register_worklist_source(OUTFLOW_DUE_SOURCE)
    register_worklist_source(CONTACT_DUE_SOURCE)
