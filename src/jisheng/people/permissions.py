"""The population registry's role grants."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

PEOPLE_MODELS = [
    "person",
    "lifeevent",
    "household",
    "householdmember",
    "couple",
    "birth",
    "pregnancy",
    "transfer",
]
VIEW_PEOPLE = [f"people.view_{m}" for m in PEOPLE_MODELS]
EDIT_PEOPLE = [f"people.{a}_{m}" for m in PEOPLE_MODELS for a in ("add", "change")]
# Full ID numbers, imports and exports of personal data: office staff and administrators.
SENSITIVE_PEOPLE = ["people.view_full_id", "people.import_person", "people.export_person"]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: VIEW_PEOPLE + EDIT_PEOPLE + SENSITIVE_PEOPLE,
            Role.OFFICE.value: VIEW_PEOPLE + EDIT_PEOPLE + SENSITIVE_PEOPLE,
            Role.FIELD.value: VIEW_PEOPLE + EDIT_PEOPLE,
            Role.LEADER.value: VIEW_PEOPLE,
            Role.COMMODITY.value: ["people.view_person"],
            Role.ASSESSOR.value: VIEW_PEOPLE,
        }
    )
