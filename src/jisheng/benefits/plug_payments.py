"""What the benefits app's payments part plugs in: menu items (the payment rosters for
whoever may see them, failed payments for the office), the payer's home shortcut, the
worklist source of failed payments, the API routers (issue 18)."""

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
    from jisheng.benefits import api_payments, worklist_payments

    register_menu_item(
        MenuItem(
            "benefits:roster_list",
            _("Payment rosters"),
            "bi-cash-stack",
            permission="benefits.view_payment",
            section=SECTION,
            order=40,
        )
    )
    register_menu_item(
        MenuItem(
            "benefits:failed_list",
            _("Failed payments"),
            "bi-exclamation-octagon",
            permission="benefits.add_bankaccount",
            section=SECTION,
            order=50,
        )
    )
    register_shortcuts(Role.PAYER.value, [(10, "benefits:roster_list")])
    worklist_payments.register()
    register_api_router("/benefits/payments", api_payments.router, order=44)
    register_api_router("/benefits/bank-files", api_payments.file_router, order=45)
