"""The commodity reports (药具报表, issue 6 item 8): the stock-status report and three
statistics forms, for any unit and period.

- :func:`stock_status`: per store and product, opening + receipts + transfers in −
  issues − transfers out − write-offs ± adjustments = closing, and what was in transit
  to the stores at the period's end; rolled up per product. One grouped query over the
  ledger lines of the period, the balances at both ends from the calculated stock
  (``selectors.stock_as_of``) and one grouped query for the transit. A reversal line is
  netted into the column of the kind it reverses (reversals are dated on the original's
  day, so a reversed document vanishes from its period).
- :func:`users_form` 《服用、使用各类避孕药品、药具人数统计表》, :func:`effect_form`
  《免费发放药具使用效果统计表》 and :func:`methods_form` 《计划生育避孕节育措施基本情况统计表》:
  rows are the unit's child units and a total row (a unit without children: itself),
  built on the statistical-form core (:mod:`jisheng.core.statforms`: ``Form``, ``Rows``,
  ``report_units``, the Excel and print layout); only their definitions are here.
  The populations are the indicator engine's (residents on the period's last day,
  women aged 15–49, married), so the figures agree with the dashboard; the rates of the
  methods form come from the engine itself.

A method failure is a (not voided) record of the method that ended within the period
and was followed, on its end day, by a record whose reason is "method failure"
(``ChangeReason.FAILURE``: the reason of a change is kept on the record that follows).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from jisheng.commodities import selectors
from jisheng.commodities.choices import Category, DocumentKind
from jisheng.commodities.models import AdverseReaction, Document, LedgerLine, Product, Store
from jisheng.core.periods import Period
from jisheng.core.statforms import Form, FormRow, Rows
from jisheng.indicators import catalogue, engine
from jisheng.orgs.models import Unit
from jisheng.policy.choices import Method
from jisheng.services.choices import ChangeReason
from jisheng.services.models import ContraceptionRecord

STEPLEN = engine.STEPLEN

# --------------------------------------------------------------------------- stock status

IN_COLUMNS = ("receipts", "transfers_in")
OUT_COLUMNS = ("issues", "transfers_out", "write_offs")
COLUMN_OF_KIND = {
    DocumentKind.RECEIPT: "receipts",
    DocumentKind.TRANSFER_IN: "transfers_in",
    DocumentKind.ISSUE: "issues",
    DocumentKind.TRANSFER_OUT: "transfers_out",
    DocumentKind.WRITE_OFF: "write_offs",
    DocumentKind.ADJUSTMENT: "adjustments",
}


@dataclass
class StockRow:
    """One product at one store (``store`` None: the unit's total of the product).
    Out-going columns are shown as positive numbers; adjustments are signed."""

    store: Store | None
    product: Product
    opening: int = 0
    receipts: int = 0
    transfers_in: int = 0
    issues: int = 0
    transfers_out: int = 0
    write_offs: int = 0
    adjustments: int = 0
    closing: int = 0
    in_transit: int = 0

    @property
    def expected_closing(self) -> int:
        return (
            self.opening
            + self.receipts
            + self.transfers_in
            - self.issues
            - self.transfers_out
            - self.write_offs
            + self.adjustments
        )

    @property
    def balanced(self) -> bool:
        return self.expected_closing == self.closing

    def add(self, other: StockRow) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


FIGURES = (
    "opening",
    "receipts",
    "transfers_in",
    "issues",
    "transfers_out",
    "write_offs",
    "adjustments",
    "closing",
    "in_transit",
)


@dataclass
class StockStatus:
    start: datetime.date
    end: datetime.date
    stores: list[Store]
    rows: list[StockRow]  # per store and product
    totals: list[StockRow]  # per product, all the stores

    @property
    def unbalanced(self) -> list[StockRow]:
        return [r for r in self.rows + self.totals if not r.balanced]


def _in_transit(ids: list[int], end: datetime.date) -> dict[tuple[int, int], int]:
    """Per (receiving store, product): sent to the stores by ``end`` (transfer not
    reversed) and not received by ``end`` (no transfer-in record, not reversed, dated on
    or before ``end``). A partly received transfer is no longer in transit: what did
    not arrive is recorded on its transfer-in record as damaged or missing."""
    received = Document.objects.filter(
        transfer_id=OuterRef("pk"),
        kind=DocumentKind.TRANSFER_IN,
        occurred_on__lte=end,
        reversed_by__isnull=True,
    )
    # Driven by the transfers addressed to the stores (index on the counterpart), not by
    # the lines of every transfer ever sent.
    pending = Document.objects.filter(
        kind=DocumentKind.TRANSFER_OUT,
        counterpart_id__in=ids,
        occurred_on__lte=end,
        reversed_by__isnull=True,
    ).filter(~Exists(received))
    rows = (
        LedgerLine.objects.filter(document_id__in=pending.values("pk"))
        .order_by()
        .values("document__counterpart_id", "product_id")
        .annotate(q=Sum("quantity"))
    )
    return {(r["document__counterpart_id"], r["product_id"]): -r["q"] for r in rows}


def stock_status(
    stores: QuerySet[Store] | Iterable[Store], start: datetime.date, end: datetime.date
) -> StockStatus:
    """The stock-status report of ``stores`` for the days ``start`` … ``end``."""
    if start > end:
        raise ValueError(_("The period ends before it starts."))
    stores = list(stores.select_related("unit") if isinstance(stores, QuerySet) else stores)
    by_id = {s.pk: s for s in stores}
    ids = list(by_id)
    opening = selectors.stock_as_of(stores, start - datetime.timedelta(days=1))
    closing = selectors.stock_as_of(stores, end)
    moves = (
        LedgerLine.objects.filter(store_id__in=ids, occurred_on__range=(start, end))
        .order_by()
        .values("store_id", "product_id", "kind", "original_kind")
        .annotate(q=Sum("quantity"))
    )
    transit = _in_transit(ids, end)
    rows: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for key, value in opening.items():
        rows[key]["opening"] = value
    for key, value in closing.items():
        rows[key]["closing"] = value
    for key, value in transit.items():
        rows[key]["in_transit"] = value
    for m in moves:
        kind = m["original_kind"] if m["kind"] == DocumentKind.REVERSAL else m["kind"]
        column = COLUMN_OF_KIND.get(kind)
        if column is None:  # not a kind of movement: shows as an unbalanced row
            continue
        quantity = -m["q"] if column in OUT_COLUMNS else m["q"]
        rows[(m["store_id"], m["product_id"])][column] += quantity
    products = Product.objects.in_bulk({p for _s, p in rows})
    out = [
        StockRow(store=by_id[s], product=products[p], **figures)
        for (s, p), figures in rows.items()
        if any(figures.values())
    ]
    out.sort(
        key=lambda r: (r.store.unit.path, r.store.code, r.product.category, r.product.code)  # type: ignore[union-attr]
    )
    totals: dict[int, StockRow] = {}
    for row in out:
        total = totals.setdefault(row.product.pk, StockRow(store=None, product=row.product))
        total.add(row)
    total_rows = sorted(totals.values(), key=lambda r: (r.product.category, r.product.code))
    return StockStatus(start=start, end=end, stores=stores, rows=out, totals=total_rows)


# --------------------------------------------------------------------------- the forms

# The methods whose users receive commodities, and the category of their products.
COMMODITY_METHODS: tuple[tuple[str, str], ...] = (
    (Method.PILL, Category.ORAL),
    (Method.INJECTABLE, Category.INJECTABLE),
    (Method.IMPLANT, Category.IMPLANT),
    (Method.CONDOM, Category.CONDOM),
    (Method.TOPICAL, Category.TOPICAL),
)
METHOD_OF_CATEGORY = {c: m for m, c in COMMODITY_METHODS}
METHOD_OF_CATEGORY[Category.IUD] = Method.IUD
# The columns of the methods form (other = any other method recorded).
FORM_METHODS = (
    Method.IUD,
    Method.FEMALE_STERILISATION,
    Method.MALE_STERILISATION,
    Method.IMPLANT,
    Method.INJECTABLE,
    Method.PILL,
    Method.CONDOM,
    Method.TOPICAL,
    Method.OTHER,
)

TITLES = {
    "users": "服用、使用各类避孕药品、药具人数统计表",
    "effect": "免费发放药具使用效果统计表",
    "methods": "计划生育避孕节育措施基本情况统计表",
    "stock": "药具库存情况报表",
}


def _women_by_method(rows: Rows, period: Period, *, married_only: bool) -> None:
    """Women aged 15–49 living in the unit on the period's last day (registered or
    in-migrant: the engine's ``residents``), counted by unit and current method
    (``method:<m>``) and, for all of them, ``women``. One grouped query."""
    day = period.last
    residents = engine.POPULATIONS["residents"]
    names = ("married_wra",) if married_only else ("wra",)
    current = (
        ContraceptionRecord.objects.filter(
            person=OuterRef("person_id"), voided_at=None, started_on__lte=day
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .order_by("-started_on", "-id")
        .values("method")[:1]
    )
    women = (
        residents.queryset(period)
        .filter(residents.filter_q(names, period, rows.root))
        .filter(unit__path__startswith=rows.root.path)
        .annotate(current=Subquery(current))
        .order_by()
        .values("unit_id", "current")
        .annotate(n=Count("pk"))
    )
    for row in women:
        rows.add(row["unit_id"], "women", row["n"])
        if row["current"] and row["current"] != Method.NONE:
            rows.add(row["unit_id"], f"method:{row['current']}", row["n"])


def _issued(rows: Rows, period: Period, *, free_only: bool) -> None:
    """Issues to persons within the period, net of reversed ones, by the person's unit
    and product category: distinct persons (``persons:<cat>``), quantity
    (``quantity:<cat>``) and distinct persons of any category (``persons``)."""
    lines = LedgerLine.objects.filter(
        kind=DocumentKind.ISSUE,
        occurred_on__gte=period.first,
        occurred_on__lte=period.last,
        reversed_by__isnull=True,
        document__person__unit__path__startswith=rows.root.path,
    )
    if free_only:
        lines = lines.filter(product__free=True)
    unit_field = "document__person__unit_id"
    for row in (
        lines.order_by()
        .values(unit_field, "product__category")
        .annotate(persons=Count("document__person_id", distinct=True), q=Sum("quantity"))
    ):
        category = row["product__category"]
        rows.add(row[unit_field], f"persons:{category}", row["persons"])
        rows.add(row[unit_field], f"quantity:{category}", -row["q"])
    for row in (
        lines.order_by()
        .values(unit_field)
        .annotate(persons=Count("document__person_id", distinct=True))
    ):
        rows.add(row[unit_field], "persons", row["persons"])


def _failures(rows: Rows, period: Period) -> None:
    """Method failures within the period by the record's unit and method (``failures:<m>``)."""
    followed_by_failure = ContraceptionRecord.objects.filter(
        person=OuterRef("person_id"),
        started_on=OuterRef("ended_on"),
        reason=ChangeReason.FAILURE,
        voided_at=None,
    )
    for row in (
        ContraceptionRecord.objects.filter(
            voided_at=None,
            ended_on__gte=period.first,
            ended_on__lte=period.last,
            unit__path__startswith=rows.root.path,
        )
        .filter(Exists(followed_by_failure))
        .order_by()
        .values("unit_id", "method")
        .annotate(n=Count("pk"))
    ):
        rows.add(row["unit_id"], f"failures:{row['method']}", row["n"])


def _reactions(rows: Rows, period: Period, *, free_only: bool) -> None:
    reactions = AdverseReaction.objects.filter(
        reported_on__gte=period.first,
        reported_on__lte=period.last,
        unit__path__startswith=rows.root.path,
    )
    if free_only:
        reactions = reactions.filter(product__free=True)
    for row in reactions.order_by().values("unit_id", "product__category").annotate(n=Count("pk")):
        rows.add(row["unit_id"], f"reactions:{row['product__category']}", row["n"])


def _method_label(method: str) -> str:
    return str(Method(method).label)


def _category_label(category: str) -> str:
    return str(Category(category).label)


def users_form(root: Unit, period: Period) -> Form:
    """《服用、使用各类避孕药品、药具人数统计表》: per commodity method, the women aged 15–49
    using it on the period's last day, and the persons who received products of its
    category within the period."""
    rows = Rows(root)
    _women_by_method(rows, period, married_only=False)
    _issued(rows, period, free_only=False)
    columns: list[tuple[str, str]] = []
    for method, category in COMMODITY_METHODS:
        columns.append(
            (f"method:{method}", _("%(method)s: users") % {"method": _method_label(method)})
        )
        columns.append(
            (
                f"persons:{category}",
                _("%(method)s: persons supplied") % {"method": _method_label(method)},
            )
        )
    columns += [("users", _("Users, all methods")), ("persons", _("Persons supplied, all"))]
    form = Form(key="users", title=TITLES["users"], root=root, period=period, columns=columns)
    for unit, counts in rows.rows():
        cells = {k: counts.get(k, 0) for k, _h in columns}
        cells["users"] = sum(counts.get(f"method:{m}", 0) for m, _c in COMMODITY_METHODS)
        form.rows.append(FormRow(unit, cells))
    return form


def effective_rate(users: int, failures: int) -> float | None:
    """(users − failures) ÷ users × 100; None (shown "—") when there are no users."""
    if not users:
        return None
    return round((users - failures) * 100 / users, 2)


def free_categories() -> list[str]:
    present = set(Product.objects.filter(free=True).values_list("category", flat=True))
    return [c for c in Category.values if c in present]


def effect_form(root: Unit, period: Period) -> Form:
    """《免费发放药具使用效果统计表》: per category of free product, the persons supplied and
    the quantity issued within the period, the failures of its method, the adverse
    reactions reported and the effective rate."""
    rows = Rows(root)
    _issued(rows, period, free_only=True)
    _failures(rows, period)
    _reactions(rows, period, free_only=True)
    categories = free_categories()
    columns: list[tuple[str, str]] = []
    for category in categories:
        name = {"category": _category_label(category)}
        columns += [
            (f"persons:{category}", _("%(category)s: persons supplied") % name),
            (f"quantity:{category}", _("%(category)s: quantity issued") % name),
            (f"failures:{category}", _("%(category)s: method failures") % name),
            (f"reactions:{category}", _("%(category)s: adverse reactions") % name),
            (f"rate:{category}", _("%(category)s: effective rate (%%)") % name),
        ]
    form = Form(key="effect", title=TITLES["effect"], root=root, period=period, columns=columns)
    for unit, counts in rows.rows():
        cells: dict[str, Any] = {}
        for category in categories:
            method = METHOD_OF_CATEGORY.get(category, "")
            users = counts.get(f"persons:{category}", 0)
            failures = counts.get(f"failures:{method}", 0)
            cells[f"persons:{category}"] = users
            cells[f"quantity:{category}"] = counts.get(f"quantity:{category}", 0)
            cells[f"failures:{category}"] = failures
            cells[f"reactions:{category}"] = counts.get(f"reactions:{category}", 0)
            cells[f"rate:{category}"] = effective_rate(users, failures)
        form.rows.append(FormRow(unit, cells))
    return form


METHODS_INDICATORS = ("married_wra", "contraceptive_prevalence", "long_acting_share")


def methods_form(root: Unit, period: Period) -> Form:
    """《计划生育避孕节育措施基本情况统计表》: the married women aged 15–49 on the period's
    last day, their current methods, 综合避孕率 and 长效措施率 (the engine's figures)."""
    rows = Rows(root)
    _women_by_method(rows, period, married_only=True)
    indicators = [catalogue.get(i) for i in METHODS_INDICATORS]
    values = {uv.unit.path: uv.values for uv in engine.compute_tree(indicators, root, period)}
    columns = [("married_wra", _("Married women aged 15–49"))]
    columns += [(f"method:{m}", _method_label(m)) for m in FORM_METHODS]
    columns += [
        ("none", _("No method")),
        ("prevalence", _("Contraceptive prevalence (per cent)")),
        ("long_acting", _("Long-acting share (per cent)")),
    ]
    form = Form(key="methods", title=TITLES["methods"], root=root, period=period, columns=columns)
    for unit, counts in rows.rows():
        figures = values[(unit or root).path]
        married = int(figures["married_wra"].value or 0)
        cells: dict[str, Any] = {"married_wra": married}
        using = 0
        for method in FORM_METHODS:
            cells[f"method:{method}"] = counts.get(f"method:{method}", 0)
            using += cells[f"method:{method}"]
        cells["none"] = married - using
        for key, indicator in (
            ("prevalence", "contraceptive_prevalence"),
            ("long_acting", "long_acting_share"),
        ):
            value = figures[indicator].value
            cells[key] = None if value is None else round(value, 2)
        form.rows.append(FormRow(unit, cells))
    return form


FORMS = {"users": users_form, "effect": effect_form, "methods": methods_form}
