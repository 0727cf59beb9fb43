"""The data quality' module of the left menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import MenuItem, MenuSection, register_menu_item, register_menu_section

SECTION = "quality"


def register() -> None:
    register_menu_section(
        MenuSection(key=SECTION, label=_("Data quality"), icon="bi-clipboard-check", order=86)
    )
    register_menu_item(
        MenuItem(
            "quality:underreporting",
            _("Birth under-reporting scan"),
            "bi-search",
            permission="quality.view_underreporting",
            section=SECTION,
            order=30,
        )
    )
    register_menu_item(
        MenuItem(
            "quality:check_run",
            _("Logic checks"),
            "bi-check2-square",
            permission="quality.view_logicrule",
            section=SECTION,
            order=10,
        )
    )
    register_menu_item(
        MenuItem(
            "quality:crosscheck_lists",
            _("Five-checkpoint cross-checks"),
            "bi-intersect",
            permission="quality.view_crosschecklist",
            section=SECTION,
            order=20,
        )
    )
