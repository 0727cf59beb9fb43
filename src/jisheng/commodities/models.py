"""Contraceptive commodities (药具, SPEC §6): products, stores, lots and the ledger.

The model follows OpenLMIS stock management:

- a **stock card** holds one lot of one product at one store; its ``on_hand`` is the
  current balance, kept by the ledger services under a row lock (never negative);
- every movement is a **ledger line** of a numbered **document** (入库单, 出库单, 调入登记,
  发放登记, 报损, 盘点调整, 冲销); lines are never edited or deleted — a mistake is corrected
  by a reversal document;
- **calculated stock** rows hold a card's balance at the end of each day that has lines
  (OpenLMIS ``calculated_stocks_on_hand``), so "stock as of any date" is one index probe
  per card instead of a sum over all lines. ``stock = sum of lines`` is checked by the
  tests and by :func:`jisheng.commodities.selectors.ledger_check`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.commodities.choices import (
    Category,
    Condition,
    CountStatus,
    DocumentKind,
    Outcome,
    QualityAction,
    Severity,
    StoreKind,
    TransferStatus,
    WriteOffReason,
)
from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.policy.choices import Method

_USER = settings.AUTH_USER_MODEL


class Product(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit of issue"), max_length=10)  # 板, 支, 只, 盒, 个
    free = models.BooleanField(_("free of charge"), default=True)
    # The method whose users take it (the demand plan and the users' statistics).
    method = models.CharField(_("method"), max_length=24, choices=Method.choices, blank=True)
    # Couple-years of protection: this many CYP factor-table items per unit of issue
    # (a box of 10 condoms is 10 items of "condom, piece").
    cyp_item = models.CharField(_("CYP item"), max_length=30, blank=True)
    cyp_items_per_unit = models.PositiveIntegerField(_("CYP items per unit"), default=1)
    # Units a user of the method needs a month (the demand plan): e.g. 1 pill cycle,
    # 10 condoms, 1/3 injection (stored as a decimal).
    monthly_need = models.DecimalField(
        _("monthly need per user"), max_digits=6, decimal_places=2, default=0
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


class Store(TimeStampedModel):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="stores"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=StoreKind.choices)
    # Months of consumption; blank = the policy pack's (township 1–3 months).
    min_months = models.DecimalField(
        _("minimum stock (months)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    max_months = models.DecimalField(
        _("maximum stock (months)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    keeper = models.CharField(_("keeper"), max_length=50, blank=True)
    active = models.BooleanField(_("active"), default=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["unit__path", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_months__isnull=True)
                | models.Q(max_months__isnull=True)
                | models.Q(min_months__lte=models.F("max_months")),
                name="commodities_store_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Lot(TimeStampedModel):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="lots"
    )
    number = models.CharField(_("lot number"), max_length=40)
    expires_on = models.DateField(_("expiry date"))
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["product", "expires_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="commodities_lot_number"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.number}"


class StockCard(models.Model):
    """One lot of one product at one store: its current balance (分类账 by lot)."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="cards"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    on_hand = models.IntegerField(_("on hand"), default=0)
    opened_on = models.DateField(_("first movement"))
    # The latest day with a movement: on any date not before it the balance is
    # ``on_hand`` (stock as of a date then needs no look-up for this card).
    last_moved_on = models.DateField(_("last movement"), null=True, blank=True)

    scope_path_field = "store__unit__path"

    class Meta:
        verbose_name = _("stock card")
        verbose_name_plural = _("stock cards")
        constraints = [
            models.UniqueConstraint(fields=["store", "lot"], name="commodities_card_store_lot"),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0), name="commodities_card_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["store", "product"], name="commodities_card_product")]

    def __str__(self) -> str:
        return f"{self.store} / {self.lot}"


class CalculatedStock(models.Model):
    """A card's balance at the end of a day with movements (OpenLMIS
    ``calculated_stocks_on_hand``): the balance on any date is the row of the latest
    day not after it."""

    card = models.ForeignKey(StockCard, on_delete=models.CASCADE, related_name="balances")
    day = models.DateField()
    on_hand = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "day"], name="commodities_balance_day"),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0), name="commodities_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} {self.day}: {self.on_hand}"


