"""The population registry's module of the left menu and the role shortcuts to it."""

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

ITEMS = (
    ("people:person_list", _("Persons"), "bi-person-lines-fill", "people.view_person"),
    ("people:person_create", _("Register a person"), "bi-person-plus", "people.add_person"),
    ("people:person_import", _("Import persons"), "bi-upload", "people.import_person"),
    ("people:household_list", _("Households"), "bi-house", "people.view_household"),
    ("people:birth_list", _("Births"), "bi-balloon-heart", "people.view_birth"),
    ("people:pregnancy_list", _("Pregnancies"), "bi-heart-pulse", "people.view_pregnancy"),
    (
        "people:transfer_list",
        _("Management transfers"),
        "bi-box-arrow-right",
        "people.view_transfer",
    ),
)


def register() -> None:
    register_menu_section(
        MenuSection(key="people", label=_("Population registry"), icon="bi-person-vcard", order=20)
    )
    for position, (url_name, label, icon, permission) in enumerate(ITEMS, start=1):
        register_menu_item(
            MenuItem(
                url_name, label, icon, permission=permission, section="people", order=position * 10
            )
        )
    register_shortcuts(
        Role.FIELD.value,
        {
            "people:person_list": 20,
            "people:person_create": 30,
            "people:birth_list": 40,
            "people:pregnancy_list": 50,
        },
    )
    register_shortcuts(
        Role.OFFICE.value,
        {
            "people:person_list": 20,
            "people:person_create": 30,
            "people:birth_list": 40,
            "people:transfer_list": 50,
        },
    )
    register_shortcuts(Role.ADMIN.value, {"people:person_list": 50})
