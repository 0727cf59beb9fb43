"""The contraceptive commodities' role grants (药具): the commodity keepers and the
office keep the stores and the ledger; field staff hand commodities to persons (the
issue) and report adverse reactions; leaders and assessors read."""

from __future__ import annotations

from jisheng.core.registry import register_grants
from jisheng.orgs.choices import Role

COMMODITY_MODELS = [
    "product", "store", "lot", "stockcard", "document", "ledgerline",
    "physicalcount", "qualitycheck", "adversereaction",
]  # fmt: skip
VIEW_COMMODITIES = [f"commodities.view_{m}" for m in COMMODITY_MODELS]
# Each kind of ledger movement has its own permission, checked by the services (receipt,
# both halves of a transfer, issue to a person, write-off, reversal, count adjustment).
MOVE_COMMODITIES = [
    "commodities.receive_stock",
    "commodities.transfer_stock",
    "commodities.issue_stock",
    "commodities.write_off_stock",
    "commodities.reverse_document",
    "commodities.adjust_stock",
]
ALL_COMMODITIES = (
    VIEW_COMMODITIES
    + [f"commodities.{a}_{m}" for m in COMMODITY_MODELS for a in ("add", "change")]
    + MOVE_COMMODITIES
)
# Field staff issue to persons and report adverse reactions; nothing else moves stock.
FIELD_COMMODITIES = [
    *VIEW_COMMODITIES,
    "commodities.issue_stock",
    "commodities.add_adversereaction",
]


def register() -> None:
    register_grants(
        {
            Role.ADMIN.value: ALL_COMMODITIES,
            Role.OFFICE.value: ALL_COMMODITIES,
            # the keepers see the follow-up visits the issues to persons lead to
            Role.COMMODITY.value: [*ALL_COMMODITIES, "services.view_followupvisit"],
            Role.FIELD.value: FIELD_COMMODITIES,
            Role.LEADER.value: VIEW_COMMODITIES,
            Role.ASSESSOR.value: VIEW_COMMODITIES,
        }
    )
