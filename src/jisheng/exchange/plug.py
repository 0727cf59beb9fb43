"""What the exchange app plugs in: the notification hooks, menu items, grants, worklist
sources, indicators and the API router (issue 17)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import (
    MenuItem,
    MenuSection,
    register_api_router,
    register_grants,
    register_menu_item,
    register_menu_section,
    register_worklist_source,
)
from jisheng.orgs.choices import Role

VIEW = "exchange.view_notice"
RECORD = "exchange.add_notice"
KEYS = "exchange.add_peerkey"
VIEW_NOTICES = [VIEW]
RECORD_NOTICES = [VIEW, RECORD]
ADMIN = [*RECORD_NOTICES, "exchange.view_peerkey", KEYS, "exchange.change_peerkey"]


def register() -> None:
    from jisheng.exchange import api, hooks, indicators, worklist

    hooks.connect()
    register_menu_section(
        MenuSection(
            key="exchange", label=_("Two-way notification"), icon="bi-arrow-left-right", order=52
        )
    )
    for order, (url_name, label, icon, permission) in enumerate(
        [
            ("exchange:inbox", _("Inbox"), "bi-inbox", VIEW),
            ("exchange:outbox", _("Sent notifications"), "bi-send", VIEW),
            (
                "exchange:transfer",
                _("Exchange with other systems"),
                "bi-file-earmark-arrow-down",
                RECORD,
            ),
            ("exchange:keys", _("Keys of other systems"), "bi-key", KEYS),
        ],
        start=1,
    ):
        register_menu_item(
            MenuItem(
                url_name, label, icon, permission=permission, section="exchange", order=order * 10
            )
        )
    register_grants(
        {
            Role.ADMIN.value: ADMIN,
            Role.OFFICE.value: RECORD_NOTICES,
            Role.FIELD.value: RECORD_NOTICES,
            Role.ASSESSOR.value: VIEW_NOTICES,
            Role.LEADER.value: VIEW_NOTICES,
        }
    )
    register_worklist_source(worklist.REPLY_DUE_SOURCE)
    register_worklist_source(worklist.UNADDRESSED_SOURCE)
    register_api_router("/exchange", api.router, order=41)
    indicators.register()
