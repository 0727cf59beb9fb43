"""The statistical reports' role grants."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

# locks: who reads the late entries (补报/更正记录) and the closed periods
VIEW_LATE_ENTRIES = ["core.view_lateentry"]


def register() -> None:
    register_grants(
        {
            role: VIEW_LATE_ENTRIES
            for role in (
                Role.ADMIN.value,
                Role.OFFICE.value,
                Role.FIELD.value,
                Role.LEADER.value,
                Role.ASSESSOR.value,
                Role.AUDITOR.value,
            )
        }
    )