class Document(TimeStampedModel):
    """A numbered ledger document of one store (入库单, 出库单, 调入登记, 发放登记, …)."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=70, unique=True)
    occurred_on = models.DateField(_("date"))
    # Receipt: the supplier; transfer: the other store; transfer in: its transfer out.
    supplier = models.CharField(_("supplier"), max_length=100, blank=True)
    counterpart = models.ForeignKey(
        Store,
        verbose_name=_("other store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer = models.ForeignKey(
        "self",
        verbose_name=_("transfer received"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    transfer_status = models.CharField(
        _("transfer status"), max_length=16, choices=TransferStatus.choices, blank=True
    )
    # Issue to a person (发放登记), possibly during a follow-up visit.
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commodity_issues",
    )
    visit = models.ForeignKey(
        "services.FollowUpVisit",
        verbose_name=_("follow-up visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commodity_issues",
    )
    reason = models.CharField(
        _("write-off reason"), max_length=16, choices=WriteOffReason.choices, blank=True
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    count = models.OneToOneField(
        "commodities.PhysicalCount",
        verbose_name=_("physical count"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustment",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    staff_name = models.CharField(_("staff"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(
        _USER, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_path_field = "store__unit__path"

    class Meta:
        verbose_name = _("ledger document")
        verbose_name_plural = _("ledger documents")
        ordering = ["-occurred_on", "-id"]
        # One permission per kind of movement, checked by the services (``services.py``,
        # ``counts.py``) whoever calls them: the pages, the API, an import.
        permissions = [
            ("receive_stock", _("Can post a receipt note")),
            ("transfer_stock", _("Can send and receive transfers")),
            ("issue_stock", _("Can issue commodities to a person")),
            ("write_off_stock", _("Can write stock off")),
            ("reverse_document", _("Can reverse a ledger document")),
            ("adjust_stock", _("Can post the adjustment of a physical count")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "kind", "year", "sequence"], name="commodities_document_seq"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "occurred_on"], name="commodities_doc_store_day"),
            models.Index(fields=["counterpart", "transfer_status"], name="commodities_doc_transit"),
        ]

    def __str__(self) -> str:
        return self.number


class LedgerLine(models.Model):
    """One movement of one lot at one store: ``quantity`` signed (+ in, − out)."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="lines"
    )
    card = models.ForeignKey(
        StockCard, verbose_name=_("stock card"), on_delete=models.PROTECT, related_name="lines"
    )
    # Copies of the document's and the card's fields, for the reports' indexes.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    occurred_on = models.DateField(_("date"))
    quantity = models.IntegerField(_("quantity"))
    # A transfer in: the quantity sent and the quantity that arrived damaged (not taken
    # into stock); sent − quantity − damaged went missing.
    sent = models.PositiveIntegerField(_("quantity sent"), null=True, blank=True)
    damaged = models.PositiveIntegerField(_("damaged on arrival"), default=0)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    # The document whose reversal this line belongs to has the original's kind here.
    original_kind = models.CharField(
        _("kind of the original"), max_length=16, choices=DocumentKind.choices, blank=True
    )

    scope_path_field = "store__unit__path"

    class Meta:
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        ordering = ["occurred_on", "id"]
        constraints = [
            # Only a transfer in may take nothing into stock (all of it damaged or missing).
            models.CheckConstraint(
                condition=~models.Q(quantity=0) | models.Q(kind="transfer_in"),
                name="commodities_line_not_zero",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "occurred_on"], name="commodities_line_store_day"),
            models.Index(fields=["occurred_on", "kind"], name="commodities_line_day_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.lot_id} {self.quantity:+d}"


class PhysicalCount(TimeStampedModel):
    """A physical count (盘点) of a store on a day: a sheet of every card, the counts
    entered, the differences; approval posts one adjustment document."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="counts"
    )
    counted_on = models.DateField(_("counted on"))
    status = models.CharField(
        _("status"), max_length=12, choices=CountStatus.choices, default=CountStatus.OPEN
    )
    counted_by = models.CharField(_("counted by"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        _USER, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        _USER, verbose_name=_("approved by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    scope_path_field = "store__unit__path"

    class Meta:
        verbose_name = _("physical count")
        verbose_name_plural = _("physical counts")
        ordering = ["-counted_on", "-id"]

    def __str__(self) -> str:
        # shown in the audit log and the decisions (not "PhysicalCount object (1)")
        return f"{self.store.name} · {self.counted_on:%Y-%m-%d}"


class CountLine(models.Model):
    count = models.ForeignKey(PhysicalCount, on_delete=models.CASCADE, related_name="lines")
    card = models.ForeignKey(StockCard, on_delete=models.PROTECT, related_name="+")
    book = models.IntegerField(_("on the books"))
    counted = models.IntegerField(
        _("counted"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    reason = models.CharField(_("reason for the difference"), max_length=200, blank=True)

    class Meta:
        ordering = ["card__product__category", "card__product__code", "card__lot__expires_on"]
        constraints = [
            models.UniqueConstraint(fields=["count", "card"], name="commodities_count_card"),
        ]

    def __str__(self) -> str:
        return f"{self.count_id} {self.card_id}: {self.book} / {self.counted}"

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.book


class QualityCheck(TimeStampedModel):
    """The quality-check register (药具质量检查登记)."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="quality_checks"
    )
    checked_on = models.DateField(_("checked on"))
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices)
    action = models.CharField(_("action"), max_length=16, choices=QualityAction.choices)
    checked_by = models.CharField(_("checked by"), max_length=50)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        _USER, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_path_field = "store__unit__path"

    class Meta:
        verbose_name = _("quality check")
        verbose_name_plural = _("quality checks")
        ordering = ["-checked_on", "-id"]


class AdverseReaction(TimeStampedModel):
    """An adverse-reaction report (药具不良反应监测): person, product and lot."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="adverse_reactions",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_on = models.DateField(_("started on"))
    reported_on = models.DateField(_("reported on"))
    description = models.CharField(_("what happened"), max_length=500)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    action_taken = models.CharField(_("action taken"), max_length=300, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.UNKNOWN
    )
    reporter = models.CharField(_("reported by"), max_length=50)
    recorded_by = models.ForeignKey(
        _USER, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("adverse reaction")
        verbose_name_plural = _("adverse reactions")
        ordering = ["-reported_on", "-id"]
