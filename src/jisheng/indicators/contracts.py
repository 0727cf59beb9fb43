"""Target-responsibility contracts (目标责任书): reads and writes.

A contract is drawn up for a year between an issuing unit and a unit directly below
it, from the assessment section of the policy pack in force for that unit on 1 January
of the year: the pack's targets whose indicator the catalogue computes become indicator
items; targets the catalogue does not (yet) compute and the pack's manual items become
items scored by hand; the pack's veto items become veto items (一票否决, administrative
integrity only). A draft is edited as a whole (the items replace the old ones); signing
records who signed for each side and when, and makes the contract read-only. A change
after signing is a new version (a draft copy) that supersedes the signed one when it is
signed in turn. Every write is audited; every read is limited to the caller's subtree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from jisheng.core import audit, workflow
from jisheng.core.choices import AuditAction
from jisheng.core.scope import get_in_scope_or_404, require_in_scope, restrict
from jisheng.indicators import catalogue
from jisheng.indicators.models import Contract, ContractItem
from jisheng.orgs.models import Unit
from jisheng.policy import selectors as policy_selectors
from jisheng.policy.choices import Direction, ScoringKind, TargetUnit, Trigger
from jisheng.policy.loader import error_message
from jisheng.policy.measures import is_behaviour
from jisheng.policy.schema import (
    PolicyPackSchema,
    TargetItem,
    VetoItem,
    behaviour_scored_message,
)

ITEM_FIELDS = (
    "kind",
    "indicator",
    "name",
    "target",
    "unit",
    "direction",
    "weight",
    "scoring",
    "minus_per_point",
    "floor",
    "zero_at",
    "full_at",
    "trigger",
    "description",
)
BY_HAND = (ScoringKind.MANUAL, ScoringKind.YES_NO)
WEIGHT_TOLERANCE = 0.005
_PLACEHOLDER = "manual_item"  # an indicator id for validating items scored by hand


# --------------------------------------------------------------------------- reads


def contract_queryset() -> QuerySet[Contract]:
    return Contract.objects.select_related("issuer", "unit", "signed_by", "created_by")


def contract_get(user: Any, pk: Any) -> Contract:
    """A contract in the user's subtree (404 and an audited denial otherwise)."""
    return get_in_scope_or_404(contract_queryset(), user, pk=pk)


def contract_items(contract: Contract) -> list[ContractItem]:
    return list(contract.items.all())


def contract_list(user: Any, *, issuer: Unit | None = None, year: int | None = None):
    """The contracts the user may read, newest year first; by issuer and year."""
    qs = restrict(contract_queryset(), user)
    if issuer is not None:
        qs = qs.filter(issuer=issuer)
    if year is not None:
        qs = qs.filter(year=year)
    return qs


@dataclass
class ChildRow:
    unit: Unit
    signed: Contract | None = None
    draft: Contract | None = None

    @property
    def current(self) -> Contract | None:
        return self.draft or self.signed


def children_rows(user: Any, issuer: Unit, year: int) -> list[ChildRow]:
    """Each unit directly below ``issuer`` (in the user's scope) with its signed contract
    and its draft for ``year``. Two queries."""
    children = list(
        restrict(
            Unit.objects.filter(path__startswith=issuer.path, depth=issuer.depth + 1), user
        ).order_by("path")
    )
    rows = {u.pk: ChildRow(unit=u) for u in children}
    live = contract_queryset().filter(
        unit__in=children,
        year=year,
        status__in=[Contract.Status.DRAFT, Contract.Status.SIGNED],
    )
    for contract in live:
        row = rows[contract.unit_id]
        if contract.status == Contract.Status.SIGNED:
            row.signed = contract
        else:
            row.draft = contract
    return list(rows.values())


def signed_contracts(units: Iterable[Unit], year: int) -> dict[int, Contract]:
    """The signed contract of each unit for ``year`` with its items (two queries);
    units without one are missing from the answer."""
    qs = Contract.objects.filter(
        unit__in=list(units), year=year, status=Contract.Status.SIGNED
    ).prefetch_related(Prefetch("items", queryset=ContractItem.objects.order_by("position", "id")))
    return {c.unit_id: c for c in qs}


# --------------------------------------------------------------------------- from the pack


def indicator_known(indicator_id: str) -> bool:
    try:
        catalogue.get(indicator_id)
    except ValueError:
        return False
    return True


