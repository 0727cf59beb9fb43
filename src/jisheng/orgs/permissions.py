"""The organisation app's role grants: the unit tree, positions, committees, users."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

VIEW_ORGS = [
    "orgs.view_unit",
    "orgs.view_position",
    "orgs.view_committee",
    "orgs.view_committeemember",
]
EDIT_ORGS = [
    "orgs.add_unit",
    "orgs.change_unit",
    "orgs.delete_unit",
    "orgs.add_position",
    "orgs.change_position",
    "orgs.delete_position",
    "orgs.add_committee",
    "orgs.change_committee",
    "orgs.delete_committee",
    "orgs.add_committeemember",
    "orgs.change_committeemember",
    "orgs.delete_committeemember",
]
MANAGE_USERS = ["orgs.view_user", "orgs.add_user", "orgs.change_user"]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: VIEW_ORGS + EDIT_ORGS + MANAGE_USERS,
            Role.OFFICE.value: [*VIEW_ORGS, *EDIT_ORGS, "orgs.view_user"],
            Role.FIELD.value: VIEW_ORGS,
            Role.LEADER.value: VIEW_ORGS,
            Role.COMMODITY.value: VIEW_ORGS,
            Role.ASSESSOR.value: VIEW_ORGS,
            Role.AUDITOR.value: [*VIEW_ORGS, "orgs.view_user"],
        }
    )
