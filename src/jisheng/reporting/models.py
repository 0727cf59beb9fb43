"""The statistical reports' models (SPEC §9, issue 15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core.models import TimeStampedModel
from jisheng.orgs.models import Unit

# =========================================================================== submissions
# (helper "submit": a unit's report of one form for one period, up the tree)


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report status", "Draft")
    CHECKED = "checked", pgettext_lazy("report status", "Checked")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    APPROVED = "approved", pgettext_lazy("report status", "Approved")
    RETURNED = "returned", pgettext_lazy("report status", "Returned")


class Submission(TimeStampedModel):
    """One unit's report of one statistical form for one period (one row per unit, form
    and period). ``snapshot`` freezes at submission the figures of every cell AND the
    record references behind each cell (``Form.records``), and the adjustments to prior
    approved periods it carries; ``explanations`` are the unit's words on each check
    finding (rule → text)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="submissions"
    )
    form_key = models.CharField(_("form"), max_length=50)
    form_version = models.CharField(_("form version"), max_length=20, blank=True)
    period_code = models.CharField(_("period"), max_length=20)
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    deadline = models.DateField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)
    findings = models.JSONField(_("check findings"), default=list, blank=True)
    explanations = models.JSONField(_("explanations"), default=dict, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "form_key", "period_code"], name="reporting_submission_one"
            )
        ]
        indexes = [
            models.Index(fields=["form_key", "period_code", "status"], name="reporting_sub_grid"),
        ]

    def __str__(self) -> str:
        """Unit, form title and period in words (the closed periods' label shows it)."""
        from jisheng.core.registry import registry

        spec = registry["statforms"].get(self.form_key)
        title = str(spec.title) if spec is not None else self.form_key
        return f"{self.unit.name} · {title} · {self.period_label}"

    @property
    def period_label(self) -> str:
        """The period in words (2026年1月), not its code."""
        from jisheng.core.periods import PeriodError, parse

        try:
            return parse(self.period_code).label
        except PeriodError:
            return self.period_code

    @property
    def is_late(self) -> bool:
        """Submitted after its deadline, or not submitted and past it."""
        from django.utils import timezone

        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.deadline
        return timezone.localdate() > self.deadline


class ReconciliationNote(models.Model):
    """The unit's explanation of one record that differs between the approved year-end
    report and the registry now (对账: every difference explained record by record)."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("report submission"),
        on_delete=models.CASCADE,
        related_name="reconciliation_notes",
    )
    record = models.CharField(_("record"), max_length=100)  # "app_label.model:pk"
    explanation = models.CharField(_("explanation"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    scope_path_field = "submission__unit__path"

    class Meta:
        verbose_name = _("reconciliation note")
        verbose_name_plural = _("reconciliation notes")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "record"], name="reporting_reconciliation_one"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.record}"


# =========================================================================== form definitions
# (reporting/forms/*.yaml loaded by services_statforms; the latest version is in force)


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
