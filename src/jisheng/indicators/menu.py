"""The statistics and assessment module of the left menu (its figures' pages are the
reports app's, registered by ``jisheng.reports.menu``): contracts and assessments."""

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

SECTION = MenuSection(
    key="indicators", label=_("Statistics and assessment"), icon="bi-bar-chart-line", order=80
)


def register() -> None:
    register_menu_section(SECTION)
    register_menu_item(
        MenuItem(
            "indicators:contract_list",
            _("Responsibility contracts"),
            "bi-file-earmark-check",
            permission="indicators.view_contract",
            section=SECTION.key,
            order=40,
        )
    )
    register_menu_item(
        MenuItem(
            "indicators:assessment_list",
            _("Assessments"),
            "bi-trophy",
            permission="indicators.view_assessment",
            section=SECTION.key,
            order=50,
        )
    )
    register_shortcuts(
        Role.LEADER.value, {"indicators:assessment_list": 30, "indicators:contract_list": 40}
    )
    register_shortcuts(
        Role.ASSESSOR.value, {"indicators:assessment_list": 10, "indicators:contract_list": 40}
    )
