"""Failed payments on the office's worklist (待办): ``benefits_payment_failed``
发放失败待处理 — a payment the bank returned as failed, in the subtree of the user (the
office of the payment's unit and above), until the office deals with it (the account
fixed; the next roster pays it again). An administrative duty of the office (SPEC §0)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.benefits import selectors_payments as selectors
from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source
from jisheng.core.scope import user_scope_path
from jisheng.orgs.models import Unit, User

ACCOUNT = "benefits.add_bankaccount"


def collect_failed(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    if user_scope_path(user) is None:
        return 0, []
    rows = selectors.failed_waiting(user, unit=unit)
    items = []
    for payment in rows[:limit]:
        day = timezone.localdate(payment.updated_at)
        items.append(
            WorkItem(
                person_id=payment.beneficiary_id,
                person_name=payment.payee_name,
                unit_name=payment.unit.name,
                date=day,
                what=_("Payment failed (%(amount)s yuan): %(reason)s")
                % {"amount": payment.amount, "reason": payment.failure_reason},
                url=reverse("benefits:failure_handle", args=[payment.pk]),
                late_days=max((today - day).days, 0),
            )
        )
    return rows.count(), items


FAILED_SOURCE = WorklistSource(
    kind="benefits_payment_failed",
    label=gettext_lazy("Failed payments to deal with"),
    collect=collect_failed,
    permission=ACCOUNT,
    order=92,
)


def register() -> None:
    register_worklist_source(FAILED_SOURCE)
