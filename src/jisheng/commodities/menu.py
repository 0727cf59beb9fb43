"""The contraceptive commodities' module of the left menu and the role shortcuts to it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import (
    MenuItem,
    MenuSection,
    register_menu_item,
    register_menu_section,
    register_shortcuts,
)
from jisheng.orgs.choices import Role

ITEMS = (
    ("commodities:stores", _("Stores and stock"), "bi-box-seam", "commodities.view_store"),
    ("commodities:products", _("Products"), "bi-capsule", "commodities.view_product"),
    (
        "commodities:count_list",
        _("Physical counts"),
        "bi-clipboard-check",
        "commodities.view_physicalcount",
    ),
    (
        "commodities:quality_list",
        _("Quality checks"),
        "bi-shield-check",
        "commodities.view_qualitycheck",
    ),
    (
        "commodities:adverse_list",
        _("Adverse reactions"),
        "bi-exclamation-triangle",
        "commodities.view_adversereaction",
    ),
    (
        "commodities:plan",
        _("Commodity demand plan"),
        "bi-calendar2-range",
        "commodities.view_store",
    ),
    # for those who keep the stores and move stock between them
    (
        "commodities:transfers",
        _("Suggested transfers"),
        "bi-arrow-left-right",
        "commodities.change_store",
    ),
    ("commodities:reports", _("Commodity reports"), "bi-table", "commodities.view_ledgerline"),
)


def register() -> None:
    register_menu_section(
        MenuSection(
            key="commodities", label=_("Contraceptive commodities"), icon="bi-box-seam", order=70
        )
    )
    for position, (url_name, label, icon, permission) in enumerate(ITEMS, start=1):
        register_menu_item(
            MenuItem(
                url_name,
                label,
                icon,
                permission=permission,
                section="commodities",
                order=position * 10,
            )
        )
    register_shortcuts(Role.FIELD.value, {"commodities:stores": 60})
    register_shortcuts(Role.OFFICE.value, {"commodities:stores": 60})
    register_shortcuts(
        Role.COMMODITY.value,
        {
            "commodities:stores": 10,
            "commodities:reports": 20,
            "commodities:count_list": 30,
            "commodities:plan": 40,
            "commodities:transfers": 50,
            "commodities:adverse_list": 60,
        },
    )
