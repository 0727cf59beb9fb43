"""The status machine of a report submission (统计报表上报), run by ``core.workflow``.

draft ─check→ checked ─submit→ submitted ─approve→ approved ─reopen (message)→ returned
  │                                 └─return (message)→ returned
  └─submit→ submitted                 returned ─check→ checked, returned ─submit→ submitted

check and submit: the staff of the report's unit (``reporting.add_submission``);
approve and return: the staff of the unit above (``reporting.change_submission``);
reopen: any unit above. The guards and hooks are in :mod:`services_submission`.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core import workflow as wf
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import SubmissionStatus as S

ADD = "reporting.add_submission"
APPROVE = "reporting.change_submission"
CHECK = "check"

_submit_guards = (svc.own_unit, svc.children_approved, svc.checks_pass)

SUBMISSION = wf.Workflow(
    model="reporting.submission",
    steps=(
        *(
            wf.Step(
                s,
                S.CHECKED,
                CHECK,
                ADD,
                guards=(svc.own_unit, svc.checks_pass),
                label=pgettext_lazy("workflow step", "Checked"),
            )
            for s in (S.DRAFT, S.RETURNED, S.CHECKED)
        ),
        *(
            wf.Step(s, S.SUBMITTED, wf.SUBMIT, ADD, guards=_submit_guards, hook=svc.freeze)
            for s in (S.DRAFT, S.CHECKED, S.RETURNED)
        ),
        wf.Step(
            S.SUBMITTED,
            S.APPROVED,
            wf.APPROVE,
            APPROVE,
            guards=(svc.parent_unit,),
            hook=svc.close_period,
        ),
        wf.Step(S.SUBMITTED, S.RETURNED, wf.RETURN, APPROVE, guards=(svc.parent_unit,)),
        wf.Step(
            S.APPROVED,
            S.RETURNED,
            wf.REOPEN,
            APPROVE,
            needs_message=True,
            guards=(svc.above,),
            hook=svc.open_period,
        ),
    ),
    scope_path=lambda sub: sub.unit.path,
    unit_of=lambda sub: sub.unit,
    url=lambda sub: reverse(
        "reporting:submission", args=[sub.form_key, sub.period_code, sub.unit.code]
    ),
    name=lambda sub: f"{sub.unit.name} · {svc.form_title(sub.form_key)} · {sub.period_label}",
    kind_label=_("Statistical report"),
)


def register() -> None:
    wf.register(SUBMISSION)
