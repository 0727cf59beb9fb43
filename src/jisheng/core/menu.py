"""The left menu, as data: modules, each with items (URL name, icon, permission).

An item is shown when the user holds its permission (``None``: every signed-in user)
and its URL name resolves; a module without visible items is hidden. Modules that later
issues will fill are listed with ``coming_soon=True`` and shown greyed out.

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
                _("Certificates"),
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
                permission="commodities.view_store",
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
        label=_("Assessment"),
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
    MenuModule(
        key="reports", label=_("Reports"), icon="bi-file-earmark-bar-graph", coming_soon=True
    ),
)


@dataclass
class VisibleItem:
    label: str | Promise
    icon: str
    url: str
    active: bool = False


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


def _allowed(user: Any, item: MenuItem) -> bool:
    if item.permission and not user.has_perm(item.permission):
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
            result.append(VisibleModule(module.key, module.label, module.icon, True))
            continue
        visible = VisibleModule(module.key, module.label, module.icon, flat=module.flat)
        for item in module.items:
            if not _allowed(user, item):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue  # the page is not installed (yet)
            visible.items.append(VisibleItem(item.label, item.icon, url))
        if visible.items:
            result.append(visible)
    # Mark only the longest matching URL active ("/orgs/users/" beats "/orgs/").
    candidates = [i for m in result for i in m.items if _is_active(i.url, current_path)]
    if candidates:
        max(candidates, key=lambda i: len(i.url)).active = True
    return result
