"""What the floating app's arrivals part plugs in: menu items, grants, worklist sources,
indicators, API router (issue 17)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import (
    MenuItem,
    register_api_router,
    register_grants,
    register_menu_item,
)
from jisheng.orgs.choices import Role

VIEW_ARRIVALS = ["floating.view_arrival"]
RECORD_ARRIVALS = [*VIEW_ARRIVALS, "floating.add_arrival", "floating.change_arrival"]


def register() -> None:
    from jisheng.floating import api_arrivals, indicators_arrivals, worklist_arrivals

    register_grants(
        {
            Role.ADMIN.value: RECORD_ARRIVALS,
            Role.OFFICE.value: RECORD_ARRIVALS,
            Role.FIELD.value: RECORD_ARRIVALS,
            Role.ASSESSOR.value: VIEW_ARRIVALS,
            Role.LEADER.value: VIEW_ARRIVALS,
        }
    )
    register_menu_item(
        MenuItem(
            "floating:arrival_list",
            _("In-migrants (arrivals)"),
            "bi-box-arrow-in-right",
            permission="floating.view_arrival",
            section="migrants",
            order=20,
        )
    )
    worklist_arrivals.register()
    indicators_arrivals.register()
    register_api_router("/floating/arrivals", api_arrivals.router, order=37)