def items_from_pack(pack: PolicyPackSchema | None) -> list[dict[str, Any]]:
    """The contract items the pack's assessment section gives (see the module's text)."""
    if pack is None or pack.assessment is None:
        return []
    items: list[dict[str, Any]] = []
    for t in pack.assessment.targets:
        scoring = t.scoring
        if is_behaviour(t.indicator):
            # SPEC §0: information only, even from a pack stored before the loader
            # refused points on it (the loader refuses them now)
            scoring = None
            t = t.model_copy(update={"weight": None})
        item: dict[str, Any] = {
            "kind": ContractItem.Kind.INDICATOR,
            "indicator": t.indicator,
            "name": t.name,
            "target": t.target,
            "unit": str(t.unit),
            "direction": str(t.direction),
            "weight": float(t.weight or 0),
            "scoring": str(scoring.kind) if scoring else "",
            "minus_per_point": scoring.minus_per_point if scoring else None,
            "floor": float(scoring.floor) if scoring else 0.0,
            "zero_at": scoring.zero_at if scoring else None,
            "full_at": scoring.full_at if scoring else None,
            "trigger": "",
            "description": t.note,
        }
        by_hand = scoring is not None and scoring.kind in BY_HAND
        # a behaviour target the catalogue does not compute (the seeds' 节育及时率 …)
        # stays an indicator item: shown as information with its target, no value
        if by_hand or not (indicator_known(t.indicator) or is_behaviour(t.indicator)):
            if not by_hand:
                item["description"] = " ".join(
                    p
                    for p in (
                        t.note,
                        _("The catalogue does not compute %(id)s: scored by hand.")
                        % {"id": t.indicator},
                    )
                    if p
                )
            item.update(
                kind=ContractItem.Kind.MANUAL,
                scoring=str(scoring.kind) if by_hand else ScoringKind.MANUAL.value,
                minus_per_point=None,
                floor=0.0,
                zero_at=None,
                full_at=None,
            )
        items.append(item)
    for v in pack.assessment.veto_items:
        items.append(
            {
                "kind": ContractItem.Kind.VETO,
                "indicator": "",
                "name": str(Trigger(v.trigger).label),
                "target": None,
                "unit": TargetUnit.COUNT.value,
                "direction": Direction.AT_LEAST.value,
                "weight": 0.0,
                "scoring": "",
                "minus_per_point": None,
                "floor": 0.0,
                "zero_at": None,
                "full_at": None,
                "trigger": str(v.trigger),
                "description": v.description,
            }
        )
    return items


def terms_from_pack(pack: PolicyPackSchema | None, items: Sequence[dict[str, Any]]) -> dict:
    """Total, bands, consequences, composite parts and the last-place flag of a pack."""
    a = pack.assessment if pack is not None else None
    weights = sum(float(i.get("weight") or 0) for i in items)
    if a is None:
        return {
            "total_points": weights or 100.0,
            "bands": [],
            "consequences": [],
            "composite": [],
            "flag_last_place": False,
        }
    return {
        "total_points": float(a.total_points) if a.total_points is not None else weights or 100.0,
        "bands": [b.model_dump(mode="json") for b in a.bands],
        "consequences": [c.model_dump(mode="json") for c in a.consequences],
        "composite": [
            {"part": p.part, "weight": p.weight, "source": p.resolved_source} for p in a.composite
        ],
        "flag_last_place": a.flag_last_place,
    }


def packs_for(units: Iterable[Unit], year: int) -> dict[int, tuple[Any, PolicyPackSchema | None]]:
    """:func:`pack_for` for many units: one lookup per distinct deepest pack attachment
    among them (units below the same attachment share the pack in force)."""
    from jisheng.policy.models import PolicyPackVersion

    attached = set(
        PolicyPackVersion.objects.filter(unit__isnull=False)
        .values_list("unit__path", flat=True)
        .distinct()
    )
    shared: dict[str, tuple[Any, PolicyPackSchema | None]] = {}
    out = {}
    for unit in units:
        key = max((p for p in attached if unit.path.startswith(p)), key=len, default="")
        if key not in shared:
            shared[key] = pack_for(unit, year)
        out[unit.pk] = shared[key]
    return out


def pack_for(unit: Unit, year: int) -> tuple[Any, PolicyPackSchema | None]:
    """The pack version in force for ``unit`` on 1 January of ``year`` (today's when none
    was in force yet) and its content."""
    version = policy_selectors.version_in_force(unit, datetime.date(year, 1, 1))
    if version is None:
        version = policy_selectors.version_in_force(unit)
    if version is None:
        return None, None
    return version, policy_selectors.schema_of(version)


# --------------------------------------------------------------------------- validation


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


