"""The status machine of a management transfer (管理移交), run by ``core.workflow``.

open ─complete (records handed over)→ completed; the certificates app follows the step
(``core.workflow.follow``) and issues the numbered clearance in the same transaction.

(A transfer whose departure event is corrected away is cancelled by
``people.services`` as part of that correction.)
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.core import workflow as wf
from jisheng.people import transfers
from jisheng.people.choices import TransferStatus

TRANSFER = wf.Workflow(
    model="people.transfer",
    steps=(
        wf.Step(
            TransferStatus.OPEN,
            TransferStatus.COMPLETED,
            wf.COMPLETE,
            "people.change_transfer",
            hook=transfers.record_clearance,
        ),
    ),
    scope_path=lambda t: t.unit.path,
    unit_of=lambda t: t.unit,
    url=lambda t: reverse("people:transfer_complete", args=[t.pk]),
    kind_label=_("management transfer"),
)


def register() -> None:
    wf.register(TRANSFER)
