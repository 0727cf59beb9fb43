"""The statistical reports' module of the left menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import MenuItem, MenuSection, register_menu_item, register_menu_section

SECTION = "reporting"


def register() -> None:
    register_menu_section(
        MenuSection(
            key=SECTION, label=_("Statistical reports"), icon="bi-file-earmark-bar-graph", order=85
        )
    )
    register_menu_item(
        MenuItem(
            "reporting:forms",
            _("Statistical forms"),
            "bi-table",
            permission="reporting.view_formdefinition",
            section=SECTION,
            order=10,
        )
    )
    register_menu_item(
        MenuItem(
            "reporting:submission_list",
            _("Report submission"),
            "bi-send-check",
            permission="reporting.view_submission",
            section=SECTION,
            order=20,
        )
    )
    # locks: the late entries (补报/更正记录)
    register_menu_item(
        MenuItem(
            "reporting:late_list",
            _("Late entries and corrections"),
            "bi-clock-history",
            permission="core.view_lateentry",
            section=SECTION,
            order=80,
        )
    )
