"""The left menu, as data: modules, each with items (URL name, icon, permission).

An item is shown when the user holds its permission (``None``: every signed-in user),
is not only of roles the item is hidden from, and its URL name resolves; a module without
visible items is hidden. Nothing is listed that cannot be opened (no "coming soon").

The home page's shortcuts are the few pages each role works in daily, taken from the
menu the user sees, so a shortcut is never a page the user cannot open.

The menu is read from :mod:`jisheng.core.registry`: each app registers its modules
(``register_menu_section``), items (``register_menu_item``) and role shortcuts
(``register_shortcuts``) from its ``menu.py`` in ``ready()``; :func:`register` is core's
own (the home page, the audit log and the system status). ``core`` imports no domain
app: items name their URLs and permissions as strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisheng.core import registry
from jisheng.core.registry import MenuItem, MenuSection

__all__ = ["MenuItem", "MenuSection", "menu_for", "register", "registered_menu", "shortcuts_for"]


# A user with several roles gets the shortcuts (``register_shortcuts``) in the order of
# ``SHORTCUT_ROLES``; at most ``MAX_SHORTCUTS``. Only pages the user's menu holds are shown.
SHORTCUT_ROLES = (
    "field",
    "office",
    "commodity",
    "admin",
    "leader",
    "assessor",
    "auditor",
    "finance",
    "payer",
)
MAX_SHORTCUTS = 8


@dataclass
class VisibleItem:
    label: str | Promise
    icon: str
    url: str
    active: bool = False
    url_name: str = ""


@dataclass
class VisibleModule:
    key: str
    label: str | Promise
    icon: str
    coming_soon: bool = False
    flat: bool = False
    items: list[VisibleItem] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


def _roles(user: Any) -> set[str]:
    return set(getattr(user, "role_codes", None) or ())


def _allowed(user: Any, item: MenuItem) -> bool:
    if item.permission and not user.has_perm(item.permission):
        return False
    if item.hidden_for_roles and not user.is_superuser:
        roles = _roles(user)
        if roles and roles <= set(item.hidden_for_roles):
            return False
    return not item.any_permission or any(user.has_perm(p) for p in item.any_permission)


def _is_active(url: str, current_path: str) -> bool:
    if url == "/":
        return current_path == "/"
    return current_path.startswith(url)


Menu = Sequence[tuple[MenuSection, Sequence[MenuItem]]]


def registered_menu() -> list[tuple[MenuSection, list[MenuItem]]]:
    """The registry's menu: each section (by order) with its items (by order)."""
    return [(s, registry.menu_items(s.key)) for s in registry.menu_sections()]


def menu_for(user: Any, current_path: str = "", menu: Menu | None = None) -> list[VisibleModule]:
    """The modules and items ``user`` may see, with the current one marked active
    (``menu``: the registry's unless given)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    result: list[VisibleModule] = []
    for module, module_items in registered_menu() if menu is None else menu:
        visible = VisibleModule(module.key, module.label, module.icon, flat=module.flat)
        for item in module_items:
            if not _allowed(user, item):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue  # the page is not installed (yet)
            visible.items.append(VisibleItem(item.label, item.icon, url, url_name=item.url_name))
        if visible.items:
            result.append(visible)
    # Mark only the longest matching URL active ("/orgs/users/" beats "/orgs/").
    candidates = [i for m in result for i in m.items if _is_active(i.url, current_path)]
    if candidates:
        max(candidates, key=lambda i: len(i.url)).active = True
    return result


def shortcuts_for(user: Any, modules: list[VisibleModule] | None = None) -> list[VisibleItem]:
    """The home page's shortcuts: the user's roles' daily pages that the menu shows."""
    if modules is None:
        modules = menu_for(user, "")
    by_name = {item.url_name: item for module in modules for item in module.items}
    roles = _roles(user)
    if not roles and getattr(user, "is_superuser", False):
        roles = {"admin"}
    chosen: list[VisibleItem] = []
    for role in SHORTCUT_ROLES:
        if role not in roles:
            continue
        for _order, name in registry.registry["shortcuts"].get(role, ()):
            item = by_name.get(name)
            if item is not None and item not in chosen:
                chosen.append(item)
    return chosen[:MAX_SHORTCUTS]


def register() -> None:
    """Core's own menu: the home page, and the system module's audit log and status."""
    registry.register_menu_section(
        MenuSection(key="home", label=_("Home"), icon="bi-house", order=0, flat=True)
    )
    registry.register_menu_item(MenuItem("home", _("Home"), "bi-house", section="home"))
    registry.register_menu_section(
        MenuSection(key="system", label=_("System"), icon="bi-gear", order=40)
    )
    registry.register_menu_item(
        MenuItem(
            "core:audit_list",
            _("Audit log"),
            "bi-journal-text",
            permission="core.view_auditevent",
            section="system",
            order=10,
        )
    )
    registry.register_menu_item(
        MenuItem(
            "system_status",
            _("System status"),
            "bi-activity",
            permission="core.view_workerheartbeat",
            section="system",
            order=30,
        )
    )
    registry.register_shortcuts("admin", {"system_status": 30, "core:audit_list": 40})
    registry.register_shortcuts("auditor", {"core:audit_list": 10})
