"""Reads of policy packs: the pack in force for a unit on a date, lists and history."""

from __future__ import annotations

import contextlib
import datetime
import difflib
import functools
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jisheng.core.registry import WorklistSource
from jisheng.core.scope import ALL, user_scope_path
from jisheng.orgs.models import Unit
from jisheng.policy.models import PolicyPack, PolicyPackVersion
from jisheng.policy.schema import PolicyPackSchema, stored


def ancestor_paths(path: str) -> list[str]:
    """The tree paths of a unit and of each of its ancestors (materialised path)."""
    step = Unit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


# The look-ups of one unit of work (a worklist: each source asks for the pack of the
# same unit and day), while :func:`packs_remembered` is open.
_Memory = dict[tuple[frozenset[str], datetime.date], list[PolicyPackVersion]]
_remembered: ContextVar[_Memory | None] = ContextVar("jisheng_packs_remembered", default=None)


@contextlib.contextmanager
def packs_remembered() -> Iterator[None]:
    """Within the block, the versions in force for a set of units on a day are read once
    (a worklist's twenty-odd sources ask for the same pack again and again). Only for a
    read that ends with the block: a pack loaded meanwhile is seen by the next one."""
    if _remembered.get() is not None:  # nested: the outer block's memory
        yield
        return
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _candidates(paths: set[str], on: datetime.date) -> list[PolicyPackVersion]:
    """The versions in effect on ``on`` of the default pack and of the units at ``paths``."""
    memory = _remembered.get()
    key = (frozenset(paths), on)
    if memory is not None and key in memory:
        return memory[key]
    where = Q(unit__isnull=True)
    if paths:
        where |= Q(unit__path__in=paths)
    found = list(
        PolicyPackVersion.objects.filter(where, effective_from__lte=on)
        .select_related("pack", "unit")
        .defer("source_text", "content")
    )
    if memory is not None:
        memory[key] = found
    return found


def _governing(candidates: list[PolicyPackVersion], path: str | None) -> PolicyPackVersion | None:
    """Of ``candidates``, the one that governs the unit at ``path`` (None: no unit)."""
    usable = [
        v
        for v in candidates
        if v.unit is None or (path is not None and path.startswith(v.unit.path))
    ]
    if not usable:
        return None
    return max(
        usable,
        key=lambda v: (len(v.unit.path) if v.unit else 0, v.effective_from, v.id),
    )


def version_in_force(
    unit: Unit | None, on: datetime.date | None = None
) -> PolicyPackVersion | None:
    """The version that governs ``unit`` on ``on`` (default today).

    The unit's own pack, else the nearest ancestor's, else the default pack (no unit);
    at each level the version with the latest ``effective_from`` not after ``on`` (the
    last loaded when two share a date). One query.
    """
    on = on or timezone.localdate()
    paths = set(ancestor_paths(unit.path)) if unit is not None else set()
    return _governing(_candidates(paths, on), unit.path if unit is not None else None)


@functools.lru_cache(maxsize=256)
def _schema_of(version_id: int, sha256: str) -> PolicyPackSchema:
    # Versions are immutable, so a version's parsed content can be cached for good; the
    # digest is part of the key so that a reused id (rolled-back tests) cannot mislead.
    content = PolicyPackVersion.objects.values_list("content", flat=True).get(pk=version_id)
    return PolicyPackSchema.model_validate(stored(content))


def schema_of(version: PolicyPackVersion) -> PolicyPackSchema:
    return _schema_of(version.pk, version.sha256)


def pack_in_force(unit: Unit | None, on: datetime.date | None = None) -> PolicyPackSchema | None:
    """The typed pack in force for ``unit`` on ``on`` (see :func:`version_in_force`)."""
    version = version_in_force(unit, on)
    return schema_of(version) if version is not None else None


def versions_in_force(
    units: Iterable[Unit], on: datetime.date | None = None
) -> dict[int, PolicyPackVersion | None]:
    """:func:`version_in_force` of each of ``units`` (by unit id), in one query."""
    units = list(units)
    on = on or timezone.localdate()
    candidates = _candidates({p for u in units for p in ancestor_paths(u.path)}, on)
    return {unit.pk: _governing(candidates, unit.path) for unit in units}


def packs_in_force(
    units: Iterable[Unit], on: datetime.date | None = None
) -> dict[int, PolicyPackSchema | None]:
    """:func:`pack_in_force` of each of ``units`` (by unit id), in one query."""
    return {
        pk: schema_of(version) if version is not None else None
        for pk, version in versions_in_force(units, on).items()
    }


def birth_limit(unit: Unit | None, on: datetime.date | None = None, default: int = 3) -> int:
    """Births up to this order are within policy for ``unit`` on ``on`` (a statistic, §0)."""
    pack = pack_in_force(unit, on)
    return pack.births.policy_limit if pack is not None else default


# --- lists for the pages and the API (scoped) ----------------------------------------


def visible_versions(user: Any) -> QuerySet[PolicyPackVersion]:
    """Versions the user may read: the default packs, those attached to the user's unit
    or its ancestors (they govern the user's subtree) and those attached below it."""
    prefix = user_scope_path(user)
    qs = PolicyPackVersion.objects.select_related("pack", "unit", "loaded_by")
    if prefix is None:
        return qs.none()
    if prefix == ALL:
        return qs
    return qs.filter(
        Q(unit__isnull=True)
        | Q(unit__path__startswith=prefix)
        | Q(unit__path__in=ancestor_paths(prefix))
    )


