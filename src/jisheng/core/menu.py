"""The left menu, as data: modules, each with items (URL name, icon, permission).

An item is shown when the user holds its permission (``None``: every signed-in user),
is not only of roles the item is hidden from, and its URL name resolves; a module without
visible items is hidden. Nothing is listed that cannot be opened (no "coming soon").

The home page's shortcuts are the few pages each role works in daily (``SHORTCUTS``),
taken from the menu the user sees, so a shortcut is never a page the user cannot open.

``core`` imports no domain app: items name their URLs and permissions as strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: str | Promise
    icon: str = "bi-dot"
    permission: str | None = None
    # Show the item only to users holding at least one of these permissions.
    any_permission: tuple[str, ...] = ()
    # Hide the item from users all of whose roles are listed (role codes, orgs.choices.Role):
    # a village's field staff have no use for the organisation tree of their own village.
    hidden_for_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuModule:
    key: str
    label: str | Promise
    icon: str
    items: tuple[MenuItem, ...] = ()
    coming_soon: bool = False
    # A flat module shows its items without the module's title (the home page link).
    flat: bool = False


MENU: tuple[MenuModule, ...] = (
    MenuModule(
        key="home",
        label=_("Home"),
        icon="bi-house",
        items=(MenuItem("home", _("Home"), "bi-house"),),
        flat=True,
    ),
    MenuModule(
        key="orgs",
        label=_("Organisation"),
        icon="bi-diagram-3",
        items=(
            MenuItem(
                "orgs:unit_tree",
                _("Organisation tree"),
                "bi-diagram-3",
                permission="orgs.view_unit",
                hidden_for_roles=("field",),
            ),
            MenuItem(
                "orgs:unit_import",
                _("Import units"),
                "bi-upload",
                permission="orgs.add_unit",
            ),
            MenuItem("orgs:user_list", _("Users"), "bi-people", permission="orgs.view_user"),
        ),
    ),
    MenuModule(
        key="people",
        label=_("Population registry"),
        icon="bi-person-vcard",
        items=(
            MenuItem(
                "people:person_list",
                _("Persons"),
                "bi-person-lines-fill",
                permission="people.view_person",
            ),
            MenuItem(
                "people:person_create",
                _("Register a person"),
                "bi-person-plus",
                permission="people.add_person",
            ),
            MenuItem(
                "people:person_import",
                _("Import persons"),
                "bi-upload",
                permission="people.import_person",
            ),
            MenuItem(
                "people:household_list",
                _("Households"),
                "bi-house",
                permission="people.view_household",
            ),
            MenuItem(
                "people:birth_list",
                _("Births"),
                "bi-balloon-heart",
                permission="people.view_birth",
            ),
            MenuItem(
                "people:pregnancy_list",
                _("Pregnancies"),
                "bi-heart-pulse",
                permission="people.view_pregnancy",
            ),
            MenuItem(
                "people:transfer_list",
                _("Management transfers"),
                "bi-box-arrow-right",
                permission="people.view_transfer",
            ),
        ),
    ),
    MenuModule(
        key="services",
        label=_("Services"),
        icon="bi-clipboard2-pulse",
        items=(
            MenuItem(
                "services:worklist",
                _("Worklist"),
                "bi-list-check",
                permission="services.view_followupdue",
            ),
            MenuItem(
                "services:campaign_list",
                _("Service campaigns"),
                "bi-clipboard2-check",
                permission="services.view_campaignround",
            ),
            MenuItem(
                "services:letter_list",
                _("Letters of inquiry"),
                "bi-envelope-paper",
                permission="services.view_letter",
            ),
        ),
    ),
    MenuModule(
        key="system",
        label=_("System"),
        icon="bi-gear",
        items=(
            MenuItem(
                "core:audit_list",
                _("Audit log"),
                "bi-journal-text",
                permission="core.view_auditevent",
            ),
            MenuItem(
                "policy:pack_list",
                _("Policy packs"),
                "bi-journal-check",
                permission="policy.view_policypack",
            ),
            MenuItem(
                "system_status",
                _("System status"),
                "bi-activity",
                permission="core.view_workerheartbeat",
            ),
        ),
    ),
    MenuModule(
        key="migrants",
        label=_("Floating population"),
        icon="bi-signpost-split",
        items=(
            MenuItem(
                "migrants:check_list",
                _("Marriage and childbearing certificate checks"),
                "bi-patch-check",
                permission="migrants.view_migrantcheck",
            ),
        ),
    ),
    MenuModule(
        key="certificates",
        label=_("Certificates"),
        icon="bi-award",
        items=(
            MenuItem(
                "certificates:list",
                _("Certificate register"),
                "bi-award",
                permission="certificates.view_certificate",
            ),
        ),
    ),
    MenuModule(
        key="commodities",
        label=_("Contraceptive commodities"),
        icon="bi-box-seam",
        items=(
            MenuItem(
                "commodities:stores",
                _("Stores and stock"),
                "bi-box-seam",
                permission="commodities.view_store",
            ),
            MenuItem(
                "commodities:products",
                _("Products"),
                "bi-capsule",
                permission="commodities.view_product",
            ),
            MenuItem(
                "commodities:count_list",
                _("Physical counts"),
                "bi-clipboard-check",
                permission="commodities.view_physicalcount",
            ),
            MenuItem(
                "commodities:quality_list",
                _("Quality checks"),
                "bi-shield-check",
                permission="commodities.view_qualitycheck",
            ),
            MenuItem(
                "commodities:adverse_list",
                _("Adverse reactions"),
                "bi-exclamation-triangle",
                permission="commodities.view_adversereaction",
            ),
            MenuItem(
                "commodities:plan",
                _("Commodity demand plan"),
                "bi-calendar2-range",
                permission="commodities.view_store",
            ),
            MenuItem(
                "commodities:transfers",
                _("Suggested transfers"),
                "bi-arrow-left-right",
                # for those who keep the stores and move stock between them
                permission="commodities.change_store",
            ),
            MenuItem(
                "commodities:reports",
                _("Commodity reports"),
                "bi-table",
                permission="commodities.view_ledgerline",
            ),
        ),
    ),
    MenuModule(
        key="indicators",
        label=_("Statistics and assessment"),
        icon="bi-bar-chart-line",
        items=(
            MenuItem(
                "reports:dashboard",
                _("Dashboard"),
                "bi-speedometer2",
                permission="people.view_person",
            ),
            MenuItem(
                "reports:catalogue",
                _("Indicator catalogue"),
                "bi-list-columns",
                permission="people.view_person",
            ),
            MenuItem(
                "reports:demography",
                _("Demographic figures"),
                "bi-bar-chart-steps",
                permission="people.view_person",
            ),
            MenuItem(
                "indicators:contract_list",
                _("Responsibility contracts"),
                "bi-file-earmark-check",
                permission="indicators.view_contract",
            ),
            MenuItem(
                "indicators:assessment_list",
                _("Assessments"),
                "bi-trophy",
                permission="indicators.view_assessment",
            ),
            MenuItem(
                "reports:verification_list",
                _("Sample verification"),
                "bi-clipboard-data",
                permission="reports.view_verification",
            ),
        ),
    ),
)

# The home page's shortcuts by role (orgs.choices.Role codes), daily work first; a user
# with several roles gets them in the order of ``SHORTCUT_ROLES``; at most
# ``MAX_SHORTCUTS``. Only pages the user's menu holds are shown.
SHORTCUTS: dict[str, tuple[str, ...]] = {
    "field": (
        "services:worklist",
        "people:person_list",
        "people:person_create",
        "people:birth_list",
        "people:pregnancy_list",
        "commodities:stores",
    ),
    "office": (
        "services:worklist",
        "people:person_list",
        "people:person_create",
        "people:birth_list",
        "people:transfer_list",
        "commodities:stores",
        "reports:dashboard",
    ),
    "admin": (
        "orgs:user_list",
        "orgs:unit_tree",
        "system_status",
        "core:audit_list",
        "people:person_list",
        "policy:pack_list",
    ),
    "commodity": (
        "commodities:stores",
        "commodities:reports",
        "commodities:count_list",
        "commodities:plan",
        "commodities:transfers",
        "commodities:adverse_list",
    ),
    "leader": (
        "reports:dashboard",
        "reports:demography",
        "indicators:assessment_list",
        "indicators:contract_list",
        "reports:catalogue",
    ),
    "assessor": (
        "indicators:assessment_list",
        "reports:verification_list",
        "reports:dashboard",
        "indicators:contract_list",
        "reports:catalogue",
    ),
    "auditor": ("core:audit_list", "orgs:user_list"),
}
SHORTCUT_ROLES = ("field", "office", "commodity", "admin", "leader", "assessor", "auditor")
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


def menu_for(
    user: Any, current_path: str = "", menu: tuple[MenuModule, ...] = MENU
) -> list[VisibleModule]:
    """The modules and items ``user`` may see, with the current one marked active."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    result: list[VisibleModule] = []
    for module in menu:
        if module.coming_soon:
            continue  # nothing to open: not shown
        visible = VisibleModule(module.key, module.label, module.icon, flat=module.flat)
        for item in module.items:
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
        for name in SHORTCUTS.get(role, ()):
            item = by_name.get(name)
            if item is not None and item not in chosen:
                chosen.append(item)
    return chosen[:MAX_SHORTCUTS]