def clean_item(data: dict[str, Any]) -> dict[str, Any]:
    """One item's values checked by the rules of the pack schema; ``ValueError`` with a
    message naming what is wrong."""
    item = {name: data.get(name) for name in ITEM_FIELDS}
    for name in ("target", "minus_per_point", "zero_at", "full_at"):
        item[name] = _number(item[name])
    item["weight"] = _number(item["weight"]) or 0.0
    item["floor"] = _number(item["floor"]) or 0.0
    for name in ("indicator", "name", "scoring", "trigger", "description"):
        item[name] = (item[name] or "").strip()
    item["unit"] = item["unit"] or TargetUnit.PERCENT.value
    item["direction"] = item["direction"] or Direction.AT_LEAST.value
    kind = item["kind"]
    if kind not in ContractItem.Kind.values:
        raise ValueError(_("Choose the kind of the item."))
    if not item["name"]:
        raise ValueError(_("Give the item a name."))
    if item["weight"] < 0:
        raise ValueError(_("The weight cannot be negative."))
    if kind == ContractItem.Kind.VETO:
        try:
            VetoItem.model_validate(
                {"trigger": item["trigger"], "description": item["description"]}
            )
        except PydanticError as exc:
            raise ValueError(_pydantic_message(exc)) from None
        item.update(
            indicator="",
            target=None,
            weight=0.0,
            scoring="",
            minus_per_point=None,
            floor=0.0,
            zero_at=None,
            full_at=None,
        )
        return item
    item["trigger"] = ""
    if kind == ContractItem.Kind.INDICATOR:
        if not (indicator_known(item["indicator"]) or is_behaviour(item["indicator"])):
            raise ValueError(_("Unknown indicator: %(id)s.") % {"id": item["indicator"] or "—"})
        if is_behaviour(item["indicator"]) and (item["weight"] > 0 or item["scoring"]):
            raise ValueError(behaviour_scored_message(item["indicator"]))
    else:
        item["indicator"] = ""
        if item["scoring"] not in BY_HAND:
            raise ValueError(_("An item scored by hand takes manual or yes/no scoring."))
    if item["weight"] > 0 and not item["scoring"]:
        raise ValueError(_("An item with points needs a scoring rule."))
    scoring = None
    if item["scoring"]:
        scoring = {"kind": item["scoring"], "floor": item["floor"]}
        for name in ("minus_per_point", "zero_at", "full_at"):
            if item[name] is not None:
                scoring[name] = item[name]
    try:
        TargetItem.model_validate(
            {
                "indicator": item["indicator"] or _PLACEHOLDER,
                "name": item["name"],
                "target": item["target"],
                "unit": item["unit"],
                "direction": item["direction"],
                "weight": item["weight"],
                "scoring": scoring,
            }
        )
    except PydanticError as exc:
        raise ValueError(_pydantic_message(exc)) from None
    if item["scoring"] != ScoringKind.LINEAR_BELOW_TARGET:
        item["minus_per_point"] = None
    if item["scoring"] != ScoringKind.LINEAR_BETWEEN:
        item["zero_at"] = item["full_at"] = None
    return item


