"""Data quality models (SPEC §9, issue 15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.models import Person

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


# --------------------------------------------------------------------------- cross-checks
#
# The five checkpoints (五关, SPEC §9): an external list (hospital births, household
# registrations of newborns, marriages, adoptions, vaccinations) read from Excel/CSV with
# the column mapping saved for its source, matched against the registry. Each row gets an
# outcome; a registry record the list should have held but did not is a row too
# (``row_number`` None). Rows not matched are flagged for checking (待核实) by the
# responsible unit, never a person labelled (SPEC §0).


class CrossCheckMapping(TimeStampedModel):
    """The column mapping of a source: our field → the file's header, remembered for
    the next file of that source."""

    source = models.CharField(_("source"), max_length=30, unique=True)
    columns = models.JSONField(_("columns"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cross-check column mapping")
        verbose_name_plural = _("cross-check column mappings")

    def __str__(self) -> str:
        return self.source


class CrossCheckList(TimeStampedModel):
    """One imported external list, for an area (unit subtree) and period."""

    source = models.CharField(_("source"), max_length=30)
    unit = models.ForeignKey(
        Unit, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    first = models.DateField(_("period from"))
    last = models.DateField(_("period to"))
    filename = models.CharField(_("file"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # the rows that could not be read: [{"row": 7, "reasons": ["…"]}]
    rejected = models.JSONField(_("rows not read"), default=list, blank=True)
    total = models.PositiveIntegerField(_("rows read"), default=0)
    counts = models.JSONField(_("outcomes"), default=dict, blank=True)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("cross-check list")
        verbose_name_plural = _("cross-check lists")
        ordering = ["-created_at", "-id"]
        permissions = [("import_crosschecklist", _("Can import cross-check lists"))]

    def __str__(self) -> str:
        return f"{self.source} {self.first}–{self.last}"

    @property
    def flagged_count(self) -> int:
        """Records flagged for checking (every outcome but matched)."""
        return sum(int(v) for k, v in (self.counts or {}).items() if k in OPEN_OUTCOMES)


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not matched yet")
    MATCHED = "matched", _("Matched")
    AMBIGUOUS = "ambiguous", _("Two or more candidates")
    MISSING = "missing", _("Missing from the registry")
    CONTRADICTING = "contradicting", _("Contradicting")
    UNLISTED = "unlisted", _("In the registry, not on the list")


# Outcomes that need a resolution by the responsible unit.
OPEN_OUTCOMES = (Outcome.AMBIGUOUS, Outcome.MISSING, Outcome.CONTRADICTING, Outcome.UNLISTED)


class Resolution(models.TextChoices):
    REGISTERED = "registered", _("Registered now")
    CHOSEN = "chosen", _("Candidate chosen")
    EXPLAINED = "explained", _("Explained")
    FALSE_MATCH = "false_match", _("False match")


class CrossCheckRow(models.Model):
    """A row of a list with its outcome, or a registry record missing from the list."""

    checklist = models.ForeignKey(
        CrossCheckList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="rows"
    )
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    # normalised values of the row (no ID number: its hash and mask only)
    data = models.JSONField(_("values"), default=dict)
    name = models.CharField(_("name"), max_length=100, blank=True)
    name_key = models.CharField(_("name in pinyin"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    event_date = models.DateField(_("date"), null=True, blank=True)
    id_hash = models.CharField(_("ID number hash"), max_length=64, blank=True)
    other_name = models.CharField(_("mother or spouse"), max_length=100, blank=True)
    other_key = models.CharField(_("mother or spouse in pinyin"), max_length=200, blank=True)
    other_id_hash = models.CharField(_("mother's or spouse's ID hash"), max_length=64, blank=True)
    # the responsible unit: the unit of the address or area, or of the matched record
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    differences = models.JSONField(_("differences"), default=list, blank=True)
    record = models.CharField(_("registry record"), max_length=40, blank=True)
    # the registry person behind the matched record (the mother of a birth, the wife of a
    # marriage, the adopted child): the indicator's drill-down
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    resolution_note = models.CharField(_("explanation"), max_length=500, blank=True)
    resolved_record = models.CharField(_("record linked"), max_length=40, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("cross-check record")
        verbose_name_plural = _("cross-check records")
        ordering = ["checklist", "row_number", "id"]
        indexes = [
            models.Index(fields=["checklist", "outcome"], name="quality_ccrow_outcome"),
            models.Index(fields=["unit", "resolution"], name="quality_ccrow_open"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.event_date or ''}".strip()

    @property
    def is_open(self) -> bool:
        return self.outcome in OPEN_OUTCOMES and not self.resolution


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
