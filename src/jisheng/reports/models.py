"""Sample verification (抽查, SPEC §8/§9): an inspector draws a reproducible random
sample of person records of a unit's subtree and records, record by record, what the
field check found against the ledger as it stood on the day of the draw.

:class:`Verification` is one check: the unit, the frame sampled (married women of
reproductive age, all women of reproductive age or all residents), the seed (the same
seed over the same frame gives the same sample), and its state (open, then closed and
frozen). :class:`VerificationRecord` is one sampled person: the ledger's values
snapshotted at the draw (resident, marital status, current method, number of children)
and the field's values, with the verdict "accurate" when every checked field agrees.

It measures the ledgers' accuracy (信息准确率) and their "water" (水分: ledger figures
the field does not bear out) — an administrative duty of units and staff; nothing here
addresses the persons checked (SPEC §0).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.choices import MaritalStatus
from jisheng.people.models import Person
from jisheng.policy.choices import Method


class VerificationFrame(models.TextChoices):
    """The records a sample is drawn from, as of the day of the draw."""

    MARRIED_WRA = "married_wra", _("Married women aged 15–49")
    WRA = "wra", _("Women aged 15–49")
    RESIDENTS = "residents", _("All residents")


class Verification(TimeStampedModel):
    """One sample verification (抽查) of a unit's subtree."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit checked"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    frame = models.CharField(
        _("records sampled"),
        max_length=20,
        choices=VerificationFrame.choices,
        default=VerificationFrame.MARRIED_WRA,
    )
    seed = models.PositiveBigIntegerField(_("seed"))
    requested_size = models.PositiveIntegerField(_("sample size asked"), null=True, blank=True)
    requested_percent = models.DecimalField(
        _("sample percentage asked"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # The frame on the day of the draw: how many records, and a digest of their ids in
    # the order sampled, so that a redraw can show it used the same frame.
    population = models.PositiveIntegerField(_("records in the frame"))
    frame_digest = models.CharField(_("frame digest"), max_length=64)
    drawn_on = models.DateField(_("drawn on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("sample verification")
        verbose_name_plural = _("sample verifications")
        ordering = ["-drawn_on", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class VerificationRecord(TimeStampedModel):
    """One sampled person: the ledger on the day of the draw and what the field found."""

    verification = models.ForeignKey(
        Verification,
        verbose_name=_("sample verification"),
        on_delete=models.CASCADE,
        related_name="records",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    # The person's residence unit on the day of the draw: the unit the record counts for.
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("number in the sample"))
    # The ledger (registry) on the day of the draw.
    ledger_wra = models.BooleanField(_("woman aged 15–49 in the ledger"))
    ledger_marital_status = models.CharField(
        _("marital status in the ledger"), max_length=20, choices=MaritalStatus.choices
    )
    ledger_method = models.CharField(
        _("method in the ledger"), max_length=24, choices=Method.choices
    )
    ledger_children = models.PositiveSmallIntegerField(_("children in the ledger"))
    # What the field check found.
    field_present = models.BooleanField(_("found living here"), null=True, blank=True)
    field_marital_status = models.CharField(
        _("marital status found"), max_length=20, choices=MaritalStatus.choices, blank=True
    )
    field_method = models.CharField(
        _("method found"), max_length=24, choices=Method.choices, blank=True
    )
    field_children = models.PositiveSmallIntegerField(_("children found"), null=True, blank=True)
    accurate = models.BooleanField(_("accurate"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # A record is seen by those who see its check (the inspector's unit), not by the
    # staff of the unit it counts for.
    scope_path_field = "verification__unit__path"

    class Meta:
        verbose_name = _("sampled record")
        verbose_name_plural = _("sampled records")
        ordering = ["verification", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["verification", "person"], name="reports_verification_person"
            ),
            models.UniqueConstraint(
                fields=["verification", "position"], name="reports_verification_position"
            ),
        ]
        indexes = [
            # the indicator information_accuracy: records checked within a period
            models.Index(fields=["checked_on", "unit"], name="reports_vrecord_checked"),
        ]

    def __str__(self) -> str:
        return f"{self.verification_id} #{self.position}"

    @property
    def checked(self) -> bool:
        return self.checked_on is not None