def _pydantic_message(exc: PydanticError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "scoring")
        message = error_message(error, str(error["loc"][-1]) if error.get("loc") else "")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def clean_items(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item checked; one ``ValidationError`` listing each bad row ("Row 2: …")."""
    cleaned, errors = [], []
    for row, data in enumerate(items, start=1):
        try:
            cleaned.append(clean_item(data))
        except (ValueError, TypeError) as exc:
            errors.append(_("Row %(row)s: %(message)s") % {"row": row, "message": exc})
    seen: set[str] = set()
    for row, item in enumerate(cleaned, start=1):
        if item["kind"] == ContractItem.Kind.INDICATOR:
            if item["indicator"] in seen:
                errors.append(
                    _("Row %(row)s: %(message)s")
                    % {"row": row, "message": _("This indicator is listed twice.")}
                )
            seen.add(item["indicator"])
    if errors:
        raise ValidationError(errors)
    return cleaned


def weights_sum(items: Iterable[Any]) -> float:
    return sum(float(i["weight"] if isinstance(i, dict) else i.weight or 0) or 0.0 for i in items)


# --------------------------------------------------------------------------- writes


def _snapshot_items(contract: Contract) -> list[dict[str, Any]]:
    return [{name: getattr(i, name) for name in ITEM_FIELDS} for i in contract.items.all()]


def _write_items(contract: Contract, items: Sequence[dict[str, Any]]) -> None:
    ContractItem.objects.bulk_create(
        [ContractItem(contract=contract, position=n, **item) for n, item in enumerate(items)]
    )


def _require_child(issuer: Unit, unit: Unit) -> None:
    if unit.depth != issuer.depth + 1 or not unit.path.startswith(issuer.path):
        raise ValidationError(
            _("%(unit)s is not directly below %(issuer)s.")
            % {"unit": unit.name, "issuer": issuer.name}
        )


def _check_year(year: int) -> None:
    today = timezone.localdate()
    if not 2000 <= year <= today.year + 1:
        raise ValidationError(
            _("Contracts are drawn up for a year from 2000 to %(last)s.") % {"last": today.year + 1}
        )


def contract_draw(*, actor: Any, issuer: Unit, unit: Unit, year: int) -> Contract:
    """Draw up the contract of ``unit`` (directly below ``issuer``) for ``year`` from the
    pack in force. Refused when the unit already has a draft or a signed contract."""
    require_in_scope(actor, issuer)
    _require_child(issuer, unit)
    _check_year(year)
    if Contract.objects.filter(
        unit=unit, year=year, status__in=[Contract.Status.DRAFT, Contract.Status.SIGNED]
    ).exists():
        raise ValidationError(
            _("%(unit)s already has a contract for %(year)s.") % {"unit": unit.name, "year": year}
        )
    version, pack = pack_for(unit, year)
    items = clean_items(items_from_pack(pack))
    terms = terms_from_pack(pack, items)
    with transaction.atomic():
        contract = Contract.objects.create(
            year=year,
            issuer=issuer,
            unit=unit,
            pack_code=version.pack.code if version is not None else "",
            pack_version=version.version if version is not None else "",
            created_by=audit.user_of(actor),
            **terms,
        )
        _write_items(contract, items)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=contract,
            changes={
                "year": [None, year],
                "issuer": [None, issuer.code],
                "unit": [None, unit.code],
                "pack": [None, f"{contract.pack_code} {contract.pack_version}".strip()],
                "items": [None, len(items)],
            },
            message=_("Contract drawn up from the policy pack."),
        )
    return contract


@dataclass
class DrawResult:
    created: list[Contract] = field(default_factory=list)
    skipped: list[Unit] = field(default_factory=list)


def contracts_draw_all(*, actor: Any, issuer: Unit, year: int) -> DrawResult:
    """Draw up the contract of every unit directly below ``issuer`` that has none for
    ``year`` (the others are reported as skipped)."""
    require_in_scope(actor, issuer)
    _check_year(year)
    result = DrawResult()
    children = Unit.objects.filter(path__startswith=issuer.path, depth=issuer.depth + 1).order_by(
        "path"
    )
    taken = set(
        Contract.objects.filter(
            unit__in=children,
            year=year,
            status__in=[Contract.Status.DRAFT, Contract.Status.SIGNED],
        ).values_list("unit_id", flat=True)
    )
    with transaction.atomic():
        for child in children:
            if child.pk in taken:
                result.skipped.append(child)
                continue
            result.created.append(contract_draw(actor=actor, issuer=issuer, unit=child, year=year))
    return result


def _require_draft(contract: Contract) -> None:
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError(
            _("A signed contract cannot be changed: draw up a new version instead.")
        )


def contract_update(
    *,
    actor: Any,
    contract: Contract,
    items: Sequence[dict[str, Any]],
    total_points: float | None = None,
    flag_last_place: bool | None = None,
) -> Contract:
    """Replace the items (and the total) of a draft contract."""
    require_in_scope(actor, contract.issuer)
    _require_draft(contract)
    cleaned = clean_items(items)
    if total_points is not None and total_points <= 0:
        raise ValidationError({"total_points": _("The total must be greater than 0.")})
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        _require_draft(locked)
        before = _snapshot_items(locked)
        changes: dict[str, Any] = {}
        if total_points is not None and total_points != locked.total_points:
            changes["total_points"] = [locked.total_points, total_points]
            locked.total_points = total_points
        if flag_last_place is not None and flag_last_place != locked.flag_last_place:
            changes["flag_last_place"] = [locked.flag_last_place, flag_last_place]
            locked.flag_last_place = flag_last_place
        if before != cleaned:
            changes["items"] = [before, cleaned]
            locked.items.all().delete()
            _write_items(locked, cleaned)
        if changes:
            locked.save()
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    contract.total_points = locked.total_points
    contract.flag_last_place = locked.flag_last_place
    contract.updated_at = locked.updated_at
    return locked


def sign_problems(contract: Contract, items: Sequence[Any] | None = None) -> list[str]:
    """Why the contract cannot be signed yet (empty: it can)."""
    items = list(contract.items.all()) if items is None else list(items)
    problems = []
    if not items:
        problems.append(_("The contract has no items."))
    total = weights_sum(items)
    if abs(total - contract.total_points) > WEIGHT_TOLERANCE:
        problems.append(
            _("The items' weights add up to %(sum)s points, not the total of %(total)s.")
            % {"sum": _num(total), "total": _num(contract.total_points)}
        )
    return problems


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def contract_sign(
    *,
    actor: Any,
    contract: Contract,
    issuer_signatory: str,
    unit_signatory: str,
    signed_on: datetime.date | None,
) -> Contract:
    """Record the signing: who signed for each side and on which day. The contract
    becomes read-only; the version it supersedes (if any) is marked superseded."""
    require_in_scope(actor, contract.issuer)
    _require_draft(contract)
    errors: dict[str, list[str]] = {}
    issuer_signatory = (issuer_signatory or "").strip()
    unit_signatory = (unit_signatory or "").strip()
    if not issuer_signatory:
        errors["issuer_signatory"] = [_("Who signed for the issuing unit?")]
    if not unit_signatory:
        errors["unit_signatory"] = [_("Who signed for the responsible unit?")]
    if signed_on is None:
        errors["signed_on"] = [_("Give the day of the signing.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("The date is in the future.")]
    contract.refresh_from_db()
    problems = sign_problems(contract)
    if problems:
        errors["__all__"] = problems
    if errors:
        raise ValidationError(errors)
    workflow.transition(
        actor=actor,
        obj=contract,
        to=Contract.Status.SIGNED,
        params={
            "issuer_signatory": issuer_signatory,
            "unit_signatory": unit_signatory,
            "signed_on": signed_on,
        },
    )
    return contract


def signable(ctx: workflow.Context) -> None:
    """Guard of signing (on the locked draft): nothing changed that forbids it."""
    problems = sign_problems(ctx.obj)
    if problems:  # changed in between
        raise ValidationError(problems)


def record_signing(ctx: workflow.Context) -> None:
    """Hook of signing: the signatories written, the version in force superseded."""
    contract: Contract = ctx.obj
    old = Contract.objects.filter(
        unit=contract.unit_id, year=contract.year, status=Contract.Status.SIGNED
    ).first()
    if old is not None:
        workflow.transition(
            actor=ctx.actor,
            obj=old,
            to=Contract.Status.SUPERSEDED,
            message=_("Superseded by version %(version)s.") % {"version": contract.version},
        )
    signed_on = ctx.params["signed_on"]
    contract.issuer_signatory = ctx.params["issuer_signatory"]
    contract.unit_signatory = ctx.params["unit_signatory"]
    contract.signed_on = signed_on
    contract.signed_by = audit.user_of(ctx.actor)
    ctx.fields += ["issuer_signatory", "unit_signatory", "signed_on", "signed_by"]
    ctx.changes.update(
        issuer_signatory=[None, contract.issuer_signatory],
        unit_signatory=[None, contract.unit_signatory],
        signed_on=[None, signed_on.isoformat() if signed_on else None],
    )
    ctx.note = _("Contract signed.")


def contract_revise(*, actor: Any, contract: Contract) -> Contract:
    """A new draft version of a signed contract, with its items, to edit and sign; the
    signed version stays in force until then."""
    require_in_scope(actor, contract.issuer)
    if contract.status != Contract.Status.SIGNED:
        raise ValidationError(_("Only the signed contract in force can be revised."))
    if Contract.objects.filter(
        unit=contract.unit_id, year=contract.year, status=Contract.Status.DRAFT
    ).exists():
        raise ValidationError(_("A new version of this contract is being drawn up already."))
    items = _snapshot_items(contract)
    with transaction.atomic():
        latest = (
            Contract.objects.filter(unit=contract.unit_id, year=contract.year)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        new = Contract.objects.create(
            year=contract.year,
            issuer=contract.issuer,
            unit=contract.unit,
            version=(latest or contract.version) + 1,
            supersedes=contract,
            pack_code=contract.pack_code,
            pack_version=contract.pack_version,
            total_points=contract.total_points,
            bands=contract.bands,
            consequences=contract.consequences,
            composite=contract.composite,
            flag_last_place=contract.flag_last_place,
            created_by=audit.user_of(actor),
        )
        _write_items(new, items)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=new,
            changes={"supersedes": [None, contract.pk], "version": [None, new.version]},
            message=_("New version of a signed contract."),
        )
    return new


def contract_discard(*, actor: Any, contract: Contract) -> None:
    """Delete a draft (never a signed contract)."""
    require_in_scope(actor, contract.issuer)
    _require_draft(contract)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=contract,
            changes={"items": [_snapshot_items(contract), None]},
            message=_("Draft contract discarded."),
        )
        contract.items.all().delete()
        contract.delete()
