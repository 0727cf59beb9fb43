"""The data quality' role grants.

- Logic checks: the office explains error-level results (and runs the checks), field
  staff run and read them, leaders and assessors read them.
- The under-reporting scan (出生漏报筛查): the office and the leaders read it (it names
  villages to check, never persons).
"""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_UNDERREPORTING = "quality.view_underreporting"
VIEW_LOGIC_CHECKS = ["quality.view_logicrule", "quality.view_logicexplanation"]
EXPLAIN_LOGIC_CHECKS = [
    *VIEW_LOGIC_CHECKS,
    "quality.add_logicexplanation",
    "quality.change_logicexplanation",
]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: [*EXPLAIN_LOGIC_CHECKS, VIEW_UNDERREPORTING],
            Role.OFFICE.value: [*EXPLAIN_LOGIC_CHECKS, VIEW_UNDERREPORTING],
            Role.FIELD.value: VIEW_LOGIC_CHECKS,
            Role.ASSESSOR.value: VIEW_LOGIC_CHECKS,
            Role.LEADER.value: [*VIEW_LOGIC_CHECKS, VIEW_UNDERREPORTING],
        }
    )
