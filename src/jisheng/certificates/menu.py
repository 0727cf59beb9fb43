"""The certificates' module of the left menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import MenuItem, MenuSection, register_menu_item, register_menu_section


def register() -> None:
    register_menu_section(
        MenuSection(key="certificates", label=_("Certificates"), icon="bi-award", order=60)
    )
    register_menu_item(
        MenuItem(
            "certificates:list",
            _("Certificate register"),
            "bi-award",
            permission="certificates.view_certificate",
            section="certificates",
            order=10,
        )
    )
    register_menu_item(
        MenuItem(
            "certificates:verify",
            _("Check a certificate"),
            "bi-shield-check",
            permission="certificates.verify_certificate",
            section="certificates",
            order=20,
        )
    )
