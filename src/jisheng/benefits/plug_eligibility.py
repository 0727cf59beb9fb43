"""What the benefits app's eligibility part plugs in: menu items, API router, demo loader
(issue 18)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.benefits.permissions import SECTION
from jisheng.core.registry import (
    MenuItem,
    register_api_router,
    register_importer,
    register_menu_item,
)


def register() -> None:
    from jisheng.benefits import api_eligibility, demo, importers_applications

    register_menu_item(
        MenuItem(
            "benefits:sweep_list",
            _("Eligibility sweeps"),
            "bi-search",
            permission="benefits.view_case",
            section=SECTION,
            order=10,
        )
    )
    register_menu_item(
        MenuItem(
            "benefits:application_create",
            _("Enter an application"),
            "bi-pencil-square",
            permission="benefits.confirm_batch",
            section=SECTION,
            order=12,
        )
    )
    register_menu_item(
        MenuItem(
            "benefits:disability_create",
            _("Disability grades"),
            "bi-heart-pulse",
            permission="benefits.add_disabilityrecord",
            section=SECTION,
            order=14,
        )
    )
    register_menu_item(
        MenuItem(
            "benefits:budget",
            _("Budget estimate"),
            "bi-calculator",
            permission="benefits.view_case",
            section=SECTION,
            order=16,
        )
    )
    register_api_router("/benefits/eligibility", api_eligibility.router, order=42)
    register_importer(importers_applications.APPLICATIONS_IMPORTER)
    demo.register()
