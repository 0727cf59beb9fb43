"""The services module of the left menu and the role shortcuts to its pages."""

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
    ("services:worklist", _("Worklist"), "bi-list-check", "services.view_followupdue"),
    (
        "services:campaign_list",
        _("Service campaigns"),
        "bi-clipboard2-check",
        "services.view_campaignround",
    ),
    ("services:letter_list", _("Letters of inquiry"), "bi-envelope-paper", "services.view_letter"),
)


def register() -> None:
    register_menu_section(
        MenuSection(key="services", label=_("Services"), icon="bi-clipboard2-pulse", order=30)
    )
    for position, (url_name, label, icon, permission) in enumerate(ITEMS, start=1):
        register_menu_item(
            MenuItem(
                url_name,
                label,
                icon,
                permission=permission,
                section="services",
                order=position * 10,
            )
        )
    register_shortcuts(Role.FIELD.value, {"services:worklist": 10})
    register_shortcuts(Role.OFFICE.value, {"services:worklist": 10})
