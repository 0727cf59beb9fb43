"""Reads of the commodities app: stock as of a date, FEFO, consumption, months of stock,
stock status and alerts.

Stock as of a date comes from the calculated balances (one index probe per card: the
latest day not after the date), not from summing the ledger; :func:`ledger_check`
verifies that both agree.

Consumption and status follow OpenLMIS: the consumption of a store is what leaves it to
be used (issues to persons and transfers out to the stores it supplies, net of
reversals), over the last ``M`` whole months; each month's consumption is adjusted for
the days the product was out of stock — adjusted = consumed × 30·M ÷ (30·M − stock-out
days); months of stock = on hand ÷ average monthly (adjusted) consumption; the status is
stock-out (0 on hand), under-stocked (below the minimum months), over-stocked (above
the maximum), adequate, or unknown when there is no consumption history.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce

from jisheng.commodities.choices import DocumentKind, StockStatus, TransferStatus
from jisheng.commodities.models import (
    CalculatedStock,
    Document,
    LedgerLine,
    Product,
    StockCard,
    Store,
)
from jisheng.core.periods import month_start
from jisheng.core.scope import restrict, restrict_within
from jisheng.policy.schema import PolicyPackSchema
from jisheng.policy.selectors import pack_in_force, packs_in_force

CONSUMPTION_MONTHS = 3
# What counts as consumption at a store: what leaves it to be used further down.
CONSUMED_KINDS = (DocumentKind.ISSUE, DocumentKind.TRANSFER_OUT)


def stores_visible(user: Any, unit: Any | None = None) -> QuerySet[Store]:
    """The stores inside the user's subtree (and ``unit``'s, when given)."""
    return restrict_within(Store.objects.select_related("unit"), user, unit)


def documents_visible(user: Any) -> QuerySet[Document]:
    return restrict(Document.objects.select_related("store", "store__unit"), user)


# --- stock as of a date -------------------------------------------------------------------


def cards_as_of(stores: QuerySet[Store] | Iterable[Store], as_of: datetime.date) -> QuerySet:
    """The cards of ``stores`` opened by ``as_of``, annotated ``balance`` (their stock at
    the end of that day)."""
    latest = (
        CalculatedStock.objects.filter(card=OuterRef("pk"), day__lte=as_of)
        .order_by("-day")
        .values("on_hand")[:1]
    )
    store_ids = stores.values("pk") if isinstance(stores, QuerySet) else [s.pk for s in stores]
    # A card that has not moved since ``as_of`` holds ``on_hand`` then: only the cards
    # that moved later need the look-up (most cards of past lots are empty and still).
    moved_later = Q(last_moved_on__gt=as_of) | Q(last_moved_on__isnull=True)
    return StockCard.objects.filter(store__in=store_ids, opened_on__lte=as_of).annotate(
        balance=Case(
            When(moved_later, then=Coalesce(Subquery(latest, output_field=IntegerField()), 0)),
            default=F("on_hand"),
        )
    )


def stock_as_of(
    stores: QuerySet[Store] | Iterable[Store], as_of: datetime.date, *, by_lot: bool = False
) -> dict[tuple[int, ...], int]:
    """Stock at the end of ``as_of``: ``{(store_id, product_id): on_hand}``, or with
    ``by_lot`` ``{(store_id, product_id, lot_id): on_hand}`` (zero balances left out)."""
    rows = (
        cards_as_of(stores, as_of)
        .filter(Q(on_hand__gt=0) | Q(last_moved_on__gt=as_of) | Q(last_moved_on__isnull=True))
        .values_list("store_id", "product_id", "lot_id", "balance")
    )
    out: dict[tuple[int, ...], int] = defaultdict(int)
    for store_id, product_id, lot_id, balance in rows:
        if balance:
            key = (store_id, product_id, lot_id) if by_lot else (store_id, product_id)
            out[key] += balance
    return dict(out)


def stock_today(store: Store) -> list[StockCard]:
    """The cards of ``store`` holding stock now, by product then FEFO."""
    return list(
        StockCard.objects.filter(store=store, on_hand__gt=0)
        .select_related("product", "lot")
        .order_by("product__category", "product__code", "lot__expires_on", "lot__number")
    )


def ledger_check(stores: QuerySet[Store] | None = None) -> list[dict[str, Any]]:
    """Cards whose balance differs from the sum of their lines (should be none)."""
    cards = StockCard.objects.all()
    if stores is not None:
        cards = cards.filter(store__in=stores.values("pk"))
    sums = dict(
        LedgerLine.objects.filter(card__in=cards.values("pk"))
        .values("card_id")
        .annotate(total=Sum("quantity"))
        .values_list("card_id", "total")
    )
    return [
        {"card": card_id, "on_hand": on_hand, "lines": sums.get(card_id, 0)}
        for card_id, on_hand in cards.values_list("pk", "on_hand")
        if sums.get(card_id, 0) != on_hand
    ]


def in_transit(stores: QuerySet[Store]) -> QuerySet[Document]:
    """Transfers sent to ``stores`` and not yet received."""
    return Document.objects.filter(
        kind=DocumentKind.TRANSFER_OUT,
        transfer_status=TransferStatus.IN_TRANSIT,
        counterpart__in=stores.values("pk"),
    ).select_related("store", "counterpart")


# --- consumption, months of stock and status -------------------------------------------


@dataclass
class StockLevel:
    store: Store
    product: Product
    on_hand: int
    consumed: int  # over the window, as recorded
    stock_out_days: int
    window_days: int
    amc: Decimal | None  # adjusted average monthly consumption
    months: Decimal | None  # months of stock
    min_months: Decimal | None
    max_months: Decimal | None
    status: str


def _daily_product_balances(
    store_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[tuple[int, int], list[tuple[datetime.date, int]]]:
    """Per (store, product): the balance at the end of ``start - 1`` as the first entry,
    then the balance after each day with movements in [start, end]."""
    opening = stock_as_of(Store.objects.filter(pk__in=store_ids), start - datetime.timedelta(1))
    changes = (
        LedgerLine.objects.filter(store_id__in=store_ids, occurred_on__range=(start, end))
        .values("store_id", "product_id", "occurred_on")
        .annotate(q=Sum("quantity"))
        .order_by("store_id", "product_id", "occurred_on")
    )
    out: dict[tuple[int, int], list[tuple[datetime.date, int]]] = {}
    for key, balance in opening.items():
        out[key] = [(start - datetime.timedelta(1), balance)]
    for row in changes:
        key = (row["store_id"], row["product_id"])
        series = out.setdefault(key, [(start - datetime.timedelta(1), 0)])
        series.append((row["occurred_on"], series[-1][1] + row["q"]))
    return out


def stock_out_days(
    series: list[tuple[datetime.date, int]], start: datetime.date, end: datetime.date
) -> int:
    """Days in [start, end] that ended with nothing on hand, from a balance series."""
    days = 0
    for i, (day, balance) in enumerate(series):
        if balance > 0:
            continue
        seg_start = max(start, day + datetime.timedelta(1)) if i == 0 else max(start, day)
        seg_end = series[i + 1][0] - datetime.timedelta(1) if i + 1 < len(series) else end
        seg_end = min(seg_end, end)
        if seg_end >= seg_start:
            days += (seg_end - seg_start).days + 1
    return days


def adjusted_consumption(consumed: int, months: int, stock_out: int) -> Decimal | None:
    """OpenLMIS: consumed × 30·M ÷ (30·M − stock-out days); None when stocked out all
    the time (nothing can be inferred)."""
    total = 30 * months
    available = total - min(stock_out, total)
    if available <= 0:
        return None
    return Decimal(consumed) * total / available


def _bounds(store: Store, pack: PolicyPackSchema | None) -> tuple[Decimal | None, Decimal | None]:
    """The store's minimum and maximum months, else those of ``pack`` (its unit's)."""
    low, high = store.min_months, store.max_months
    if low is None or high is None:
        settings = pack.commodities if pack is not None else None
        if settings is not None:
            if low is None and settings.stock_months_min is not None:
                low = Decimal(settings.stock_months_min)
            if high is None and settings.stock_months_max is not None:
                high = Decimal(settings.stock_months_max)
    return low, high


def status_of(
    on_hand: int, months: Decimal | None, low: Decimal | None, high: Decimal | None
) -> str:
    if on_hand <= 0:
        return StockStatus.STOCK_OUT
    if months is None:
        return StockStatus.UNKNOWN
    if low is not None and months < low:
        return StockStatus.UNDER
    if high is not None and months > high:
        return StockStatus.OVER
    return StockStatus.ADEQUATE


def stock_levels(
    stores: QuerySet[Store] | Iterable[Store],
    as_of: datetime.date,
    *,
    months: int = CONSUMPTION_MONTHS,
) -> list[StockLevel]:
    """Every (store, product) that the stores hold or have held by ``as_of``: on hand,
    adjusted average monthly consumption over the ``months`` whole months before
    ``as_of``'s month, months of stock and status."""
    stores = list(stores)
    by_id = {s.pk: s for s in stores}
    ids = list(by_id)
    start = month_start(as_of, back=months)
    end = month_start(as_of) - datetime.timedelta(1)
    on_hand = stock_as_of(stores, as_of)
    consumed = dict(
        ((r["store_id"], r["product_id"]), -r["q"])
        for r in LedgerLine.objects.filter(store_id__in=ids, occurred_on__range=(start, end))
        .filter(_consumed_q())
        .values("store_id", "product_id")
        .annotate(q=Sum("quantity"))
    )
    series = _daily_product_balances(ids, start, end)
    pairs = set(
        StockCard.objects.filter(store_id__in=ids, opened_on__lte=as_of)
        .values_list("store_id", "product_id")
        .distinct()
    )
    products = Product.objects.in_bulk({p for _s, p in pairs})
    packs = packs_in_force(
        {s.unit_id: s.unit for s in stores if s.min_months is None or s.max_months is None}.values()
    )
    bounds = {s.pk: _bounds(s, packs.get(s.unit_id)) for s in stores}
    window = (end - start).days + 1
    levels = []
    for store_id, product_id in sorted(pairs, key=lambda k: (by_id[k[0]].unit.path, k)):
        stock = on_hand.get((store_id, product_id), 0)
        used = consumed.get((store_id, product_id), 0)
        history = series.get((store_id, product_id))
        out_days = window if history is None else stock_out_days(history, start, end)
        amc = None
        if used > 0:
            adjusted = adjusted_consumption(used, months, out_days)
            amc = None if adjusted is None else adjusted / months
        mos = None if not amc else (Decimal(stock) / amc).quantize(Decimal("0.1"))
        low, high = bounds[store_id]
        levels.append(
            StockLevel(
                store=by_id[store_id],
                product=products[product_id],
                on_hand=stock,
                consumed=used,
                stock_out_days=out_days,
                window_days=window,
                amc=None if amc is None else amc.quantize(Decimal("0.1")),
                months=mos,
                min_months=low,
                max_months=high,
                status=status_of(stock, mos, low, high),
            )
        )
    return levels


