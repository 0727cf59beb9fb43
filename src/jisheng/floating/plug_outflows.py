"""What the floating app's outflows part plugs in: menu items, grants, worklist sources,
indicators, API router (issue 17), and the receiver that moves an open 流出 record with
her residence unit (a move between two villages while she is away)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import (
    MenuItem,
    register_api_router,
    register_grants,
    register_menu_item,
)
from jisheng.orgs.choices import Role

VIEW_OUTFLOWS = ["floating.view_outflow", "floating.view_awayteam"]
RECORD_OUTFLOWS = [
    *VIEW_OUTFLOWS,
    "floating.add_outflow",
    "floating.change_outflow",
    "floating.add_contactrecord",
    "floating.add_serviceagreement",
    "floating.add_awayteam",
    "floating.change_awayteam",
]


if TYPE_CHECKING:
    from jisheng.people.models import Person


def _follow(sender: object, person: Person, **kwargs: object) -> None:
    from jisheng.floating.services_outflows import follow_person

    follow_person(person=person)


def register() -> None:
    from jisheng.floating import api_outflows, indicators_outflows, worklist_outflows
    from jisheng.people.signals import history_changed

    register_menu_item(
        MenuItem(
            "floating:outflow_list",
            _("People away"),
            "bi-box-arrow-up-right",
            permission="floating.view_outflow",
            section="migrants",
            order=30,
        )
    )
    register_menu_item(
        MenuItem(
            "floating:team_list",
            _("Teams working away"),
            "bi-people",
            permission="floating.view_awayteam",
            section="migrants",
            order=32,
        )
    )
    register_grants(
        {
            Role.ADMIN.value: RECORD_OUTFLOWS,
            Role.OFFICE.value: RECORD_OUTFLOWS,
            Role.FIELD.value: RECORD_OUTFLOWS,
            Role.ASSESSOR.value: VIEW_OUTFLOWS,
            Role.LEADER.value: VIEW_OUTFLOWS,
        }
    )
    worklist_outflows.register()
    indicators_outflows.register()
    register_api_router("/floating/teams", api_outflows.team_router, order=37)
    register_api_router("/floating/outflows", api_outflows.router, order=38)
    history_changed.connect(_follow, dispatch_uid="floating_outflow_follows_person")
