"""The status machine of a sample verification (抽查), run by ``core.workflow``.

open ─close (at least one record checked; results frozen)→ closed
closed ─reopen (with a message, to correct a result)→ open
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.core import workflow as wf
from jisheng.reports import verification
from jisheng.reports.models import Verification

CLOSE = "reports.change_verification"

VERIFICATION = wf.Workflow(
    model="reports.verification",
    steps=(
        wf.Step(
            Verification.Status.OPEN,
            Verification.Status.CLOSED,
            wf.CLOSE,
            CLOSE,
            hook=verification.close_checked,
        ),
        wf.Step(
            Verification.Status.CLOSED,
            Verification.Status.OPEN,
            wf.REOPEN,
            CLOSE,
            needs_message=True,
            hook=verification.reopen_check,
        ),
    ),
    url=lambda v: reverse("reports:verification_detail", args=[v.pk]),
    kind_label=_("sample verification"),
)


def register() -> None:
    wf.register(VERIFICATION)
