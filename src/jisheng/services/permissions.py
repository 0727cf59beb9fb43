"""The services app's role grants: contraception records, follow-up visits and the
visits due, campaigns and letters of inquiry."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

# Contraception records, follow-up visits and the visits due (derived, read-only).
VIEW_SERVICES = [
    "services.view_contraceptionrecord",
    "services.view_followupvisit",
    "services.view_followupdue",
]
RECORD_SERVICES = ["services.add_contraceptionrecord", "services.add_followupvisit"]
# Voiding a record entered by mistake.
CORRECT_SERVICES = ["services.change_contraceptionrecord", "services.change_followupvisit"]
# Campaigns (rounds, targets with attendance) and letters of inquiry (函调).
CAMPAIGN_MODELS = ["campaignround", "campaigntarget", "letter"]
VIEW_CAMPAIGNS = [f"services.view_{m}" for m in CAMPAIGN_MODELS]
ALL_CAMPAIGNS = [f"services.{a}_{m}" for m in CAMPAIGN_MODELS for a in ("view", "add", "change")]
# Field staff see rounds and record attendance (add_campaigntarget).
FIELD_CAMPAIGNS = [
    "services.view_campaignround",
    "services.view_campaigntarget",
    "services.add_campaigntarget",
]


def register() -> None:
    office = VIEW_SERVICES + RECORD_SERVICES + CORRECT_SERVICES + ALL_CAMPAIGNS
    register_grants(
        {
            Role.ADMIN.value: office,
            Role.OFFICE.value: office,
            Role.FIELD.value: VIEW_SERVICES + RECORD_SERVICES + FIELD_CAMPAIGNS,
            Role.LEADER.value: VIEW_SERVICES + VIEW_CAMPAIGNS,
            Role.ASSESSOR.value: VIEW_SERVICES + VIEW_CAMPAIGNS,
        }
    )
