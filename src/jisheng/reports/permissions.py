"""The reports app's role grants: sample verification (抽查) — the office,
administrators and assessors draw and check; field staff do not see the sample of their
own ledgers."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_VERIFICATION = ["reports.view_verification", "reports.view_verificationrecord"]
ALL_VERIFICATION = [
    *VIEW_VERIFICATION,
    "reports.add_verification",
    "reports.change_verification",
    "reports.change_verificationrecord",
]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: ALL_VERIFICATION,
            Role.OFFICE.value: ALL_VERIFICATION,
            Role.ASSESSOR.value: ALL_VERIFICATION,
            Role.LEADER.value: VIEW_VERIFICATION,
        }
    )
