"""Data quality models (issue 15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit
from jisheng.people.models import Person

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
