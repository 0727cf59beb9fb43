"""Base models, the audit log and API tokens.

``core`` imports no domain app: scoped models only declare which path field places
them in the organisation tree (``scope_path_field``) and the scope helper does the rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.core.choices import AuditAction


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ImmutableError(Exception):
    """Raised when code tries to change or delete an append-only record."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("audit events cannot be changed")

    def delete(self):
        raise ImmutableError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One append-only line of the audit log: who did what to which object, from where."""

    timestamp = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    unit_code = models.CharField(_("user's unit code"), max_length=32, blank=True)
    unit_name = models.CharField(_("user's unit"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    object_scope_path = models.CharField(
        _("object's tree path"), max_length=255, blank=True, db_index=True
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_path = models.CharField(_("request path"), max_length=500, blank=True)
    request_id = models.CharField(_("request ID"), max_length=32, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("audit events cannot be deleted")


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class ScheduledRun(models.Model):
    """One run of a nightly job (``core.periodic``) on one day: the unique key makes
    sure that several workers enqueue it once."""

    name = models.CharField(_("job"), max_length=100)
    day = models.DateField(_("day"))
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="core_scheduledrun_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"


class WorkerHeartbeat(models.Model):
    """One background worker (``jisheng worker``): it rewrites ``beat_at`` every few
    seconds, so the health page can tell a live worker from one that died, and a task
    left running by a worker whose beat stopped is known to be interrupted."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process ID"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class KeyCheck(models.Model):
    """A check value of one key (``field_key``, ``lookup_key``), stored when the key is
    first used: a later start compares it with the configured key and refuses a missing
    or different one (:mod:`jisheng.core.keycheck`). It reveals nothing of the key."""

    name = models.CharField(_("key"), max_length=32, unique=True)
    value = models.TextField(_("check value"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("key check")
        verbose_name_plural = _("key checks")

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """The first answer to a ``POST`` sent with an ``Idempotency-Key`` header, kept so that
    a retry with the same key (same user, same path) gets it again and writes nothing
    (:mod:`jisheng.api.idempotency`). Created in the transaction of the write it
    guards: the unique key makes a simultaneous second request wait for the first and
    then answer its result. Kept :data:`jisheng.api.idempotency.KEEP_HOURS` hours."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    path = models.CharField(_("path"), max_length=500)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    body = models.TextField(_("response body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "path", "key"], name="core_idempotency_user_path_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.path}"


class ImportJob(models.Model):
    """One Excel import run in the background: its importer kind, options, progress and
    outcome (see ``jisheng.core.imports``).

    ``kind`` names an importer of the registry (``jisheng.core.excel.get_importer``).
    Only the user who started it sees it (pages answer 404 to anyone else). ``total`` and
    ``done`` count the rows checked, for the progress bar; ``result`` is the summary
    (counts, the first rejected rows, what the importer reports besides);
    ``errors_token`` downloads the error workbook (see ``jisheng.core.excel``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        READING = "reading", _("Reading the file")
        CHECKING = "checking", _("Checking the rows")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    kind = models.CharField(_("kind"), max_length=20)
    file_name = models.CharField(_("file name"), max_length=255)
    # The uploaded file under var/imports/ while the job waits or runs (removed after).
    stored_path = models.CharField(_("stored file"), max_length=500, blank=True)
    unit_code = models.CharField(_("default unit code"), max_length=32, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    valid_rows_only = models.BooleanField(_("valid rows only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    errors_token = models.CharField(_("error workbook"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The interface language of the upload: the reasons are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    task_id = models.CharField(_("task ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="core_importjob_user")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def kind_label(self) -> str:
        """What the file holds, in words (the importer's label; the kind if unknown)."""
        from jisheng.core.excel import get_importer

        try:
            return get_importer(self.kind).title
        except KeyError:
            return self.kind


class DecisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("decisions cannot be changed")


class Decision(models.Model):
    """One step of a workflow (``core.workflow``) on any object: who moved it from which
    status to which, when, and with what message (a return's 退回意见). Append-only."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("object type"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("object ID"))
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from status"), max_length=32)
    to_status = models.CharField(_("to status"), max_length=32)
    message = models.CharField(_("message"), max_length=1000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("decided by"), max_length=150, blank=True)
    at = models.DateTimeField(_("decided at"), default=timezone.now, db_index=True)
    # The unit the object belongs to (its scope): who may read the decision.
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DecisionQuerySet.as_manager()

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="core_decision_object"),
            models.Index(fields=["action", "at"], name="core_decision_action"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("decisions cannot be changed")
        super().save(*args, **kwargs)


class ClosedPeriod(models.Model):
    """A period closed for a unit's subtree because its statistical report was approved
    (``core.locks``): a record dated inside it is a late entry (补报/更正) that needs a
    reason. ``source`` is what closed it (the approved report); reopening that report
    removes the closure."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("closed by record type"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("closed by record ID"))
    label = models.CharField(_("closed by"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["-first", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="core_closedperiod_source"
            ),
        ]
        indexes = [models.Index(fields=["unit", "first", "last"], name="core_closed_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.first}–{self.last}"


class LateEntry(models.Model):
    """A record dated inside a closed period (``core.locks.require_open``): what, when,
    who entered it late and why. The next open report shows it as an adjustment to the
    closed period; the approved report keeps its figures."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("dated"))
    first = models.DateField(_("closed period from"))
    last = models.DateField(_("closed period to"))
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("record type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("record ID"), null=True, blank=True)
    what = models.CharField(_("record"), max_length=200, blank=True)
    reason = models.CharField(_("reason for the late entry"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("late entry")
        verbose_name_plural = _("late entries")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["unit", "day"], name="core_lateentry_unit_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.what}"
