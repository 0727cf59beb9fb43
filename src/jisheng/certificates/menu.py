"""The certificates' module of the left menu (证件)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core.registry import MenuItem, MenuSection, register_menu_item, register_menu_section

VIEW = "certificates.view_certificate"


def register() -> None:
    register_menu_section(
        MenuSection(
            key="certificates",
            label=pgettext_lazy("menu section", "Certificates"),
            icon="bi-award",
            order=60,
        )
    )
    items = [
        MenuItem(
            "certificates:list",
            _("Certificate register"),
            "bi-journal-text",
            permission=VIEW,
            section="certificates",
            order=10,
        ),
        MenuItem(
            "certificates:apply_choose",
            _("Apply for a certificate"),
            "bi-file-earmark-plus",
            permission="certificates.add_certificate",
            section="certificates",
            order=20,
        ),
        MenuItem(
            "certificates:registration_list",
            _("Birth registrations"),
            "bi-person-plus",
            permission=VIEW,
            section="certificates",
            order=25,
        ),
        MenuItem(
            "certificates:kinds",
            _("Kinds of certificate"),
            "bi-card-list",
            permission=VIEW,
            section="certificates",
            order=30,
        ),
        MenuItem(
            "certificates:verify",
            _("Check a certificate"),
            "bi-shield-check",
            permission="certificates.verify_certificate",
            section="certificates",
            order=40,
        ),
    ]
    for item in items:
        register_menu_item(item)
