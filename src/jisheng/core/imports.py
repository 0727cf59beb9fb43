"""Background Excel imports: the :class:`~jisheng.core.models.ImportJob` life cycle, for
every importer kind of the registry (``jisheng.core.excel.get_importer``).

The import page stores the upload under ``var/imports/``, creates an ``ImportJob`` for
the importer's kind and enqueues :data:`run_import_job` (django-tasks; the database
backend runs it in ``jisheng worker``, a small upload runs at once on the ``immediate``
backend). The task looks the importer up by the job's kind, checks that the user still
holds the importer's permissions, reads the file and checks the rows — writing
``done``/``total`` to the job every second or so, outside any transaction, so that the
page's progress bar can follow — then saves (status ``saving``: one transaction, whose
progress nobody else can see before it commits) and stores the summary and the error
workbook for the user who started it.

A job is its user's only: :func:`jobs_of` and :func:`job_of` never return another
user's job.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished

from jisheng.core.excel import ExcelImportError, ImportResult, get_importer, store_error_workbook
from jisheng.core.models import ImportJob

logger = logging.getLogger(__name__)

# Seconds between two progress writes while rows are checked.
PROGRESS_INTERVAL = 0.8
# Rejected rows (and the importer's other lists) kept in the job for the page (the error
# workbook has every rejected row).
SHOWN_ITEMS = 500


def _uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


# --------------------------------------------------------------------------- selectors


def jobs_of(*, user: Any, kinds: list[str] | None = None) -> QuerySet[ImportJob]:
    """The import jobs ``user`` started (of ``kinds``, if given), newest first."""
    jobs = ImportJob.objects.filter(user=user)
    if kinds is not None:
        jobs = jobs.filter(kind__in=kinds)
    return jobs


def job_of(*, user: Any, pk: int) -> ImportJob | None:
    """The job ``pk`` if ``user`` started it, else None (another user's job is unseen)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ImportJob.objects.filter(pk=pk, user=user).first()


# --------------------------------------------------------------------------- services


def job_create(
    *,
    user: Any,
    upload: UploadedFile,
    kind: str,
    unit_code: str = "",
    dry_run: bool = False,
    valid_rows_only: bool = False,
) -> ImportJob:
    """Store the upload and create its job (not yet enqueued). ``kind`` must be a
    registered importer kind (``ValueError`` otherwise)."""
    try:
        get_importer(kind)
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}") from None
    directory = _uploads_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / f"{uuid.uuid4().hex}.upload"
    # Personal data: readable by the server's user only, whatever the umask.
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return ImportJob.objects.create(
        user=user,
        kind=kind,
        file_name=Path(upload.name or "upload.xlsx").name[:255],
        stored_path=str(target),
        unit_code=unit_code,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


def job_enqueue(job: ImportJob, *, size: int | None = None) -> ImportJob:
    """Run the job in the background, or at once when the upload is small."""
    inline = size is not None and size <= settings.JISHENG_IMPORT_INLINE_BYTES
    runner = run_import_job.using(backend="immediate") if inline else run_import_job
    result = runner.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def _save(job: ImportJob, **values: Any) -> None:
    for key, value in values.items():
        setattr(job, key, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def _summary(importer: Any, result: ImportResult) -> dict[str, Any]:
    return {
        **result.as_dict(),
        "rejected_rows": [
            {
                "row": item.row_number,
                "reasons": item.reasons,
                "label": importer.describe_row(item.row),
            }
            for item in result.rejected[:SHOWN_ITEMS]
        ],
        **result.details(limit=SHOWN_ITEMS),
    }


def job_run(job_id: int) -> dict[str, Any]:
    """Run one import job to its end (done or failed); returns its summary."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.result
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _run(job)
        except (ExcelImportError, PermissionDenied) as exc:
            _save(
                job,
                status=ImportJob.Status.FAILED,
                message=str(exc) or _("Permission denied."),
                finished_at=timezone.now(),
            )
        except Exception:
            logger.exception("import job %s failed", job.pk)
            _save(
                job,
                status=ImportJob.Status.FAILED,
                message=_(
                    "The import failed because of an error in the system; nothing was saved."
                ),
                finished_at=timezone.now(),
            )
        finally:
            if job.stored_path:
                Path(job.stored_path).unlink(missing_ok=True)
                _save(job, stored_path="")
    return job.result


def _run(job: ImportJob) -> None:
    user = job.user
    try:
        importer = get_importer(job.kind)
    except KeyError:
        raise ExcelImportError(
            _("Unknown kind of import: %(kind)s.") % {"kind": job.kind}
        ) from None
    if not importer.may_import(user):
        raise PermissionDenied(_("You may not import this kind of data."))
    _save(job, status=ImportJob.Status.READING, started_at=timezone.now())
    last = 0.0

    def progress(done: int, total: int, phase: str) -> None:
        nonlocal last
        if phase == "check":
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL or done == total:
                last = now
                _save(job, status=ImportJob.Status.CHECKING, done=done, total=total)
        elif phase == "save" and done == 0:
            _save(job, status=ImportJob.Status.SAVING, done=job.total)

    result = importer.import_file(
        job.stored_path,
        filename=job.file_name,
        actor=user,
        unit_code=job.unit_code,
        dry_run=job.dry_run,
        valid_rows_only=job.valid_rows_only,
        progress=progress,
        on_read=lambda total: _save(job, status=ImportJob.Status.CHECKING, total=total),
    )
    token = ""
    if result.rejected:
        token = store_error_workbook(importer.error_workbook(result), user=user)
    _save(
        job,
        status=ImportJob.Status.DONE,
        done=job.total,
        result=_summary(importer, result),
        errors_token=token,
        finished_at=timezone.now(),
    )


@task()
def run_import_job(job_id: int) -> dict[str, Any]:
    """The django-tasks task: a thin wrapper around :func:`job_run`."""
    return job_run(job_id)


def job_fail_interrupted(job_id: int) -> bool:
    """End a job whose task ended without it (its worker died, the database went away):
    failed, with the reason in the job's language; its upload is deleted. False when
    the job had already ended."""
    from jisheng.core.workers import INTERRUPTED

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return False
    with translation.override(job.language or settings.LANGUAGE_CODE):
        message = str(INTERRUPTED)
    updated = (
        ImportJob.objects.filter(pk=job.pk)
        .exclude(status__in=(ImportJob.Status.DONE, ImportJob.Status.FAILED))
        .update(status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now())
    )
    if job.stored_path:
        Path(job.stored_path).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(stored_path="")
    return bool(updated)


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A failed import task whose job is still open: the job fails too."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    try:
        if task_result.task.module_path != run_import_job.module_path:
            return
        job_id = int(task_result.args[0])
    except (ImportError, AttributeError, IndexError, TypeError, ValueError):
        return
    job_fail_interrupted(job_id)


task_finished.connect(on_task_finished, dispatch_uid="jisheng.core.import_task_finished")
