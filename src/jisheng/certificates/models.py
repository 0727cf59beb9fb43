"""Numbered certificates (证件, SPEC §5), minimal: the 独生子女父母光荣证 for now.

A certificate is numbered in its issuing unit's year (``<unit code>-<year>-<sequence>``,
the sequence unique per issuing unit and year), belongs to a couple and the unit of the
couple, and is never edited or deleted: a wrong one is voided with a reason, and a new
one may then be issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.certificates.choices import CertificateKind
from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.models import Couple


class Certificate(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=30, choices=CertificateKind.choices)
    number = models.CharField(_("number"), max_length=60, unique=True)
    issuer = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    couple = models.ForeignKey(
        Couple, verbose_name=_("couple"), on_delete=models.PROTECT, related_name="certificates"
    )
    # The couple's unit when issued (scope of the row).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "sequence"], name="certificates_number_sequence"
            ),
        ]
        indexes = [
            models.Index(fields=["couple", "kind"], name="certificates_couple_kind"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def voided(self) -> bool:
        return self.voided_at is not None
