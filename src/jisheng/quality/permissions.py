"""The data quality' role grants: the under-reporting scan (出生漏报筛查) — the
office and the leaders read it (it names villages to check, never persons)."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_UNDERREPORTING = "quality.view_underreporting"


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: [VIEW_UNDERREPORTING],
            Role.OFFICE.value: [VIEW_UNDERREPORTING],
            Role.LEADER.value: [VIEW_UNDERREPORTING],
        }
    )
