"""Planning (药具计划, SPEC §6, issue 6 item 7): the demand plan 《育龄妇女使用药具计划表》 and
suggested transfers between stores.

**Demand plan.** For every village or community (the units holding a village cabinet, and
every unit where married women of reproductive age live) and every product that serves a
contraceptive method: the users of the method (women aged 15–49 on ``as_of`` whose
current, not voided method record is that method), their yearly need (users × monthly
need × 12, rounded up to whole units), the consumption of the last twelve months (issues
to persons net of their reversals, from the stores in the unit) and the stock on hand.
The plan takes the larger of need and consumption and subtracts the stock:
planned = max(0, max(need, consumption) − on hand). Villages roll up to their township
(the 起报点) and townships to the county; a subtotal adds the villages' figures (and the
stores held at the township itself) and plans on the sums, so a village's surplus offsets
another's shortfall within the township.

**Suggested transfers.** From :func:`selectors.stock_levels`: a store below its minimum
(or stocked out) gets a transfer from its supplying store (the store at the nearest
ancestor unit holding one) up to its maximum months, limited by what the supplier holds
above its own minimum; an over-stocked store returns its surplus above the maximum. No
suggestion is made without an average monthly consumption.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from jisheng.commodities import selectors
from jisheng.commodities.choices import DocumentKind, StockStatus, StoreKind
from jisheng.commodities.models import LedgerLine, Product, Store
from jisheng.core.scope import path_in_scope, record_denied
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.people.choices import MARRIED_STATUSES, RESIDENT_STATUSES
from jisheng.people.models import PersonPeriod
from jisheng.people.selectors import (
    WRA_MAX_AGE,
    WRA_MIN_AGE,
    birth_range_for_ages,
    periods_as_of,
    years_before,
)
from jisheng.services.models import ContraceptionRecord

FIRST_YEAR = 2000
# Stores that supply others (preferred when a unit holds several stores).
SUPPLY_KINDS = (StoreKind.COUNTY_STATION, StoreKind.TOWNSHIP_WAREHOUSE)
TOWNSHIP_TYPES = (UnitType.TOWNSHIP, UnitType.STREET)


# --------------------------------------------------------------------------- the plan


@dataclass
class PlanRow:
    """One product's figures for one unit (a village, a township subtotal, the total)."""

    product: Product
    users: int = 0
    need: int = 0  # registry-based: users × monthly need × 12, rounded up
    consumption: int = 0  # issues to persons over the last twelve months
    on_hand: int = 0

    @property
    def basis(self) -> int:
        """The requirement the plan uses: the larger of need and consumption."""
        return max(self.need, self.consumption)

    @property
    def planned(self) -> int:
        return max(0, self.basis - self.on_hand)

    def add(self, other: PlanRow) -> None:
        self.users += other.users
        self.need += other.need
        self.consumption += other.consumption
        self.on_hand += other.on_hand


@dataclass
class PlanUnit:
    """A village (or the township's or county's own stores) and its row per product."""

    unit: Unit
    rows: list[PlanRow]
    own_stores: bool = False  # the stores held at a township or the county itself


@dataclass
class PlanGroup:
    """A township (起报点): its villages and the subtotal per product."""

    unit: Unit
    members: list[PlanUnit]
    subtotal: list[PlanRow]


@dataclass
class DemandPlan:
    unit: Unit
    year: int
    as_of: datetime.date
    consumption_from: datetime.date
    products: list[Product]
    groups: list[PlanGroup]
    total: list[PlanRow]

    def lines(self) -> Iterable[tuple[str, PlanUnit | PlanGroup | None, PlanRow]]:
        """Every row of the form in print order: ``(level, holder, row)`` with level
        ``unit``, ``subtotal`` or ``total``."""
        for group in self.groups:
            for member in group.members:
                for row in member.rows:
                    yield "unit", member, row
            for row in group.subtotal:
                yield "subtotal", group, row
        for row in self.total:
            yield "total", None, row


def check_year(year: Any, as_of: datetime.date) -> int:
    """The plan year as an int from :data:`FIRST_YEAR` to the year after ``as_of``'s;
    ``ValidationError`` on ``year`` otherwise."""
    last = as_of.year + 1
    text = str(year).strip() if year is not None else ""
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= last:
        raise ValidationError(
            {
                "year": _("“%(text)s” is not a year from %(first)d to %(last)d.")
                % {"text": text, "first": FIRST_YEAR, "last": last}
            }
        )
    return int(text)


