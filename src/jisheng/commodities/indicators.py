"""The indicators of the commodities app (药具), registered with the indicator engine by
:func:`register` (from ``CommoditiesConfig.ready()``):

- **CYP of the commodities issued to persons**: the population ``commodities_issued``
  (ledger lines of issues to persons within the period, net of their reversals), whose
  ``measure`` is the quantity issued in items of the CYP factor table (quantity ×
  ``Product.cyp_items_per_unit``; an issue line is negative and its reversal positive,
  so the measure is −quantity × items), with one filter per CYP item (the products whose
  ``cyp_item`` is that item), added to the catalogue's ``cyp`` with
  :func:`jisheng.indicators.cyp.add_source` for pill cycles, condoms and injectable
  doses. Counted for the unit of the store that issued.
- **账物相符率** ``count_accuracy``: the lines of the physical counts approved within
  the period whose counted quantity equals the books ÷ all their lines (population
  ``count_lines``, counted for the unit of the counted store).
- **药具断货率** ``stock_out_rate``: store-days without stock ÷ store-days, a time integral
  over the balances that no aggregate over rows gives: the population ``store_days`` is
  counted by a function (the engine's ``Population.counter``), per unit holding stores,
  and adds up the tree like any count.

The existing ``commodity_followup_rate`` 药具随访服务率 is the catalogue's own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import F, Q, Value
from django.utils import timezone

from jisheng.commodities import selectors
from jisheng.commodities.choices import DocumentKind
from jisheng.commodities.counts import counted_lines
from jisheng.commodities.models import CountLine, LedgerLine, StockCard, Store
from jisheng.core.periods import Period
from jisheng.indicators import catalogue, cyp, engine
from jisheng.indicators.engine import WITHIN, Indicator, Population, T
from jisheng.indicators.models import CypFactor
from jisheng.orgs.models import Unit
from jisheng.policy.measures import SERVICE

ISSUED = "commodities_issued"
COUNT_LINES = "count_lines"
STORE_DAYS = "store_days"
WITHOUT_STOCK = "without_stock"

# The items of the CYP factor table that commodities issued to persons give.
CYP_ITEMS: dict[str, str] = {
    CypFactor.Item.PILL_CYCLE: "口服避孕药（板）",
    CypFactor.Item.CONDOM: "避孕套（只）",
    CypFactor.Item.INJECTABLE_DOSE: "避孕针（支）",
}


def _in_period(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.first, f"{field}__lte": period.last})


def _issued(period: Period, day: datetime.date | None) -> Q:
    return _in_period("occurred_on", period) & (
        Q(kind=DocumentKind.ISSUE) | Q(kind=DocumentKind.REVERSAL, original_kind=DocumentKind.ISSUE)
    )


def _item_filter(item: str) -> Any:
    return lambda p, d: Q(product__cyp_item=item)


ISSUED_POPULATION = Population(
    name=ISSUED,
    label="期内发放给个人的药具（按 CYP 折算表的计量单位，冲销相抵）",
    model=LedgerLine,
    base=_issued,
    filters={item: _item_filter(item) for item in CYP_ITEMS},
    path_field="store__unit__path",
    person_field="document__person_id",
    # −quantity × items per unit: issues are negative lines, their reversals positive.
    measure=F("quantity") * F("product__cyp_items_per_unit") * Value(-1),  # type: ignore[arg-type]
)


def _approved_lines(period: Period, day: datetime.date | None) -> Q:
    return counted_lines(period.first, period.last)


COUNT_POPULATION = Population(
    name=COUNT_LINES,
    label="期内盘点并已审核的盘点表行（每个批次一行）",
    model=CountLine,
    base=_approved_lines,
    filters={"matches": lambda p, d: Q(counted=F("book"))},
    path_field="count__store__unit__path",
    # No person is behind a count line: the count's adjustment document never names one
    # (always NULL), so the drill-down lists nobody.
    person_field="count__adjustment__person_id",
)

COUNT_ACCURACY = Indicator(
    id="count_accuracy",
    name_zh="账物相符率",
    unit="%",
    measures=SERVICE,
    numerator=(T(COUNT_LINES, "matches"),),
    denominator=(T(COUNT_LINES),),
    scale=100,
    semantics=WITHIN,
    definition_zh="盘点日期在期内且已审核过账的盘点中，实盘数量与账面数量相符的批次行数 ÷ "
    "这些盘点的批次行数 × 100%（按盘点药具库所属单位统计）。考核的是药具管理工作，"
    "不针对个人。",
)


def _nothing(period: Period, day: datetime.date | None) -> Q:
    return Q()


# Store-days are counted by a function (``store_days``), not over rows: the model, base
# and filter below only name the population for the engine's checks.
STORE_DAYS_POPULATION = Population(
    name=STORE_DAYS,
    label="期内各药具库（柜）× 所存品种的天数（期初已有该品种的库存卡）",
    model=StockCard,
    base=_nothing,
    filters={WITHOUT_STOCK: _nothing},
    path_field="store__unit__path",
    counter=lambda period, root, sets: store_days(period, root, sets),
)

STOCK_OUT_RATE = Indicator(
    id="stock_out_rate",
    name_zh="药具断货率",
    unit="%",
    measures=SERVICE,
    numerator=(T(STORE_DAYS, WITHOUT_STOCK),),
    denominator=(T(STORE_DAYS),),
    scale=100,
    semantics=WITHIN,
    definition_zh="期内（至今天为止）各药具库（柜）所存每个品种日终库存为零的天数之和 ÷ "
    "这些库（柜）× 品种的天数之和 × 100%；只计期初已有该品种库存卡的库（柜），"
    "按药具库所属单位统计。考核的是药具供应工作，不针对个人。",
)


def register() -> None:
    """Add the populations, the CYP sources and ``count_accuracy`` to the engine (once)."""
    for population in (ISSUED_POPULATION, COUNT_POPULATION, STORE_DAYS_POPULATION):
        if population.name not in engine.POPULATIONS:
            engine.register_population(population)
    for item, label in CYP_ITEMS.items():
        source = cyp.CypSource(ISSUED, (item,), item, f"发放{label}")
        if not any(s.term.key == source.term.key for s in cyp.SOURCES):
            cyp.add_source(source)
    for indicator in (COUNT_ACCURACY, STOCK_OUT_RATE):
        if indicator.id not in catalogue.BY_ID:
            catalogue.register(indicator)


# --------------------------------------------------------------------------- stock-out rate


def stock_out_days_by_pair(
    stores: list[Store], start: datetime.date, end: datetime.date
) -> dict[tuple[int, int], tuple[int, int]]:
    """Per (store, product) pair whose first card was opened by ``start``: (days in
    [start, end] that ended with nothing on hand, days in [start, end])."""
    ids = [s.pk for s in stores]
    if not ids or end < start:
        return {}
    pairs = set(
        StockCard.objects.filter(store_id__in=ids, opened_on__lte=start)
        .values_list("store_id", "product_id")
        .distinct()
    )
    series = selectors._daily_product_balances(ids, start, end)
    window = (end - start).days + 1
    out = {}
    for pair in pairs:
        history = series.get(pair)
        out[pair] = (
            window if history is None else selectors.stock_out_days(history, start, end),
            window,
        )
    return out


def store_days(period: Period, root: Unit, filter_sets: Any) -> engine.Counted:
    """The counter of the ``store_days`` population: per unit holding stores in
    ``root``'s subtree, its store-days over ``period`` up to today (``()``) and those
    that ended with nothing on hand (``("without_stock",)``), for every store × product
    pair whose first stock card was opened by the period's first day."""
    end = min(period.last, timezone.localdate())
    stores = list(Store.objects.filter(unit__path__startswith=root.path).only("pk", "unit_id"))
    unit_of = {store.pk: store.unit_id for store in stores}
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (store_id, _product), (out_days, days) in stock_out_days_by_pair(
        stores, period.first, end
    ).items():
        totals[unit_of[store_id]][0] += out_days
        totals[unit_of[store_id]][1] += days
    return {
        unit_id: {(WITHOUT_STOCK,): out_days, (): days}
        for unit_id, (out_days, days) in totals.items()
    }
