"""Models of the indicators app: versioned reference tables, contracts and assessments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CypFactorTable(models.Model):
    """A version of the couple-years-of-protection conversion factors (e.g. USAID 2021).

    Versions are never edited: a new table with a later ``valid_from`` replaces the old
    one for periods ending on or after that day; past figures keep their table."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), unique=True)

    class Meta:
        verbose_name = _("CYP factor table")
        verbose_name_plural = _("CYP factor tables")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.name


class CypFactor(models.Model):
    """``quantity`` units of ``item`` give ``cyp`` couple-years of protection
    (15 pill cycles → 1; one copper IUD → 4.6)."""

    class Item(models.TextChoices):
        PILL_CYCLE = "pill_cycle", _("Oral pill, cycle")
        CONDOM = "condom", _("Condom, piece")
        INJECTABLE_DOSE = "injectable_dose", _("Injectable (DMPA), dose")
        IUD_COPPER = "iud_copper", _("Copper IUD inserted")
        IMPLANT_3Y = "implant_3y", _("Implant, 3-year")
        IMPLANT_4Y = "implant_4y", _("Implant, 4-year")
        IMPLANT_5Y = "implant_5y", _("Implant, 5-year")
        FEMALE_STERILISATION = "female_sterilisation", _("Female sterilisation")
        MALE_STERILISATION = "male_sterilisation", _("Male sterilisation")

    table = models.ForeignKey(
        CypFactorTable, verbose_name=_("table"), on_delete=models.PROTECT, related_name="factors"
    )
    item = models.CharField(_("item"), max_length=30, choices=Item.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    cyp = models.DecimalField(_("couple-years of protection"), max_digits=8, decimal_places=3)

    class Meta:
        verbose_name = _("CYP factor")
        verbose_name_plural = _("CYP factors")
        ordering = ["table", "item"]
        constraints = [
            models.UniqueConstraint(fields=["table", "item"], name="indicators_cyp_item"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0) & models.Q(cyp__gt=0),
                name="indicators_cyp_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.quantity} → {self.cyp}"