def require_unit_in_scope(user: Any, unit: Unit) -> None:
    """PermissionDenied (audited) when ``unit`` lies outside the user's subtree."""
    if user is not None and not path_in_scope(unit.path, user):
        record_denied(user, unit)
        raise PermissionDenied(_("This unit is outside your data scope."))


def yearly_need(users: int, monthly_need: Decimal) -> int:
    """users × monthly need × 12, rounded up to whole units (0.33 a month → 4 a year)."""
    value = Decimal(users) * Decimal(monthly_need) * 12
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _wra_periods(root: Unit, as_of: datetime.date) -> QuerySet[PersonPeriod]:
    earliest, latest = birth_range_for_ages(as_of, WRA_MIN_AGE, WRA_MAX_AGE)
    return periods_as_of(as_of).filter(
        unit__path__startswith=root.path,
        status__in=RESIDENT_STATUSES,
        sex="F",
        birth_date__gte=earliest,
        birth_date__lte=latest,
    )


def current_methods(as_of: datetime.date) -> QuerySet[ContraceptionRecord]:
    """Method records in force on ``as_of``: not voided, started by then, not ended."""
    return ContraceptionRecord.objects.filter(voided_at__isnull=True, started_on__lte=as_of).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    )


def method_users(root: Unit, as_of: datetime.date) -> dict[tuple[int, str], int]:
    """``{(residence unit id, method): women}`` of reproductive age in ``root``'s subtree
    using each method on ``as_of`` (their latest current record counts), one query."""
    latest = (
        current_methods(as_of)
        .filter(person=OuterRef("person"))
        .order_by("-started_on", "-id")
        .values("method")[:1]
    )
    rows = (
        _wra_periods(root, as_of)
        .annotate(method=Subquery(latest))
        .filter(method__isnull=False)
        .values("unit_id", "method")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {(r["unit_id"], r["method"]): r["n"] for r in rows}


def issues_since(
    stores: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[tuple[int, int], int]:
    """``{(store id, product id): units issued to persons}`` over [start, end], net of
    reversals."""
    rows = (
        LedgerLine.objects.filter(store_id__in=list(stores), occurred_on__range=(start, end))
        .filter(
            Q(kind=DocumentKind.ISSUE)
            | Q(kind=DocumentKind.REVERSAL, original_kind=DocumentKind.ISSUE)
        )
        .values("store_id", "product_id")
        .annotate(q=Sum("quantity"))
    )
    return {(r["store_id"], r["product_id"]): -r["q"] for r in rows}


def _ancestor_path(path: str, depth: int) -> str:
    return path[: depth * Unit.steplen]


def _holder(path: str, plan_paths: list[str]) -> str | None:
    """The deepest plan unit path that is ``path`` or above it."""
    best = None
    for candidate in plan_paths:
        if path.startswith(candidate) and (best is None or len(candidate) > len(best)):
            best = candidate
    return best


def demand_plan(unit: Unit, year: Any, *, as_of: datetime.date, user: Any = None) -> DemandPlan:
    """The demand plan of ``unit``'s subtree for ``year`` from the figures on ``as_of``.

    ``user`` given: the unit must lie inside the user's subtree (PermissionDenied,
    audited, otherwise). ``year`` outside :data:`FIRST_YEAR` … the next year:
    ``ValidationError``.
    """
    require_unit_in_scope(user, unit)
    year = check_year(year, as_of)
    products = list(
        Product.objects.filter(active=True).exclude(method="").order_by("category", "code")
    )
    stores = list(Store.objects.filter(unit__path__startswith=unit.path).select_related("unit"))
    users = method_users(unit, as_of)
    married_units = set(
        _wra_periods(unit, as_of)
        .filter(marital_status__in=MARRIED_STATUSES)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    # Plan units: the cabinets' units, and where married women or method users live.
    cabinet_units = {s.unit_id for s in stores if s.kind == StoreKind.VILLAGE_CABINET}
    living = married_units | {unit_id for unit_id, _m in users}
    candidates = Unit.objects.in_bulk(cabinet_units | living)
    cabinet_paths = [candidates[i].path for i in cabinet_units]
    plan_units: dict[str, Unit] = {}
    for unit_id, candidate in candidates.items():
        if unit_id in cabinet_units or _holder(candidate.path, cabinet_paths) is None:
            plan_units[candidate.path] = candidate
    plan_paths = list(plan_units)

    consumption_from = years_before(as_of, 1) + datetime.timedelta(days=1)
    issued = issues_since([s.pk for s in stores], consumption_from, as_of)
    stock = selectors.stock_as_of(stores, as_of)

    # Group: the township (起报点) of each holder path; the root's own stores at the root.
    if unit.unit_type in TOWNSHIP_TYPES or unit.unit_type in (
        UnitType.VILLAGE,
        UnitType.COMMUNITY,
    ):
        group_depth = unit.depth
    else:
        group_depth = unit.depth + 1

    figures: dict[str, dict[int, PlanRow]] = defaultdict(dict)

    def row(path: str, product: Product) -> PlanRow:
        holder_rows = figures[path]
        if product.pk not in holder_rows:
            holder_rows[product.pk] = PlanRow(product)
        return holder_rows[product.pk]

    def holder_of(path: str) -> str:
        held = _holder(path, plan_paths)
        if held is not None:
            return held
        # Above every plan unit: the township's (or the root's) own stores.
        return _ancestor_path(path, min(group_depth, len(path) // Unit.steplen))

    by_method: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        by_method[product.method].append(product)
    for (unit_id, method), n in users.items():
        path = holder_of(candidates[unit_id].path)
        for product in by_method.get(method, []):
            row(path, product).users += n
    for store in stores:
        path = holder_of(store.unit.path)
        for product in products:
            r = row(path, product)
            r.consumption += issued.get((store.pk, product.pk), 0)
            r.on_hand += stock.get((store.pk, product.pk), 0)
    for path in plan_paths:
        for product in products:
            row(path, product)
    for holder_rows in figures.values():
        for r in holder_rows.values():
            r.need = yearly_need(r.users, r.product.monthly_need)

    holders = Unit.objects.in_bulk([p for p in figures if p not in plan_units], field_name="path")
    holders.update(plan_units)
    grouped: dict[str, list[PlanUnit]] = defaultdict(list)
    for path in sorted(figures):
        member = PlanUnit(
            unit=holders[path],
            rows=[figures[path][p.pk] for p in products],
            own_stores=path not in plan_units,
        )
        grouped[_ancestor_path(path, group_depth) or path].append(member)
    group_units = Unit.objects.in_bulk(list(grouped), field_name="path")
    groups = []
    total = [PlanRow(p) for p in products]
    for path in sorted(grouped):
        subtotal = [PlanRow(p) for p in products]
        for member in grouped[path]:
            for s, r in zip(subtotal, member.rows, strict=True):
                s.add(r)
        for t, s in zip(total, subtotal, strict=True):
            t.add(s)
        groups.append(PlanGroup(group_units[path], grouped[path], subtotal))
    return DemandPlan(
        unit=unit,
        year=year,
        as_of=as_of,
        consumption_from=consumption_from,
        products=products,
        groups=groups,
        total=total,
    )


# --------------------------------------------------------------------------- transfers


@dataclass
class Suggestion:
    """A transfer to propose: ``quantity`` of ``product`` from one store to another."""

    from_store: Store
    to_store: Store
    product: Product
    quantity: int
    reason: str
    kind: str = "supply"  # "supply" (to a store below its minimum) or "return" (surplus)
    level: selectors.StockLevel | None = None  # the level of the store in need / over


@dataclass
class NoSuggestion:
    """A store out of its min–max band for which nothing is proposed, and why."""

    store: Store
    product: Product
    status: str
    reason: str
    level: selectors.StockLevel | None = None

    @property
    def status_label(self) -> str:
        return str(StockStatus(self.status).label)


@dataclass
class TransferReview:
    suggestions: list[Suggestion] = field(default_factory=list)
    skipped: list[NoSuggestion] = field(default_factory=list)


def _pick(candidates: list[Store], exclude: Store) -> Store | None:
    others = [s for s in candidates if s.pk != exclude.pk and s.active]
    others.sort(key=lambda s: (s.kind not in SUPPLY_KINDS, s.code))
    return others[0] if others else None


def supplying_stores(stores: list[Store]) -> dict[int, Store | None]:
    """``{store id: its supplying store}``: a supply store (county station, township
    warehouse) at the store's own unit for any other store, else the store at the
    nearest ancestor unit holding one (supply kinds first); None at the top."""
    paths = set()
    for store in stores:
        path = store.unit.path
        for depth in range(1, len(path) // Unit.steplen + 1):
            paths.add(_ancestor_path(path, depth))
    at: dict[str, list[Store]] = defaultdict(list)
    for candidate in Store.objects.filter(unit__path__in=paths, active=True).select_related("unit"):
        at[candidate.unit.path].append(candidate)
    out: dict[int, Store | None] = {}
    for store in stores:
        path = store.unit.path
        supplier = None
        if store.kind not in SUPPLY_KINDS:
            supplier = _pick([s for s in at[path] if s.kind in SUPPLY_KINDS], store)
        depth = len(path) // Unit.steplen - 1
        while supplier is None and depth >= 1:
            supplier = _pick(at[_ancestor_path(path, depth)], store)
            depth -= 1
        out[store.pk] = supplier
    return out


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def transfer_review(
    stores: QuerySet[Store] | Iterable[Store], as_of: datetime.date
) -> TransferReview:
    """The suggested transfers for ``stores`` on ``as_of`` and, for every store out of
    its band left without one, the reason."""
    stores = [s for s in stores if s.active]
    suppliers = supplying_stores(stores)
    everyone = {s.pk: s for s in stores}
    for supplier in suppliers.values():
        if supplier is not None:
            everyone.setdefault(supplier.pk, supplier)
    levels = {
        (lv.store.pk, lv.product.pk): lv
        for lv in selectors.stock_levels(list(everyone.values()), as_of)
    }
    wanted = {s.pk for s in stores}
    # What each supplier can still give: on hand above its minimum.
    spare: dict[tuple[int, int], int] = {}

    def available(supplier: Store, product: Product) -> int:
        key = (supplier.pk, product.pk)
        if key not in spare:
            lv = levels.get(key)
            if lv is None:
                spare[key] = 0
            else:
                reserve = 0
                if lv.amc and lv.min_months is not None:
                    reserve = _ceil(lv.min_months * lv.amc)
                spare[key] = max(0, lv.on_hand - reserve)
        return spare[key]

    review = TransferReview()
    ordered = sorted(
        (lv for key, lv in levels.items() if key[0] in wanted),
        key=lambda lv: (lv.store.unit.path, lv.store.code, lv.product.category, lv.product.code),
    )
    for lv in ordered:
        store, product = lv.store, lv.product
        if lv.status not in (StockStatus.STOCK_OUT, StockStatus.UNDER, StockStatus.OVER):
            continue
        supplier = suppliers.get(store.pk)

        def skip(reason: str, lv: selectors.StockLevel = lv) -> None:
            review.skipped.append(NoSuggestion(lv.store, lv.product, lv.status, reason, lv))

        if not lv.amc:
            skip(
                _(
                    "No consumption history in the last %(months)d months: the average "
                    "monthly consumption is unknown, so no quantity can be worked out."
                )
                % {"months": selectors.CONSUMPTION_MONTHS}
            )
            continue
        if lv.max_months is None:
            skip(_("The store has no maximum stock set (nor does the policy pack)."))
            continue
        if supplier is None:
            skip(_("No store above this one supplies it: order from the higher level."))
            continue
        if lv.status == StockStatus.OVER:
            surplus = _floor(Decimal(lv.on_hand) - lv.max_months * lv.amc)
            if surplus <= 0:
                continue
            review.suggestions.append(
                Suggestion(
                    from_store=store,
                    to_store=supplier,
                    product=product,
                    quantity=surplus,
                    reason=_(
                        "Over-stocked: %(months)s months of stock, above the maximum of "
                        "%(max)s months; return the surplus."
                    )
                    % {"months": lv.months, "max": lv.max_months},
                    kind="return",
                    level=lv,
                )
            )
            continue
        wanted_quantity = _ceil(lv.max_months * lv.amc - lv.on_hand)
        if wanted_quantity <= 0:
            continue
        can_give = available(supplier, product)
        if can_give <= 0:
            skip(
                _("%(supplier)s holds nothing above its own minimum stock.")
                % {"supplier": supplier.name}
            )
            continue
        quantity = min(wanted_quantity, can_give)
        spare[(supplier.pk, product.pk)] = can_give - quantity
        if lv.status == StockStatus.STOCK_OUT:
            reason = _("Stocked out; this brings it up to %(max)s months of stock.") % {
                "max": lv.max_months
            }
        else:
            reason = _(
                "Under-stocked: %(months)s months of stock, below the minimum of %(min)s; "
                "this brings it up to %(max)s months."
            ) % {"months": lv.months, "min": lv.min_months, "max": lv.max_months}
        if quantity < wanted_quantity:
            reason += " " + _(
                "Limited to what %(supplier)s holds above its minimum (%(wanted)d wanted)."
            ) % {"supplier": supplier.name, "wanted": wanted_quantity}
        review.suggestions.append(
            Suggestion(
                from_store=supplier,
                to_store=store,
                product=product,
                quantity=quantity,
                reason=reason,
                level=lv,
            )
        )
    return review


def suggested_transfers(
    stores: QuerySet[Store] | Iterable[Store], as_of: datetime.date
) -> list[Suggestion]:
    """The transfers that bring ``stores`` back between their minimum and maximum."""
    return transfer_review(stores, as_of).suggestions
