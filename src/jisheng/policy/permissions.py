"""The policy packs' role grants: packs are read in the UI; they are loaded with
``jisheng policy load``."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_POLICY = ["policy.view_policypack"]


def register() -> None:
    register_grants(
        {
            role: VIEW_POLICY
            for role in (
                Role.ADMIN.value,
                Role.OFFICE.value,
                Role.LEADER.value,
                Role.ASSESSOR.value,
            )
        }
    )
