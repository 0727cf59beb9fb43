"""Benefits paid to families and staff (待遇与资金, SPEC §7; issue 18).

The kinds of benefit are data: the pack's ``benefits.kinds`` (育儿补贴, 奖励扶助, 特别扶助,
独生子女父母奖励/保健费, staff allowances). The rows here are the work on them:

- :class:`Batch` — 发放批次: one kind, one unit (where it is confirmed), one period; its
  status runs review → 公示 → approval → funds → bank → closed (``workflows.py``).
- :class:`Case` — one line of a batch: whom it is for (``person``: the child for 育儿补贴),
  who is paid (``beneficiary``), the months it covers, the amount in yuan (Decimal, never
  a float), and ``explanation``: every clause of the rule with whether it held and the
  records behind it. :class:`CaseShare` splits the amount between the funding levels
  (central / provincial / county / an employer).
- :class:`Objection` — raised during the 公示 against one case; it blocks that case only.
- :class:`Duty` — who exercised which of the four powers (四权分离) on a batch; a user
  holding one power on a batch is refused the others on it (``duties.py``).
- :class:`Finding` — a supervisor's finding (监督): the only thing supervision writes.
- :class:`Entitlement` — a benefit being paid over time (特扶 each month, 奖扶 each
  year, 育儿补贴 until three) and when and why it stopped.
- :class:`BankAccount` — the account a person is paid into (直通车), the number encrypted
  like an ID number and masked everywhere else.
- :class:`Payment` — a line of the payment roster (发放花名册) and what the bank said;
  :class:`BankFile` — a file sent to or returned by the bank.
- :class:`Overpayment` — money paid for months after a stop found late: listed for the
  office to resolve, never deducted from another benefit.
- :class:`DisabilityRecord` — a person's disability grade as certified (残疾等级), which
  特别扶助 reads.
- :class:`AllowanceLine` — a staff allowance (宣传员责任补贴 …) of a user in a batch.

Every row has a ``unit`` and ``scope_path_field``; amounts are ``DecimalField``s of yuan
with two places (fen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.benefits.choices import (
    BankFileDirection,
    BatchStatus,
    CaseSource,
    CaseStatus,
    EntitlementStatus,
    ObjectionStatus,
    OverpaymentStatus,
    PaymentStatus,
    Power,
    StopReason,
)
from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.models import Person

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

USER = settings.AUTH_USER_MODEL


def _unit(related_name: str = "+") -> models.ForeignKey:
    return models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name=related_name
    )


def _user(verbose: str | _StrPromise, related_name: str = "+") -> models.ForeignKey:
    return models.ForeignKey(
        USER,
        verbose_name=verbose,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )


class Batch(TimeStampedModel):
    """发放批次: the cases of one benefit kind in one unit's subtree for one period."""

    kind = models.CharField(_("benefit"), max_length=40)  # a key of the pack's kinds
    unit = _unit()
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    pack_version = models.CharField(_("policy pack"), max_length=100, blank=True)
    notice_from = models.DateField(_("public notice from"), null=True, blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    case_count = models.PositiveIntegerField(_("cases"), default=0)
    total_amount = models.DecimalField(
        _("total (yuan)"), default=0, max_digits=14, decimal_places=2
    )
    created_by = _user(_("created by"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("benefit batch")
        verbose_name_plural = _("benefit batches")
        ordering = ["-period_start", "-id"]
        indexes = [models.Index(fields=["kind", "unit", "period_start"], name="benefit_batch_kind")]
        permissions = [
            ("confirm_batch", "Confirm eligibility (review, notice, approve)"),
            ("fund_batch", "Manage the funds of a batch"),
            ("pay_batch", "Pay a batch (bank files)"),
            ("supervise_batch", "Supervise batches (findings)"),
        ]

    def __str__(self) -> str:
        return self.title


class Case(TimeStampedModel):
    """One person's entitlement in a batch, with its explanation."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="cases"
    )
    kind = models.CharField(_("benefit"), max_length=40)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    beneficiary = models.ForeignKey(
        Person, verbose_name=_("paid to"), on_delete=models.PROTECT, related_name="+"
    )
    unit = _unit()  # the unit where the case is handled (her household registration)
    source = models.CharField(
        _("source"), max_length=10, choices=CaseSource.choices, default=CaseSource.SWEEP
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.CANDIDATE
    )
    eligible = models.BooleanField(_("eligible"), default=True)
    # [{"code", "text", "ok", "records": [{"model", "id", "label"}]}, …] in rule order
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    covers_from = models.DateField(_("covers from"))
    covers_to = models.DateField(_("covers to"))
    months = models.PositiveSmallIntegerField(_("months"), default=0)
    amount = models.DecimalField(_("amount (yuan)"), default=0, max_digits=12, decimal_places=2)
    entitlement = models.ForeignKey(
        "Entitlement",
        verbose_name=_("entitlement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    reviewed_by = _user(_("reviewed by"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("benefit case")
        verbose_name_plural = _("benefit cases")
        ordering = ["batch", "unit", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "person", "beneficiary", "covers_from"], name="benefit_case_once"
            )
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="benefit_case_batch"),
            models.Index(fields=["person", "kind"], name="benefit_case_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.kind} {self.amount}"


class CaseShare(models.Model):
    """The part of a case's amount paid by one funding level (or one employer)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="shares"
    )
    level = models.CharField(_("funding level"), max_length=20)  # central, province, …
    payer = models.ForeignKey(  # the employer paying it, for the cost-sharing rule
        Unit,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("funding share")
        verbose_name_plural = _("funding shares")
        ordering = ["case", "level", "id"]

    def __str__(self) -> str:
        return f"{self.level} {self.amount}"


class Objection(TimeStampedModel):
    """异议: raised during the 公示 against one case; resolved by the office."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="objections"
    )
    unit = _unit()
    raised_on = models.DateField(_("raised on"))
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)
    content = models.TextField(_("objection"))
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by = _user(_("resolved by"))
    recorded_by = _user(_("recorded by"))

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-raised_on", "-id"]


class Duty(models.Model):
    """A power (四权) exercised by a user on a batch: what the separation is checked on."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="duties"
    )
    power = models.CharField(_("power"), max_length=10, choices=Power.choices)
    user = models.ForeignKey(
        USER, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_path_field = "batch__unit__path"

    class Meta:
        verbose_name = _("duty exercised")
        verbose_name_plural = _("duties exercised")
        ordering = ["batch", "at", "id"]
        indexes = [models.Index(fields=["batch", "user"], name="benefit_duty_user")]

    def __str__(self) -> str:
        return f"{self.power} {self.action}"


class Finding(TimeStampedModel):
    """监督发现: what a supervisor found on a batch (or on the benefits of a unit)."""

    unit = _unit()
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    text = models.TextField(_("finding"))
    found_by = _user(_("found by"))
    answer = models.TextField(_("office's answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("supervision finding")
        verbose_name_plural = _("supervision findings")
        ordering = ["-created_at", "-id"]


class Entitlement(TimeStampedModel):
    """A benefit paid over time to one beneficiary for one person, from ``starts_on``
    until it stops (``stopped_on``, a :class:`StopReason`); ``paid_through`` is the last
    day paid so far (arrears and overpayments are counted from it)."""

    kind = models.CharField(_("benefit"), max_length=40)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    beneficiary = models.ForeignKey(
        Person, verbose_name=_("paid to"), on_delete=models.PROTECT, related_name="+"
    )
    unit = _unit()
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EntitlementStatus.choices,
        default=EntitlementStatus.ACTIVE,
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("eligible until"), null=True, blank=True)
    paid_through = models.DateField(_("paid through"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stop_reason = models.CharField(
        _("why it stopped"), max_length=20, choices=StopReason.choices, blank=True
    )
    stop_note = models.CharField(_("note"), max_length=500, blank=True)
    stop_seen = models.BooleanField(_("stop seen by the office"), default=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["kind", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "person", "beneficiary"],
                condition=models.Q(status="active"),
                name="benefit_entitlement_active_once",
            )
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="benefit_ent_person"),
            models.Index(fields=["unit", "kind", "status"], name="benefit_ent_unit"),
        ]


class BankAccount(TimeStampedModel):
    """The account a person is paid into (直通车, ``003:183``): the number encrypted at
    rest with a keyed hash for exact look-up, shown masked."""

    person = models.ForeignKey(  # a registry person, or a staff member (``user``)
        Person,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = _user(_("staff member"))
    unit = _unit()
    bank = models.CharField(_("bank"), max_length=100)
    holder_name = models.CharField(_("account name"), max_length=50)
    number_encrypted = models.TextField(_("account number (encrypted)"))
    number_hash = models.CharField(_("account number hash"), max_length=64, db_index=True)
    number_masked = models.CharField(_("account number"), max_length=40)
    is_active = models.BooleanField(_("in use"), default=True)
    recorded_by = _user(_("recorded by"))

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["person", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(is_active=True),
                name="benefit_account_active_once",
            )
        ]


class BankFile(TimeStampedModel):
    """A file sent to the bank (the roster's export) or returned by it."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="bank_files"
    )
    unit = _unit()
    direction = models.CharField(_("direction"), max_length=10, choices=BankFileDirection.choices)
    layout = models.CharField(_("layout"), max_length=40)
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    accepted = models.PositiveIntegerField(_("lines applied"), default=0)
    refused = models.PositiveIntegerField(_("lines refused"), default=0)
    total_amount = models.DecimalField(
        _("total (yuan)"), default=0, max_digits=14, decimal_places=2
    )
    report = models.JSONField(_("report"), default=list, blank=True)  # refused rows, why
    by = _user(_("by"))

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("bank file")
        verbose_name_plural = _("bank files")
        ordering = ["-created_at", "-id"]


class Payment(TimeStampedModel):
    """A line of the payment roster (发放花名册) and what the bank said of it."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="payments"
    )
    case = models.OneToOneField(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    allowance = models.OneToOneField(
        "AllowanceLine",
        verbose_name=_("allowance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    beneficiary = models.ForeignKey(
        Person,
        verbose_name=_("paid to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payee_name = models.CharField(_("payee"), max_length=50)
    unit = _unit()
    line = models.PositiveIntegerField(_("line"))
    reference = models.CharField(_("reference"), max_length=40, unique=True)  # to the bank
    account = models.ForeignKey(
        BankAccount,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    failure_reason = models.CharField(_("why it failed"), max_length=200, blank=True)
    returned_in = models.ForeignKey(
        BankFile,
        verbose_name=_("returned in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    failure_seen = models.BooleanField(_("failure handled"), default=False)
    reissue_of = models.OneToOneField(  # a failed payment paid again in this line
        "self",
        verbose_name=_("pays again"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reissued_by",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="benefit_payment_line")
        ]
        indexes = [models.Index(fields=["unit", "status"], name="benefit_payment_unit")]


class Overpayment(TimeStampedModel):
    """Money paid for months after a stop that was found late: to resolve by the office
    (repaid, written off, with a note) — never deducted from another benefit."""

    entitlement = models.ForeignKey(
        Entitlement,
        verbose_name=_("entitlement"),
        on_delete=models.PROTECT,
        related_name="overpayments",
    )
    unit = _unit()
    months = models.PositiveSmallIntegerField(_("months"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    covers_from = models.DateField(_("covers from"))
    covers_to = models.DateField(_("covers to"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OverpaymentStatus.choices,
        default=OverpaymentStatus.OPEN,
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by = _user(_("resolved by"))

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("overpayment")
        verbose_name_plural = _("overpayments")
        ordering = ["status", "-covers_from", "-id"]


class DisabilityRecord(TimeStampedModel):
    """A person's certified disability grade (残疾等级 1–4, 1 the most severe), as the
    disabled persons' federation (残联) certified it; 特别扶助 reads it."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    unit = _unit()
    grade = models.PositiveSmallIntegerField(_("disability grade"))
    certified_on = models.DateField(_("certified on"))
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    recorded_by = _user(_("recorded by"))

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("disability record")
        verbose_name_plural = _("disability records")
        ordering = ["person", "-certified_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=4), name="benefit_disability_grade"
            )
        ]


class AllowanceLine(TimeStampedModel):
    """A staff member's allowance in a batch (宣传员责任补贴 10 yuan a month, ``000:103``;
    community administrators and 宣传员, ``001:353``): the pack's staff kinds."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="allowances"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    unit = _unit()
    position = models.CharField(_("position"), max_length=40)
    months = models.PositiveSmallIntegerField(_("months"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.CANDIDATE
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("staff allowance")
        verbose_name_plural = _("staff allowances")
        ordering = ["batch", "unit", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "user"], name="benefit_allowance_once")
        ]
