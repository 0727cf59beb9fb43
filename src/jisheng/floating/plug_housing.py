"""What the floating app's housing part plugs in: menu items, grants, worklist sources,
importers and API routers (issue 17)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import (
    MenuItem,
    register_api_router,
    register_grants,
    register_importer,
    register_menu_item,
    register_worklist_source,
)
from jisheng.orgs.choices import Role

VIEW_HOUSING = [
    "floating.view_rentalproperty",
    "floating.view_landlordagreement",
    "floating.view_tenancy",
    "floating.view_sweep",
    "floating.view_sweepfinding",
]
RECORD_HOUSING = [
    *VIEW_HOUSING,
    "floating.add_rentalproperty",
    "floating.change_rentalproperty",
    "floating.add_landlordagreement",
    "floating.add_tenancy",
    "floating.add_sweep",
    "floating.change_sweep",
    "floating.add_sweepfinding",
    "floating.change_sweepfinding",
]


def register() -> None:
    from jisheng.floating import api_housing, importers_housing, worklist_housing

    for item in (
        MenuItem(
            "floating:property_list",
            _("Rental properties"),
            "bi-house-door",
            permission="floating.view_rentalproperty",
            section="migrants",
            order=60,
        ),
        MenuItem(
            "floating:sweep_list",
            _("Sweeps"),
            "bi-clipboard-check",
            permission="floating.view_sweep",
            section="migrants",
            order=61,
        ),
        MenuItem(
            "floating:finding_list",
            _("Sweep findings"),
            "bi-flag",
            permission="floating.view_sweep",
            section="migrants",
            order=62,
        ),
    ):
        register_menu_item(item)
    register_grants(
        {
            Role.ADMIN.value: RECORD_HOUSING,
            Role.OFFICE.value: RECORD_HOUSING,
            Role.FIELD.value: RECORD_HOUSING,
            Role.ASSESSOR.value: VIEW_HOUSING,
            Role.LEADER.value: VIEW_HOUSING,
        }
    )
    register_worklist_source(worklist_housing.AGREEMENT_SOURCE)
    register_worklist_source(worklist_housing.FINDINGS_SOURCE)
    register_worklist_source(worklist_housing.SWEEP_DUE_SOURCE)
    register_importer(importers_housing.PROPERTIES_IMPORTER)
    register_importer(importers_housing.TENANTS_IMPORTER)
    register_api_router("/floating/properties", api_housing.properties_router, order=39)
    register_api_router("/floating/sweeps", api_housing.sweeps_router, order=39)
