"""One registry of everything an app plugs in (in the spirit of NetBox's ``registry``).

Each domain app fills the stores from its own modules (``menu.py``, ``permissions.py``,
``api.py``, ``importers.py``, ``indicators.py``, ``tasks.py``, ``demo.py``, …) in its
``AppConfig.ready()``; nothing central lists the apps beyond ``INSTALLED_APPS`` (and one
URL include for an app with pages). ``core`` imports no domain app: it only holds what
the apps give it.

The stores are fixed: a store cannot be added or removed at run time (a misspelt store
name is an error, not a new empty store); each store itself is a plain ``dict`` or
``list`` that the ``register_*`` functions below fill. Registering the same key twice
with a different value is an error (two apps claiming one importer kind, one menu item
or one job); registering the very same thing again (``ready()`` run twice in tests) is a
no-op.

Stores:

- ``menu_sections``  key → :class:`MenuSection` (the left menu's modules)
- ``menu_items``     list of :class:`MenuItem` (each names its section)
- ``shortcuts``      role code → list of (order, URL name) — the home page's shortcuts
- ``role_grants``    role code → set of ``app_label.codename`` permissions
- ``api_routers``    list of :class:`ApiRouter` (mounted under ``/api/v1/``)
- ``importers``      kind → importer (``jisheng.core.excel.Importer``)
- ``populations``    name → indicator population (``jisheng.indicators.engine.Population``)
- ``indicators``     id → indicator (``jisheng.indicators.engine.Indicator``)
- ``jobs``           name → scheduled job (``jisheng.core.periodic.Job``)
- ``demo_loaders``   list of :class:`DemoLoader` (run in order by ``jisheng demo``)
- ``worklist_sources`` kind → :class:`WorklistSource`
- ``workflows``      model label → workflow table (``jisheng.core.workflow``)
- ``statforms``      form key → statistical form (``jisheng.core.statforms.FormSpec``)
- ``submission_checks`` name → check run before a statistical report is submitted
  (``jisheng.core.statforms.register_submission_check``)
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


class Registry(dict):
    """A dict of fixed stores: reading an unknown store, adding or removing one fails."""

    def __getitem__(self, key: str) -> Any:
        try:
            return super().__getitem__(key)
        except KeyError:
            raise KeyError(f"invalid store: {key}") from None

    def __setitem__(self, key: str, value: Any) -> None:
        raise TypeError("cannot add stores to the registry")

    def __delitem__(self, key: str) -> None:
        raise TypeError("cannot delete stores from the registry")


registry = Registry(
    {
        "menu_sections": {},
        "menu_items": [],
        "shortcuts": {},
        "role_grants": {},
        "api_routers": [],
        "importers": {},
        "populations": {},
        "indicators": {},
        "jobs": {},
        "demo_loaders": [],
        "worklist_sources": {},
        "workflows": {},
        "step_followers": {},
        "statforms": {},
        "submission_checks": {},
    }
)


class RegistryConflict(ValueError):
    """Two registrations claim the same key with different values."""


def _put(store: str, key: str, value: Any) -> Any:
    target: dict[str, Any] = registry[store]
    existing = target.get(key)
    if existing is not None and existing is not value and existing != value:
        raise RegistryConflict(f"{store}: {key!r} is already registered ({existing!r})")
    target[key] = value
    return value


# --------------------------------------------------------------------------- menu


@dataclass(frozen=True)
class MenuSection:
    """A module of the left menu; hidden while none of its items is visible."""

    key: str
    label: str | Promise
    icon: str
    order: int = 100
    # A flat module shows its items without the module's title (the home page link).
    flat: bool = False


@dataclass(frozen=True)
class MenuItem:
    """A page in the left menu.

    Shown when the user holds ``permission`` (``None``: every signed-in user) and at least
    one of ``any_permission`` (if given), is not only of roles in ``hidden_for_roles``,
    and ``url_name`` resolves. Items of a section are ordered by ``order``.
    """

    url_name: str
    label: str | Promise
    icon: str = "bi-dot"
    permission: str | None = None
    any_permission: tuple[str, ...] = ()
    hidden_for_roles: tuple[str, ...] = ()
    section: str = ""
    order: int = 100


def register_menu_section(section: MenuSection) -> MenuSection:
    return _put("menu_sections", section.key, section)


def register_menu_item(item: MenuItem) -> MenuItem:
    if not item.section:
        raise ValueError(f"menu item {item.url_name} names no section")
    items: list[MenuItem] = registry["menu_items"]
    for existing in items:
        if existing.url_name == item.url_name:
            if existing != item:
                raise RegistryConflict(f"menu_items: {item.url_name!r} is already registered")
            return existing
    items.append(item)
    return item


def register_shortcuts(role: str, url_names: dict[str, int] | list[tuple[int, str]]) -> None:
    """The home page's shortcuts of ``role``: (order, URL name) pairs, lowest first."""
    pairs = list(url_names.items()) if isinstance(url_names, dict) else list(url_names)
    store: list[tuple[int, str]] = registry["shortcuts"].setdefault(role, [])
    for order, name in ((o, n) if isinstance(o, int) else (n, o) for o, n in pairs):
        if (order, name) not in store:
            store.append((order, name))
    store.sort()


