"""The statistical reports' role grants: the forms are read by the offices, field
workers, leaders and assessors (data scope limits each to its subtree)."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_FORMS = ["reporting.view_formdefinition"]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: VIEW_FORMS,
            Role.OFFICE.value: VIEW_FORMS,
            Role.FIELD.value: VIEW_FORMS,
            Role.LEADER.value: VIEW_FORMS,
            Role.ASSESSOR.value: VIEW_FORMS,
        }
    )
