"""The exchange's lines of the worklist (待办): notices awaiting the office's reply
(``exchange_reply_due``, due on ``reply_due``, late after it) and notices its offices
sent that wait for the receiver to be filled in (``exchange_unaddressed``)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.querysets import count_and_first
from jisheng.core.registry import WorkItem, WorklistSource
from jisheng.exchange import selectors

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit, User

RECORD = "exchange.add_notice"


def collect_reply_due(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    total, first = count_and_first(selectors.reply_due(user, unit=unit), limit)
    items = []
    for notice in first:
        due = notice.reply_due or today
        receiver = notice.receiver_unit
        items.append(
            WorkItem(
                person_id=notice.person_id,
                person_name=notice.person_name,
                unit_name=receiver.name if receiver is not None else notice.receiver_code,
                date=due,
                what=_("Reply to the notification: %(kind)s") % {"kind": notice.get_kind_display()},
                url=reverse("exchange:detail", args=[notice.pk]),
                late_days=max((today - due).days, 0),
            )
        )
    return total, items


def collect_unaddressed(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    total, first = count_and_first(selectors.unaddressed(user, unit=unit), limit)
    items = []
    for notice in first:
        sender = notice.sender_unit
        items.append(
            WorkItem(
                person_id=notice.person_id,
                person_name=notice.person_name,
                unit_name=sender.name if sender is not None else notice.sender_code,
                date=notice.event_on,
                what=_("Fill in the household registration place of the notification: %(kind)s")
                % {"kind": notice.get_kind_display()},
                url=reverse("exchange:detail", args=[notice.pk]),
            )
        )
    return total, items


REPLY_DUE_SOURCE = WorklistSource(
    kind="exchange_reply_due",
    label=gettext_lazy("Notifications awaiting reply"),
    collect=collect_reply_due,
    permission=RECORD,
    order=82,
)
UNADDRESSED_SOURCE = WorklistSource(
    kind="exchange_unaddressed",
    label=gettext_lazy("Notifications without a household registration place"),
    collect=collect_unaddressed,
    permission=RECORD,
    order=83,
)
