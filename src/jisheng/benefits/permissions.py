"""The benefits' role grants: the four powers (四权分离, ``003:391``) on four roles.

- confirm eligibility (``benefits.confirm_batch``): the 计生办 (``office``) and the
  village 专干 (``field``) — the sweep, review, 公示 and objections, the county's
  approval;
- manage the funds (``benefits.fund_batch``): the fund manager (``finance``, 财政);
- pay (``benefits.pay_batch``): the payment clerk (``payer``, 代理发放机构) — the bank
  files;
- supervise (``benefits.supervise_batch``): the auditor (``auditor``, 监督) — reads
  everything, writes nothing but findings.

Roles only open the door: whoever holds two powers (an administrator, a user with two
roles) is refused the second on a batch where they used the first
(:mod:`jisheng.benefits.duties`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import MenuSection, register_grants, register_menu_section
from jisheng.orgs.choices import Role

MODELS = (
    "batch",
    "case",
    "caseshare",
    "objection",
    "duty",
    "finding",
    "entitlement",
    "bankaccount",
    "bankfile",
    "payment",
    "overpayment",
    "disabilityrecord",
    "allowanceline",
)
VIEW = [f"benefits.view_{m}" for m in MODELS]
CONFIRM = [
    *VIEW,
    "benefits.confirm_batch",
    "benefits.add_batch",
    "benefits.change_batch",
    "benefits.add_case",
    "benefits.change_case",
    "benefits.add_objection",
    "benefits.change_objection",
    "benefits.change_finding",  # the office answers a finding
    "benefits.add_entitlement",
    "benefits.change_entitlement",
    "benefits.change_overpayment",
    "benefits.add_disabilityrecord",
    "benefits.add_bankaccount",
    "benefits.change_bankaccount",
    "benefits.add_allowanceline",
    "benefits.change_allowanceline",
]
FUNDS = [*VIEW, "benefits.fund_batch"]
PAY = [
    *VIEW,
    "benefits.pay_batch",
    "benefits.add_bankfile",
    "benefits.add_payment",
    "benefits.change_payment",
]
SUPERVISE = [*VIEW, "benefits.supervise_batch", "benefits.add_finding"]


# The menu module every part's pages join (items: eligibility 10–19, flow 20–39,
# payments 40–59, changes 60–79).
SECTION = "benefits"


def register() -> None:
    register_menu_section(
        MenuSection(key=SECTION, label=_("Benefits"), icon="bi-cash-coin", order=67)
    )
    register_grants(
        {
            Role.ADMIN.value: sorted({*CONFIRM, *FUNDS, *PAY, *SUPERVISE}),
            Role.OFFICE.value: CONFIRM,
            Role.FIELD.value: CONFIRM,
            Role.FINANCE.value: FUNDS,
            Role.PAYER.value: PAY,
            Role.AUDITOR.value: SUPERVISE,
            Role.LEADER.value: VIEW,
        }
    )
