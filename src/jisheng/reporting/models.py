"""The statistical reports' tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FormDefinition(models.Model):
    """One version of a statistical form's definition (``reporting/forms/*.yaml``, loaded
    with ``jisheng load_statforms``). Older versions are kept; the highest version of a
    key is in force."""

    key = models.CharField(_("form"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=10)
    definition = models.JSONField(_("definition"))
    digest = models.CharField(_("digest"), max_length=64)
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statistical form definition")
        verbose_name_plural = _("statistical form definitions")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="reporting_form_key_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
