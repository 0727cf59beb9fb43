"""Floating population (流动人口), minimal: the verification (验证) of the marriage and
childbearing certificate (《流动人口婚育证明》) that an in-migrant woman brings from her
home township (SPEC §4).

A check is a dated record of what the office saw: the certificate's number and issuing
place, and whether it was valid, invalid or missing. A missing or invalid certificate
leads to nothing but a later check (SPEC §0).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.models import Person


class CheckResult(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")
    MISSING = "missing", _("Not shown")


class MigrantCheck(TimeStampedModel):
    """One verification of an in-migrant's 婚育证明."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="migrant_checks"
    )
    # The person's residence unit when checked (scope of the row).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    issuing_place = models.CharField(_("issuing place"), max_length=200, blank=True)
    checked_on = models.DateField(_("checked on"))
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("marriage and childbearing certificate check")
        verbose_name_plural = _("marriage and childbearing certificate checks")
        ordering = ["-checked_on", "-id"]
        indexes = [
            models.Index(fields=["person", "checked_on"], name="migrants_check_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.checked_on} {self.get_result_display()}"