# --------------------------------------------------------------------------- roles


def register_grants(grants: dict[str, list[str] | tuple[str, ...] | set[str]]) -> None:
    """Permissions (``app_label.codename``) granted to each role code."""
    for role, permissions in grants.items():
        registry["role_grants"].setdefault(role, set()).update(permissions)


# --------------------------------------------------------------------------- API


@dataclass(frozen=True)
class ApiRouter:
    """A django-ninja router mounted at ``/api/v1/<prefix>`` (prefix ``""`` or ``/units``)."""

    prefix: str
    router: Any
    order: int = 100


def register_api_router(prefix: str, router: Any, *, order: int = 100) -> None:
    routers: list[ApiRouter] = registry["api_routers"]
    if any(r.router is router for r in routers):
        return
    routers.append(ApiRouter(prefix, router, order))


# --------------------------------------------------------------------------- importers


def register_importer(importer: Any) -> Any:
    """An Excel importer (``jisheng.core.excel.Importer``) under its ``kind``."""
    return _put("importers", importer.kind, importer)


# --------------------------------------------------------------------------- demo


@dataclass(frozen=True)
class DemoLoader:
    """A step of ``jisheng demo``: ``load()`` is idempotent; lower ``order`` runs first."""

    name: str
    load: Callable[[], Any]
    order: int = 100


def register_demo_loader(name: str, load: Callable[[], Any], *, order: int = 100) -> None:
    loaders: list[DemoLoader] = registry["demo_loaders"]
    if any(loader.name == name for loader in loaders):
        return
    loaders.append(DemoLoader(name, load, order))
    loaders.sort(key=lambda loader: (loader.order, loader.name))


# --------------------------------------------------------------------------- worklist


@dataclass
class WorkItem:
    """One line of the worklist: who or what, where, by when, what to do, and the page
    that clears it. ``person_id`` is ``None`` for work about a record, not a person (a
    returned report or count); ``message`` is a return's message (退回意见)."""

    person_id: int | None
    person_name: str
    unit_name: str
    date: datetime.date  # due date, expected date, marriage date, opening date
    what: str
    url: str  # the form that clears it
    late_days: int = 0
    # 需另约时间: the day agreed for another visit; the item is due then (``date``).
    appointment_on: datetime.date | None = None
    message: str = ""


@dataclass(frozen=True)
class WorklistSource:
    """A kind of work on the worklist.

    ``collect(user, *, unit, today, limit)`` returns ``(count, items)``: the kind's total
    in ``user``'s scope (below ``unit``) and its first ``limit`` :class:`WorkItem` by
    date; ``permission`` hides the kind from users without it; lower ``order`` first;
    ``per_user`` marks a kind whose items depend on the user, not only on the unit.
    """

    kind: str
    label: str | Promise
    collect: Callable[..., Any]
    permission: str | None = None
    order: int = 100
    # The items depend on who asks, not only on the unit (what was returned to *me*):
    # the dashboard's counts, cached per unit, leave such a kind out.
    per_user: bool = False


def register_worklist_source(source: WorklistSource) -> WorklistSource:
    return _put("worklist_sources", source.kind, source)


# --------------------------------------------------------------------------- reading


def menu_sections() -> list[MenuSection]:
    return sorted(registry["menu_sections"].values(), key=lambda s: (s.order, s.key))


def menu_items(section: str) -> list[MenuItem]:
    items = [i for i in registry["menu_items"] if i.section == section]
    return sorted(items, key=lambda i: i.order)


def api_routers() -> list[ApiRouter]:
    return sorted(registry["api_routers"], key=lambda r: r.order)


def worklist_sources() -> list[WorklistSource]:
    return sorted(registry["worklist_sources"].values(), key=lambda s: (s.order, s.kind))
