"""The policy packs' item in the system module of the left menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import MenuItem, register_menu_item, register_shortcuts
from jisheng.orgs.choices import Role


def register() -> None:
    # The system module is core's (jisheng.core.menu); the packs sit between its items.
    register_menu_item(
        MenuItem(
            "policy:pack_list",
            _("Policy packs"),
            "bi-journal-check",
            permission="policy.view_policypack",
            section="system",
            order=20,
        )
    )
    register_shortcuts(Role.ADMIN.value, {"policy:pack_list": 60})
