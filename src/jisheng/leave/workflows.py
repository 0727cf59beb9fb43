"""The status machine of a leave request, run by ``core.workflow``.

applied ─sign (unit leader)→ leader_approved ─approve (计生办, slip issued)→ approved
applied / leader_approved ─return (message)→ returned ─apply again→ applied
applied / leader_approved / returned ─cancel→ cancelled

The unit leader is the ``leader`` role (``leave.sign_leaverequest``) of the employer or a
unit above it; the office is the ``office`` role (``leave.approve_leaverequest``).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy, pgettext_lazy

from jisheng.core import workflow as wf
from jisheng.leave import services
from jisheng.leave.choices import LeaveStatus as S

ADD = "leave.add_leaverequest"
SIGN = "leave.sign_leaverequest"
APPROVE = "leave.approve_leaverequest"
RETURN_PERMISSION = "leave.change_leaverequest"

LEAVE = wf.Workflow(
    model="leave.leaverequest",
    steps=(
        wf.Step(
            S.APPLIED,
            S.LEADER_APPROVED,
            wf.APPROVE,
            SIGN,
            label=pgettext_lazy("leave", "Sign as unit leader"),
        ),
        wf.Step(
            S.LEADER_APPROVED,
            S.APPROVED,
            wf.APPROVE,
            APPROVE,
            hook=services.approve_hook,
            label=pgettext_lazy("leave", "Approve and issue the slip"),
        ),
        wf.Step(S.APPLIED, S.RETURNED, wf.RETURN, SIGN),
        wf.Step(S.LEADER_APPROVED, S.RETURNED, wf.RETURN, APPROVE),
        wf.Step(
            S.RETURNED,
            S.APPLIED,
            wf.SUBMIT,
            ADD,
            guards=(services.resubmit_guard,),
            label=pgettext_lazy("leave", "Apply again"),
        ),
        wf.Step(S.APPLIED, S.CANCELLED, wf.CANCEL, ADD),
        wf.Step(S.LEADER_APPROVED, S.CANCELLED, wf.CANCEL, ADD),
        wf.Step(S.RETURNED, S.CANCELLED, wf.CANCEL, ADD),
    ),
    url=lambda r: reverse("leave:detail", args=[r.pk]),
    name=lambda r: f"{r.person.name} {r.get_kind_display()}",
    kind_label=gettext_lazy("leave request"),
)


def register() -> None:
    wf.register(LEAVE)
