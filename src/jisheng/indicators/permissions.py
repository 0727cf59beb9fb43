"""The indicators app's role grants: target-responsibility contracts and assessments
(目标责任书, 考核) — the office and administrators draw up, sign, compute and approve;
assessors score by hand; leaders read."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_ASSESSMENT = ["indicators.view_contract", "indicators.view_assessment"]
ALL_ASSESSMENT = [
    *VIEW_ASSESSMENT,
    "indicators.add_contract",
    "indicators.change_contract",
    "indicators.sign_contract",
    "indicators.add_assessment",
    "indicators.change_assessment",
    "indicators.approve_assessment",
]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: ALL_ASSESSMENT,
            Role.OFFICE.value: ALL_ASSESSMENT,
            Role.ASSESSOR.value: [*VIEW_ASSESSMENT, "indicators.change_assessment"],
            Role.LEADER.value: VIEW_ASSESSMENT,
        }
    )
