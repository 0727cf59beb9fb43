"""The status machine of a benefit batch (发放批次), run by ``core.workflow``.

draft ─review complete (CONFIRM)→ reviewed ─公示 starts (CONFIRM)→ notice
notice ─county approval after the notice period (CONFIRM, a county office)→ approved
approved ─funds confirmed (FUNDS)→ funded ─bank file (PAY, payments part)→ exported
exported ─bank's return applied (PAY, payments part)→ closed

Returns (退回, with a message): reviewed → draft; notice → reviewed; approved → reviewed.
Cancel (with a message): draft, reviewed, notice, approved → cancelled.

Each step's permission is the power's (``benefits.confirm_batch`` …); the services in
``services_flow`` call ``duties.check`` before the step and its hook
``duties.exercise`` inside it (四权分离). The payments part's steps (funded → exported →
closed) have no hook: that part calls ``duties`` itself around ``workflow.transition``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy, pgettext_lazy

from jisheng.benefits import services_flow as services
from jisheng.benefits.choices import BatchStatus as S
from jisheng.core import workflow as wf

CONFIRM = "benefits.confirm_batch"
FUNDS = "benefits.fund_batch"
PAY = "benefits.pay_batch"

BATCH = wf.Workflow(
    model="benefits.batch",
    steps=(
        wf.Step(
            S.DRAFT,
            S.REVIEWED,
            wf.COMPLETE,
            CONFIRM,
            guards=(services.review_guard,),
            hook=services.review_hook,
            label=pgettext_lazy("benefits", "Complete the review"),
        ),
        wf.Step(
            S.REVIEWED,
            S.NOTICE,
            wf.SUBMIT,
            CONFIRM,
            hook=services.notice_hook,
            label=pgettext_lazy("benefits", "Start the public notice"),
        ),
        wf.Step(
            S.NOTICE,
            S.APPROVED,
            wf.APPROVE,
            CONFIRM,
            guards=(services.approve_guard,),
            hook=services.approve_hook,
            label=pgettext_lazy("benefits", "Approve for the county"),
        ),
        wf.Step(
            S.APPROVED,
            S.FUNDED,
            wf.APPROVE,
            FUNDS,
            hook=services.funds_hook,
            label=pgettext_lazy("benefits", "Confirm the funds"),
        ),
        wf.Step(
            S.FUNDED,
            S.EXPORTED,
            wf.SUBMIT,
            PAY,
            label=pgettext_lazy("benefits", "Send to the bank"),
        ),
        wf.Step(
            S.EXPORTED,
            S.CLOSED,
            wf.CLOSE,
            PAY,
            label=pgettext_lazy("benefits", "Close the batch"),
        ),
        wf.Step(S.REVIEWED, S.DRAFT, wf.RETURN, CONFIRM, hook=services.confirm_hook),
        wf.Step(S.NOTICE, S.REVIEWED, wf.RETURN, CONFIRM, hook=services.confirm_hook),
        wf.Step(S.APPROVED, S.REVIEWED, wf.RETURN, CONFIRM, hook=services.unapprove_hook),
        wf.Step(
            S.DRAFT, S.CANCELLED, wf.CANCEL, CONFIRM, needs_message=True, hook=services.confirm_hook
        ),
        wf.Step(
            S.REVIEWED,
            S.CANCELLED,
            wf.CANCEL,
            CONFIRM,
            needs_message=True,
            hook=services.confirm_hook,
        ),
        wf.Step(
            S.NOTICE,
            S.CANCELLED,
            wf.CANCEL,
            CONFIRM,
            needs_message=True,
            hook=services.confirm_hook,
        ),
        wf.Step(
            S.APPROVED,
            S.CANCELLED,
            wf.CANCEL,
            CONFIRM,
            needs_message=True,
            hook=services.confirm_hook,
        ),
    ),
    url=lambda b: reverse("benefits:batch_detail", args=[b.pk]),
    name=lambda b: b.title,
    kind_label=gettext_lazy("benefit batch"),
)


def register() -> None:
    wf.register(BATCH)
