"""The floating population's role grants: in-migrants' marriage and childbearing
certificate checks (婚育证明查验)."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_MIGRANT_CHECKS = ["migrants.view_migrantcheck"]
RECORD_MIGRANT_CHECKS = [*VIEW_MIGRANT_CHECKS, "migrants.add_migrantcheck"]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: RECORD_MIGRANT_CHECKS,
            Role.OFFICE.value: RECORD_MIGRANT_CHECKS,
            Role.FIELD.value: RECORD_MIGRANT_CHECKS,
            Role.ASSESSOR.value: VIEW_MIGRANT_CHECKS,
            Role.LEADER.value: VIEW_MIGRANT_CHECKS,
        }
    )
