"""The organisation module of the left menu and the role shortcuts to its pages."""

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


def register() -> None:
    register_menu_section(
        MenuSection(key="orgs", label=_("Organisation"), icon="bi-diagram-3", order=10)
    )
    register_menu_item(
        MenuItem(
            "orgs:unit_tree",
            _("Organisation tree"),
            "bi-diagram-3",
            permission="orgs.view_unit",
            # a village's field staff have no use for the tree of their own village
            hidden_for_roles=(Role.FIELD.value,),
            section="orgs",
            order=10,
        )
    )
    register_menu_item(
        MenuItem(
            "orgs:unit_import",
            _("Import units"),
            "bi-upload",
            permission="orgs.add_unit",
            section="orgs",
            order=20,
        )
    )
    register_menu_item(
        MenuItem(
            "orgs:user_list",
            _("Users"),
            "bi-people",
            permission="orgs.view_user",
            section="orgs",
            order=30,
        )
    )
    register_shortcuts(Role.ADMIN.value, {"orgs:user_list": 10, "orgs:unit_tree": 20})
    register_shortcuts(Role.AUDITOR.value, {"orgs:user_list": 20})
