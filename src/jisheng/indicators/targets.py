"""The target of an indicator for a unit and a period, and its traffic-light status.

The target is the unit's signed contract item for that indicator and year when there
is one (source ``"contract"``), else the target the policy pack in force for the unit
on the period's last day gives (source ``"pack"``), else none. The dashboard and the
API use these; the names are kept.

Status: ``"green"`` when the value meets the target, ``"amber"`` when it misses it by at
most 5 % of the target (:data:`AMBER_WITHIN`: 95 % target → amber from 90.25 %; a
"≤ 5 ‰" target → amber up to 5.25 ‰), ``"red"`` otherwise; ``None`` when the value or
the target is missing (an undefined value is never coloured).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jisheng.core.periods import Period
from jisheng.indicators.models import Contract, ContractItem
from jisheng.indicators.scoring import AT_MOST, EPS
from jisheng.orgs.models import Unit
from jisheng.policy import selectors as policy_selectors

CONTRACT, PACK = "contract", "pack"
GREEN, AMBER, RED = "green", "amber", "red"
AMBER_WITHIN = 0.05  # a share of the target


@dataclass(frozen=True)
class Target:
    value: float
    direction: str  # "at_least" | "at_most"
    source: str  # "contract" | "pack"
    weight: float | None = None


def _from_items(items: Iterable[ContractItem], indicator_ids: Sequence[str]) -> dict[str, Target]:
    out: dict[str, Target] = {}
    for item in items:
        if (
            item.kind == ContractItem.Kind.INDICATOR
            and item.indicator in indicator_ids
            and item.target is not None
        ):
            out[item.indicator] = Target(
                value=float(item.target),
                direction=item.direction,
                source=CONTRACT,
                weight=float(item.weight),
            )
    return out


def _from_pack(unit: Unit, indicator_ids: Sequence[str], period: Period) -> dict[str, Target]:
    pack = policy_selectors.pack_in_force(unit, period.last)
    if pack is None or pack.assessment is None:
        return {}
    return {
        t.indicator: Target(
            value=float(t.target),
            direction=str(t.direction),
            source=PACK,
            weight=float(t.weight) if t.weight is not None else None,
        )
        for t in pack.assessment.targets
        if t.indicator in indicator_ids and t.target is not None
    }


def targets_for(
    units: Iterable[Unit], indicator_ids: Iterable[str], period: Period
) -> dict[tuple[int, str], Target]:
    """``{(unit_id, indicator_id): Target}`` for every unit and indicator that has a
    target: one query for the contracts and their items, one for the places packs are
    attached, and one per distinct pack in force among the units (usually one)."""
    units = list(units)
    ids = list(dict.fromkeys(indicator_ids))
    out: dict[tuple[int, str], Target] = {}
    if not units or not ids:
        return out
    contracts = Contract.objects.filter(
        unit__in=units, year=period.year, status=Contract.Status.SIGNED
    ).prefetch_related("items")
    by_unit = {c.unit_id: _from_items(c.items.all(), ids) for c in contracts}
    attached = _attachment_paths()
    pack_targets: dict[str, dict[str, Target]] = {}
    for unit in units:
        mine = by_unit.get(unit.pk, {})
        pack: dict[str, Target] = {}
        if any(i not in mine for i in ids):
            # Units under the same deepest attachment share the pack in force.
            key = max((p for p in attached if unit.path.startswith(p)), key=len, default="")
            if key not in pack_targets:
                pack_targets[key] = _from_pack(unit, ids, period)
            pack = pack_targets[key]
        for indicator_id in ids:
            target = mine.get(indicator_id) or pack.get(indicator_id)
            if target is not None:
                out[(unit.pk, indicator_id)] = target
    return out


def _attachment_paths() -> set[str]:
    """The tree paths of the units that have policy packs of their own."""
    from jisheng.policy.models import PolicyPackVersion

    return set(
        PolicyPackVersion.objects.filter(unit__isnull=False)
        .values_list("unit__path", flat=True)
        .distinct()
    )


def target_for(unit: Unit, indicator_id: str, period: Period) -> Target | None:
    """The unit's target for the indicator in the period's year (contract, else pack)."""
    return targets_for([unit], [indicator_id], period).get((unit.pk, indicator_id))


def status(value: float | None, target: Target | None) -> str | None:
    """``"green"`` met, ``"amber"`` within 5 % of the target, ``"red"`` otherwise;
    ``None`` without a value or a target."""
    if value is None or target is None:
        return None
    goal = target.value
    margin = abs(goal) * AMBER_WITHIN
    if target.direction == AT_MOST:
        if value <= goal + EPS:
            return GREEN
        return AMBER if value <= goal + margin + EPS else RED
    if value >= goal - EPS:
        return GREEN
    return AMBER if value >= goal - margin - EPS else RED
