"""The arrivals on the worklist (待办, issue 17).

- ``floating_arrivals`` 流入人员待登记: reported arrivals of the caller's subtree, from the
  arrival date, due ``due_on`` (the pack's ``in_migrant_registration`` days), late days
  after it; the item opens the registration form.
- ``floating_unverified`` 待查验婚育证明: registered arrivals without a valid check of her
  婚育证明, due ``due_on`` too; the item opens the arrival (its verify action).

Two queries each (the count and the first items), on the index of status and due date.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.querysets import count_and_first
from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source
from jisheng.floating import selectors_arrivals as selectors
from jisheng.floating.models import Arrival
from jisheng.orgs.models import Unit, User

ADD = "floating.add_arrival"


def _items(
    rows: QuerySet[Arrival], *, today: datetime.date, limit: int, what: str, url_name: str
) -> tuple[int, list[WorkItem]]:
    total, first = count_and_first(rows, limit)
    items = [
        WorkItem(
            person_id=a.person_id,
            person_name=a.name,
            unit_name=a.unit.name,
            date=a.due_on,
            what=what,
            url=reverse(url_name, args=[a.pk]),
            late_days=max((today - a.due_on).days, 0),
        )
        for a in first
    ]
    return total, items


def collect_to_register(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    return _items(
        selectors.to_register(user, unit=unit, today=today),
        today=today,
        limit=limit,
        what=_("In-migrant to register"),
        url_name="floating:arrival_register",
    )


def collect_to_verify(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    return _items(
        selectors.to_verify(user, unit=unit, today=today),
        today=today,
        limit=limit,
        what=_("Marriage and childbearing certificate to verify"),
        url_name="floating:arrival_detail",
    )


TO_REGISTER = WorklistSource(
    kind="floating_arrivals",
    label=gettext_lazy("In-migrants to register"),
    collect=collect_to_register,
    permission=ADD,
    order=77,
)
TO_VERIFY = WorklistSource(
    kind="floating_unverified",
    label=gettext_lazy("Certificates of in-migrants to verify"),
    collect=collect_to_verify,
    permission=ADD,
    order=78,
)


def register() -> None:
    register_worklist_source(TO_REGISTER)
    register_worklist_source(TO_VERIFY)
