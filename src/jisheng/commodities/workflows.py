"""The status machine of a physical count (盘点), run by ``core.workflow``.

open ─submit→ submitted ─approve→ approved (the differences posted as one adjustment)
  │              │ └─return (with a message)→ returned ─submit→ submitted
  │              │                               └─approve→ approved
  └──────────────┴──────── cancel (any of open, submitted, returned) → cancelled

An approved count is not reopened: its adjustment is in the ledger (a correction is a
new count).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.commodities import counts, ledger
from jisheng.commodities.choices import CountStatus as S
from jisheng.core import workflow as wf

ADD = "commodities.add_physicalcount"
APPROVE = "commodities.change_physicalcount"

COUNT = wf.Workflow(
    model="commodities.physicalcount",
    steps=(
        wf.Step(S.OPEN, S.SUBMITTED, wf.SUBMIT, ADD, guards=(counts.all_counted,)),
        wf.Step(S.RETURNED, S.SUBMITTED, wf.SUBMIT, ADD, guards=(counts.all_counted,)),
        wf.Step(S.SUBMITTED, S.RETURNED, wf.RETURN, APPROVE),
        *(
            wf.Step(
                s,
                S.APPROVED,
                wf.APPROVE,
                APPROVE,
                guards=(counts.all_counted,),
                hook=counts.post_differences,
            )
            for s in (S.OPEN, S.SUBMITTED, S.RETURNED)
        ),
        *(
            wf.Step(s, S.CANCELLED, wf.CANCEL, APPROVE, hook=counts.note_reason)
            for s in (S.OPEN, S.SUBMITTED, S.RETURNED)
        ),
    ),
    scope_path=lambda count: count.store.unit.path,
    unit_of=lambda count: count.store.unit,
    url=lambda count: reverse("commodities:count_differences", args=[count.pk]),
    name=lambda count: f"{count.store.name} · {count.counted_on:%Y-%m-%d}",
    kind_label=_("Physical count"),
    atomic=ledger.serialised,
)


def register() -> None:
    wf.register(COUNT)
