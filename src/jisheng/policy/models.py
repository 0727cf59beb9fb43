"""Policy packs and their versions. A version is immutable: a change is a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import ImmutableError


class PolicyPack(models.Model):
    """One organisation policy (e.g. ``default-2026``, ``mine-2005``), by its code."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("policy pack")
        verbose_name_plural = _("policy packs")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PolicyPackVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("policy pack versions cannot be changed")

    def delete(self):
        raise ImmutableError("policy pack versions cannot be deleted")


class PolicyPackVersion(models.Model):
    """A validated pack as loaded: content, source text, who loaded it, where it applies.

    ``unit`` empty: the default for every unit that has no pack of its own or of an
    ancestor. Append-only: rows are never changed or deleted.
    """

    pack = models.ForeignKey(
        PolicyPack, verbose_name=_("policy pack"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.CharField(_("version"), max_length=32)
    effective_from = models.DateField(_("effective from"))
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("applies to unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy_versions",
    )
    content = models.JSONField(_("content"))
    source_text = models.TextField(_("YAML source"))
    source_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("loaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    objects = PolicyPackVersionQuerySet.as_manager()

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("policy pack version")
        verbose_name_plural = _("policy pack versions")
        ordering = ["pack__code", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "version", "unit"],
                condition=models.Q(unit__isnull=False),
                name="policy_version_unique_per_unit",
            ),
            models.UniqueConstraint(
                fields=["pack", "version"],
                condition=models.Q(unit__isnull=True),
                name="policy_version_unique_default",
            ),
        ]
        indexes = [models.Index(fields=["unit", "effective_from"], name="policy_version_unit_from")]

    def __str__(self) -> str:
        return f"{self.pack.code} {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("policy pack versions cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("policy pack versions cannot be deleted")
