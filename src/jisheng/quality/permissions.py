"""The data quality' role grants.

Logic checks: the office explains error-level results (and runs the checks), field
staff run and read them, leaders and assessors read them."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_LOGIC_CHECKS = ["quality.view_logicrule", "quality.view_logicexplanation"]
EXPLAIN_LOGIC_CHECKS = [
    *VIEW_LOGIC_CHECKS,
    "quality.add_logicexplanation",
    "quality.change_logicexplanation",
]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: EXPLAIN_LOGIC_CHECKS,
            Role.OFFICE.value: EXPLAIN_LOGIC_CHECKS,
            Role.FIELD.value: VIEW_LOGIC_CHECKS,
            Role.ASSESSOR.value: VIEW_LOGIC_CHECKS,
            Role.LEADER.value: VIEW_LOGIC_CHECKS,
        }
    )
