"""The status machines of contracts and assessments, run by ``core.workflow``.

Contract:   draft ─sign→ signed ─supersede (when its next version is signed)→ superseded
Assessment: draft ─approve (rescored, frozen)→ approved ─reopen (with a message)→ draft
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.core import workflow as wf
from jisheng.indicators import assessment, contracts
from jisheng.indicators.models import Assessment, Contract

SIGN = "indicators.sign_contract"
APPROVE = "indicators.approve_assessment"

CONTRACT = wf.Workflow(
    model="indicators.contract",
    steps=(
        wf.Step(
            Contract.Status.DRAFT,
            Contract.Status.SIGNED,
            wf.SIGN,
            SIGN,
            guards=(contracts.signable,),
            hook=contracts.record_signing,
        ),
        wf.Step(Contract.Status.SIGNED, Contract.Status.SUPERSEDED, wf.SUPERSEDE, SIGN),
    ),
    # Written by the issuing unit; its decisions are read with the contract (its unit).
    scope_path=lambda contract: contract.issuer.path,
    unit_of=lambda contract: contract.unit,
    url=lambda contract: reverse("indicators:contract_detail", args=[contract.pk]),
    kind_label=_("target-responsibility contract"),
)

ASSESSMENT = wf.Workflow(
    model="indicators.assessment",
    steps=(
        wf.Step(
            Assessment.Status.DRAFT,
            Assessment.Status.APPROVED,
            wf.APPROVE,
            APPROVE,
            hook=assessment.freeze,
        ),
        wf.Step(
            Assessment.Status.APPROVED,
            Assessment.Status.DRAFT,
            wf.REOPEN,
            APPROVE,
            needs_message=True,
            hook=assessment.thaw,
        ),
    ),
    scope_path=lambda a: a.issuer.path,
    unit_of=lambda a: a.issuer,
    url=lambda a: reverse("indicators:assessment_detail", args=[a.pk]),
    kind_label=_("assessment"),
)


def register() -> None:
    wf.register(CONTRACT)
    wf.register(ASSESSMENT)
