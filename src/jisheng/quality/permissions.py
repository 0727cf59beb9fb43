"""The data quality' role grants."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

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
            Role.ADMIN.value: IMPORT_CROSSCHECKS,
            Role.OFFICE.value: IMPORT_CROSSCHECKS,
            Role.FIELD.value: RESOLVE_CROSSCHECKS,
            Role.ASSESSOR.value: VIEW_CROSSCHECKS,
            Role.LEADER.value: VIEW_CROSSCHECKS,
        }
    )
