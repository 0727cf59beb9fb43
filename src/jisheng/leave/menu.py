"""Leave approval's module of the left menu (假期审批)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jisheng.core.registry import MenuItem, MenuSection, register_menu_item, register_menu_section


def register() -> None:
    register_menu_section(
        MenuSection(key="leave", label=_("Leave approval"), icon="bi-calendar-check", order=65)
    )
    register_menu_item(
        MenuItem(
            "leave:leave_list",
            _("Leave requests"),
            "bi-calendar-check",
            permission="leave.view_leaverequest",
            section="leave",
            order=10,
        )
    )
    register_menu_item(
        MenuItem(
            "leave:apply",
            _("Apply for leave"),
            "bi-calendar-plus",
            permission="leave.add_leaverequest",
            section="leave",
            order=20,
        )
    )
