"""What the benefits app's changes part plugs in (issue 18): menu items (60–79), the
worklist source of stops to confirm, the API routers, the receiver of registry events
and the nightly job of stops."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.benefits.permissions import SECTION
from jisheng.core.registry import MenuItem, register_api_router, register_menu_item

VIEW_ENTITLEMENT = "benefits.view_entitlement"
VIEW_OVERPAYMENT = "benefits.view_overpayment"
VIEW_ALLOWANCE = "benefits.view_allowanceline"


def register() -> None:
    from jisheng.benefits import api_changes, hooks, tasks_changes, worklist_changes

    for item in (
        MenuItem(
            "benefits:person_benefits",
            _("A person's benefits"),
            "bi-person-vcard",
            permission=VIEW_ENTITLEMENT,
            section=SECTION,
            order=60,
        ),
        MenuItem(
            "benefits:stops_to_confirm",
            _("Stopped benefits to confirm"),
            "bi-stop-circle",
            permission=VIEW_ENTITLEMENT,
            section=SECTION,
            order=62,
        ),
        MenuItem(
            "benefits:overpayments",
            _("Overpayments"),
            "bi-exclamation-diamond",
            permission=VIEW_OVERPAYMENT,
            section=SECTION,
            order=64,
        ),
        MenuItem(
            "benefits:arrears_due",
            _("Arrears due"),
            "bi-hourglass-split",
            permission=VIEW_ENTITLEMENT,
            section=SECTION,
            order=66,
        ),
        MenuItem(
            "benefits:allowances",
            _("Staff allowances"),
            "bi-person-badge",
            permission=VIEW_ALLOWANCE,
            section=SECTION,
            order=68,
        ),
    ):
        register_menu_item(item)
    worklist_changes.register()
    register_api_router("/benefits/entitlements", api_changes.router, order=46)
    register_api_router("/benefits/overpayments", api_changes.overpayment_router, order=47)
    register_api_router("/benefits/allowances", api_changes.allowance_router, order=48)
    hooks.connect()
    tasks_changes.register()
