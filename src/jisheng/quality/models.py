"""Data quality models (SPEC §9, issue 15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.orgs.models import Unit

# =========================================================================== logic checks
# Logic checks as data (DHIS2 validation rules): jisheng.quality.definitions_rules loads
# rules/*.yaml into LogicRule (one row per version of a rule, by digest); checks.py
# evaluates them; an error-level violation is explained by a LogicExplanation.


class RuleSeverity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class RuleKind(models.TextChoices):
    AGGREGATE = "aggregate", _("Comparison of figures")
    RECORD = "record", _("Record-level check")


class LogicRule(models.Model):
    """One version of a logic rule. ``active`` marks the version in force; a changed
    definition (another digest) is a new version, the old one kept inactive."""

    key = models.CharField(_("key"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    digest = models.CharField(_("digest"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    message = models.CharField(_("message"), max_length=500)
    severity = models.CharField(_("severity"), max_length=10, choices=RuleSeverity.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=RuleKind.choices)
    # period kinds of jisheng.core.periods the rule applies to (["month", "quarter"])
    periods = models.JSONField(_("period kinds"), default=list)
    left = models.CharField(_("left side"), max_length=500, blank=True)
    operator = models.CharField(_("operator"), max_length=2, blank=True)
    right = models.CharField(_("right side"), max_length=500, blank=True)
    record_check = models.CharField(_("record check"), max_length=60, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    source = models.CharField(_("source file"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in force"), default=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("logic rule")
        verbose_name_plural = _("logic rules")
        ordering = ["order", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="quality_rule_key_version"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(active=True), name="quality_rule_one_active"
            ),
        ]
        permissions = [("run_logicrule", _("Can run logic checks"))]

    def __str__(self) -> str:
        return self.name


class LogicExplanation(models.Model):
    """Why an error-level violation stands (情况说明): per rule (by key, so a new version
    of the rule keeps it), unit, period and record (``""`` for a comparison of figures)."""

    rule_key = models.CharField(_("rule"), max_length=80)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=10)
    # "app_label.model:pk" of the record a record-level violation is about, or ""
    record = models.CharField(_("record"), max_length=80, blank=True, default="")
    text = models.TextField(_("explanation"))
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("explained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    explained_at = models.DateTimeField(_("explained at"), auto_now=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("explanation of a logic check")
        verbose_name_plural = _("explanations of logic checks")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_key", "unit", "period", "record"], name="quality_explanation_one"
            )
        ]
        indexes = [models.Index(fields=["period", "rule_key"], name="quality_expl_period")]

    def __str__(self) -> str:
        return f"{self.rule_key} {self.period}"


# --------------------------------------------------------------------------- under-reporting


class UnderReportingScan(models.Model):
    """No table: the holder of the permission to read the under-reporting scan
    (出生漏报筛查, :mod:`jisheng.quality.underreporting`), computed live from the
    registry. It flags villages for a check, never a person (SPEC §0)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_underreporting", _("Can view the under-reporting scan"))]
        verbose_name = _("under-reporting scan")
        verbose_name_plural = _("under-reporting scans")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