def _consumed_q():
    from django.db.models import Q

    return Q(kind__in=CONSUMED_KINDS) | Q(
        kind=DocumentKind.REVERSAL, original_kind__in=CONSUMED_KINDS
    )


def expiring_lots(
    stores: QuerySet[Store], today: datetime.date, days: int | None = None
) -> list[StockCard]:
    """Cards with stock whose lot expires within ``days`` (the pack's alert window) or
    has expired, soonest first."""
    if days is None:
        pack = None
        first = stores.first()
        if first is not None:
            pack = pack_in_force(first.unit)
        days = pack.expiry_alert_days if pack is not None else 90
    limit = today + datetime.timedelta(days=days)
    return list(
        StockCard.objects.filter(
            store__in=stores.values("pk"), on_hand__gt=0, lot__expires_on__lte=limit
        )
        .select_related("store", "product", "lot")
        .order_by("lot__expires_on", "store__code")
    )


def transfer_targets(*, user: Any, store: Store) -> QuerySet[Store]:
    """The open stores that may receive a transfer from ``store`` sent by ``user``: those
    in the user's scope, and those of the store's parent unit and child units (a
    township sends to its villages and back to the county). The issue note offers these
    and ``services.transfer_send`` refuses any other; ``user`` None (the system): any."""
    if user is None:
        return Store.objects.filter(active=True).select_related("unit")
    unit = store.unit
    family = Q(unit__path__startswith=unit.path, unit__depth=unit.depth + 1)
    parent = unit.parent_unit
    if parent is not None:
        family |= Q(unit=parent)
    ids = set(restrict(Store.objects.all(), user).values_list("pk", flat=True))
    ids |= set(Store.objects.filter(family).values_list("pk", flat=True))
    return Store.objects.filter(pk__in=ids, active=True).select_related("unit")
