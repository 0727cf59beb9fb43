"""What the benefits app's flow part plugs in: the batch's workflow, menu items (20–39
in the section ``benefits``) and home shortcuts, worklist sources (90–91), API routers
(43) (issue 18)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.benefits.permissions import SECTION
from jisheng.core.registry import (
    MenuItem,
    register_api_router,
    register_menu_item,
    register_shortcuts,
)
from jisheng.orgs.choices import Role


def register() -> None:
    from jisheng.benefits import api_flow, workflows, worklist_flow

    workflows.register()
    register_menu_item(
        MenuItem(
            "benefits:batch_list",
            _("Benefit batches"),
            "bi-cash-coin",
            permission="benefits.view_batch",
            section=SECTION,
            order=20,
        )
    )
    register_menu_item(
        MenuItem(
            "benefits:objection_list",
            _("Objections"),
            "bi-megaphone",
            permission="benefits.change_objection",
            section=SECTION,
            order=22,
        )
    )
    register_menu_item(
        MenuItem(
            "benefits:finding_list",
            _("Supervision findings"),
            "bi-search",
            permission="benefits.view_finding",
            section=SECTION,
            order=24,
        )
    )
    register_shortcuts(Role.FINANCE.value, {"benefits:batch_list": 10})
    register_shortcuts(Role.PAYER.value, {"benefits:batch_list": 30})
    register_shortcuts(Role.AUDITOR.value, {"benefits:batch_list": 30, "benefits:finding_list": 40})
    worklist_flow.register()
    register_api_router("/benefits/batches", api_flow.router, order=43)
    register_api_router("/benefits/objections", api_flow.objection_router, order=43)
    register_api_router("/benefits/findings", api_flow.finding_router, order=43)
