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
# cross-checks at the five checkpoints (五关): the office imports and resolves, field
# staff resolve for their unit, leaders and assessors view
VIEW_CROSSCHECKS = ["quality.view_crosschecklist", "quality.view_crosscheckrow"]
RESOLVE_CROSSCHECKS = [*VIEW_CROSSCHECKS, "quality.change_crosscheckrow"]
IMPORT_CROSSCHECKS = [
    *RESOLVE_CROSSCHECKS,
    "quality.import_crosschecklist",
    "quality.add_crosschecklist",
    "quality.view_crosscheckmapping",
    "quality.change_crosscheckmapping",
]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: [*EXPLAIN_LOGIC_CHECKS, VIEW_UNDERREPORTING, *IMPORT_CROSSCHECKS],
            Role.OFFICE.value: [*EXPLAIN_LOGIC_CHECKS, VIEW_UNDERREPORTING, *IMPORT_CROSSCHECKS],
            Role.FIELD.value: [*VIEW_LOGIC_CHECKS, *RESOLVE_CROSSCHECKS],
            Role.ASSESSOR.value: [*VIEW_LOGIC_CHECKS, *VIEW_CROSSCHECKS],
            Role.LEADER.value: [*VIEW_LOGIC_CHECKS, VIEW_UNDERREPORTING, *VIEW_CROSSCHECKS],
        }
    )
