"""The floating population's module of the left menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import MenuItem, MenuSection, register_menu_item, register_menu_section


def register() -> None:
    register_menu_section(
        MenuSection(
            key="migrants", label=_("Floating population"), icon="bi-signpost-split", order=50
        )
    )
    register_menu_item(
        MenuItem(
            "migrants:check_list",
            _("Marriage and childbearing certificate checks"),
            "bi-patch-check",
            permission="migrants.view_migrantcheck",
            section="migrants",
            order=10,
        )
    )
