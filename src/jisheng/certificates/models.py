"""Numbered certificates (证件, SPEC §5) on one engine.

A certificate's kind is data (``certificates/kinds.yaml``): who holds it (a couple or a
person), who issues it, its fields, validity and template. A certificate is applied
for, reviewed and issued through ``core.workflow`` (``certificates/workflows.py``). On
issue it takes the next number of its issuing unit's series for its kind and year
(:class:`NumberSeries`, no gaps, no duplicates) and an unguessable verification
``code`` (the QR code's ``/verify/<code>``). It is never edited or deleted once issued:
a wrong one is revoked with a reason; a reissue is a new certificate whose
``replaces`` names the old one (which becomes *replaced*).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.certificates.choices import CertificateStatus, LookupChannel, LookupResult
from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.models import Birth, Couple, Person, Transfer


class Certificate(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CertificateStatus.choices,
        default=CertificateStatus.APPLIED,
    )
    # Empty until issued.
    number = models.CharField(_("number"), max_length=60, unique=True, null=True, blank=True)
    issuer = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    # The holder: a couple (光荣证, 生育登记) or a person (婚育证明, 情况证明, leave slip).
    couple = models.ForeignKey(
        Couple,
        verbose_name=_("couple"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # The holder's name as printed (the verification page shows it masked: 王*芳).
    holder_name = models.CharField(_("holder"), max_length=100, blank=True)
    # The holder's unit when applied (scope of the row).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    # The kind's fields (``kinds.yaml``), as entered and checked.
    data = models.JSONField(_("details"), default=dict, blank=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Unguessable, set on issue: the QR code's /verify/<code> (never the number).
    code = models.CharField(
        _("verification code"), max_length=40, unique=True, null=True, blank=True
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    # The 管理移交 case a clearance closes.
    transfer = models.OneToOneField(
        Transfer,
        verbose_name=_("management transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clearance",
    )
    # The birth a 生育登记 led to, linked when the birth is recorded.
    birth = models.ForeignKey(
        Birth,
        verbose_name=_("birth"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    voided_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        permissions = [("verify_certificate", "Can verify a certificate by its number")]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "year", "sequence"],
                name="certificates_number_series",
            ),
        ]
        indexes = [
            models.Index(fields=["couple", "kind"], name="certificates_couple_kind"),
            models.Index(fields=["person", "kind"], name="certificates_person_kind"),
            models.Index(fields=["kind", "status"], name="certificates_kind_status"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def kind_title(self) -> str:
        """The kind's name in the active language (the kind's key if it is unknown)."""
        from jisheng.certificates.kinds import kinds

        spec = kinds().get(self.kind)
        return spec.title if spec is not None else self.kind


class NumberSeries(models.Model):
    """The last number taken in one issuing unit's series of one kind and year: the row
    is locked while the next is taken, in the transaction that issues the certificate
    (a rollback gives the number back, so the series has no gaps)."""

    issuer = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "year"], name="certificates_series_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.kind} {self.year}: {self.last}"


class Lookup(models.Model):
    """One verification look-up (public page, by number, API): every one is logged."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=LookupChannel.choices)
    # What was asked (a code or a number, cut to 60 characters).
    asked = models.CharField(_("asked for"), max_length=60)
    result = models.CharField(_("result"), max_length=10, choices=LookupResult.choices)
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lookups",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification look-up")
        verbose_name_plural = _("verification look-ups")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at} {self.channel} {self.result}"