def pack_list(*, user: Any) -> list[dict[str, Any]]:
    """Each visible pack with its attachments: per unit (or default), the version in
    force today and the latest loaded version."""
    today = timezone.localdate()
    versions = list(visible_versions(user).defer("source_text", "content"))
    packs: dict[int, dict[str, Any]] = {}
    for v in versions:
        entry = packs.setdefault(
            v.pack_id, {"pack": v.pack, "attachments": {}, "latest_loaded": None}
        )
        key = v.unit_id or 0
        slot = entry["attachments"].setdefault(
            key, {"unit": v.unit, "in_force": None, "upcoming": None, "count": 0}
        )
        slot["count"] += 1
        if v.effective_from <= today:
            best = slot["in_force"]
            if best is None or (v.effective_from, v.id) > (best.effective_from, best.id):
                slot["in_force"] = v
        else:
            nxt = slot["upcoming"]
            if nxt is None or v.effective_from < nxt.effective_from:
                slot["upcoming"] = v
        latest = entry["latest_loaded"]
        if latest is None or v.id > latest.id:
            entry["latest_loaded"] = v
    result = []
    for entry in packs.values():
        entry["attachments"] = sorted(
            entry["attachments"].values(), key=lambda s: s["unit"].path if s["unit"] else ""
        )
        result.append(entry)
    return sorted(result, key=lambda e: e["pack"].code)


def pack_get(*, user: Any, code: str) -> PolicyPack | None:
    """The pack with ``code`` if the user can see at least one of its versions."""
    version = visible_versions(user).filter(pack__code=code).first()
    return version.pack if version is not None else None


def pack_versions(*, user: Any, pack: PolicyPack) -> list[PolicyPackVersion]:
    """The pack's visible versions, newest loaded first."""
    return list(visible_versions(user).filter(pack=pack).order_by("-loaded_at", "-id"))


def current_version(
    *, user: Any, pack: PolicyPack, on: datetime.date | None = None
) -> PolicyPackVersion | None:
    """The visible version of ``pack`` in force on ``on``: the latest effective one,
    preferring the default attachment, then the one nearest the user's unit."""
    on = on or timezone.localdate()
    candidates = [v for v in pack_versions(user=user, pack=pack) if v.effective_from <= on]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (v.effective_from, v.unit_id is None, v.id))


def previous_version(version: PolicyPackVersion) -> PolicyPackVersion | None:
    """The version of the same pack and attachment loaded just before ``version``."""
    return (
        PolicyPackVersion.objects.filter(pack=version.pack, unit=version.unit, id__lt=version.id)
        .order_by("-id")
        .first()
    )


def yaml_diff(old: PolicyPackVersion | None, new: PolicyPackVersion) -> list[tuple[str, str]]:
    """The unified diff of the YAML of two versions as ``(css_class, line)`` pairs."""
    before = old.source_text.splitlines() if old is not None else []
    after = new.source_text.splitlines()
    label_old = f"{old.pack.code} {old.version}" if old is not None else "—"
    label_new = f"{new.pack.code} {new.version}"
    rows = []
    for line in difflib.unified_diff(before, after, label_old, label_new, lineterm=""):
        if line.startswith(("+++", "---")):
            css = "meta"
        elif line.startswith("@@"):
            css = "hunk"
        elif line.startswith("+"):
            css = "add"
        elif line.startswith("-"):
            css = "del"
        else:
            css = "ctx"
        rows.append((css, line))
    return rows


# --- the worklist: the pack's calendar deadlines --------------------------------------

# A calendar deadline shows on the worklist this many days ahead.
DEADLINE_NOTICE_DAYS = 14


def deadlines_coming(
    user: Any, *, unit: Unit | None = None, today: datetime.date, limit: int = 20
) -> tuple[int, list[Any]]:
    """The worklist's ``deadlines`` (a :class:`~jisheng.core.registry.WorklistSource`):
    the calendar deadlines of the pack in force for ``unit`` (default the user's own
    unit) — ``quarter_month_day``, ``month_day``, ``year_month_day`` rules, e.g. the
    follow-up report by the 25th of a quarter's third month, the monthly statistics
    meeting — falling due within :data:`DEADLINE_NOTICE_DAYS` days, soonest first.
    A deadline counted from an event (``days_after``, ``months_after``) belongs to that
    event's own work, not here."""
    from django.urls import reverse

    from jisheng.core.registry import WorkItem
    from jisheng.policy.deadlines import next_due
    from jisheng.policy.presentation import well_known_deadlines
    from jisheng.policy.schema import DaysAfter, MonthsAfter

    where = unit if unit is not None else getattr(user, "unit", None)
    if where is None or user_scope_path(user) is None:
        return 0, []
    version = version_in_force(where, today)
    if version is None:
        return 0, []
    pack = schema_of(version)
    known = well_known_deadlines()
    horizon = today + datetime.timedelta(days=DEADLINE_NOTICE_DAYS)
    items = []
    for key, rule in pack.deadlines.items():
        if isinstance(rule, DaysAfter | MonthsAfter):
            continue
        due = next_due(rule, today)
        if due > horizon:
            continue
        items.append(
            WorkItem(
                person_id=None,
                person_name="",
                unit_name=where.name,
                date=due,
                what=rule.label or known.get(key, key),
                url=reverse("policy:pack_detail", args=[version.pack.code]),
            )
        )
    items.sort(key=lambda item: (item.date, item.what))
    return len(items), items[:limit]


DEADLINES_SOURCE = WorklistSource(
    kind="deadlines",
    label=gettext_lazy("Deadlines of the policy pack"),
    collect=deadlines_coming,
    permission="policy.view_policypack",
    order=90,
)
