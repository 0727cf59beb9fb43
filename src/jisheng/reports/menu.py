"""The reports' items in the statistics and assessment module of the left menu (the
module is the indicators app's): the dashboard, the catalogue, the demographic figures
and the sample verification."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import MenuItem, register_menu_item, register_shortcuts
from jisheng.indicators.menu import SECTION
from jisheng.orgs.choices import Role

ITEMS = (
    (10, "reports:dashboard", _("Dashboard"), "bi-speedometer2", "people.view_person"),
    (20, "reports:catalogue", _("Indicator catalogue"), "bi-list-columns", "people.view_person"),
    (
        30,
        "reports:demography",
        _("Demographic figures"),
        "bi-bar-chart-steps",
        "people.view_person",
    ),
    (
        60,
        "reports:verification_list",
        _("Sample verification"),
        "bi-clipboard-data",
        "reports.view_verification",
    ),
)


def register() -> None:
    for order, url_name, label, icon, permission in ITEMS:
        register_menu_item(
            MenuItem(url_name, label, icon, permission=permission, section=SECTION.key, order=order)
        )
    register_shortcuts(Role.OFFICE.value, {"reports:dashboard": 70})
    register_shortcuts(
        Role.LEADER.value,
        {"reports:dashboard": 10, "reports:demography": 20, "reports:catalogue": 50},
    )
    register_shortcuts(
        Role.ASSESSOR.value,
        {"reports:verification_list": 20, "reports:dashboard": 30, "reports:catalogue": 50},
    )
