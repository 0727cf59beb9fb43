"""The background workers' health: heartbeats, interrupted tasks, the queue's state.

``jisheng worker`` writes a :class:`~jisheng.core.models.WorkerHeartbeat` row every
:data:`HEARTBEAT_SECONDS`; a worker is *fresh* while its last beat is younger than
:data:`FRESH_SECONDS`. ``/healthz`` and the system status page read the newest beat.

A task that was running when its worker died (``kill -9``, a crash, a lost database
connection in the middle of the task) would stay "running" forever. Such tasks end as
failed with a Chinese reason (:data:`INTERRUPTED`) — on the next worker start (the
supervisor of ``jisheng serve`` names the worker that died), and from any live worker
once the dead one's heartbeat is stale — and django-tasks' ``task_finished`` signal is
sent for them, so the owner of the task (e.g. the import job of the registry) can end
its own record and delete its files.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
FRESH_SECONDS = 60
# A running task whose worker left no heartbeat at all (e.g. a plain ``jisheng
# db_worker``) counts as interrupted only after this long.
NO_HEARTBEAT_GRACE = datetime.timedelta(hours=6)
# Heartbeat rows of workers gone this long are deleted.
KEEP_HEARTBEATS = datetime.timedelta(days=7)
INTERRUPTED = _("The background task process was interrupted; please try again.")
INTERRUPTED_EXCEPTION = "jisheng.core.workers.WorkerInterrupted"


class WorkerInterrupted(Exception):
    """Recorded as the exception of a task whose worker died while running it."""


def beat(worker_id: str, *, now: datetime.datetime | None = None) -> None:
    """Record that ``worker_id`` is alive now."""
    from jisheng.core.models import WorkerHeartbeat

    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"beat_at": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        )


def last_beat() -> datetime.datetime | None:
    """The newest heartbeat of any worker (None: no worker ever ran)."""
    from jisheng.core.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def is_fresh(beat_at: datetime.datetime | None, now: datetime.datetime | None = None) -> bool:
    if beat_at is None:
        return False
    now = now or timezone.now()
    return now - beat_at <= datetime.timedelta(seconds=FRESH_SECONDS)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def dead_workers(worker_ids: set[str], *, now: datetime.datetime) -> set[str]:
    """Of ``worker_ids``, those that are gone: a stale heartbeat, or a process of this
    host that no longer exists. Ids without any heartbeat are not judged here."""
    from jisheng.core.models import WorkerHeartbeat

    host = socket.gethostname()[:255]
    dead = set()
    for row in WorkerHeartbeat.objects.filter(worker_id__in=worker_ids):
        if not is_fresh(row.beat_at, now) or (row.hostname == host and not _pid_alive(row.pid)):
            dead.add(row.worker_id)
    return dead


def _db_backend_results() -> Any:
    """The database backend's task results (None without django_tasks_db)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a dependency
        return None
    return DBTaskResult


def recover_interrupted(
    *, dead: tuple[str, ...] | list[str] = (), now: datetime.datetime | None = None
) -> int:
    """End as failed the running tasks whose worker died; returns how many.

    ``dead``: ids of workers known to be gone (the supervisor names the worker it saw
    die; a worker names itself after losing the database in the middle of a task).
    Besides those, a running task's worker is dead when its heartbeat is stale or its
    process on this host is gone, or — without any heartbeat — after
    :data:`NO_HEARTBEAT_GRACE`.
    """
    from django_tasks.signals import task_finished
    from django_tasks_db.compat import TaskResultStatus

    DBTaskResult = _db_backend_results()
    if DBTaskResult is None:
        return 0
    now = now or timezone.now()
    running = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING))
    if not running:
        return 0
    owners = {(r.worker_ids or [""])[-1] for r in running}
    from jisheng.core.models import WorkerHeartbeat

    known = set(
        WorkerHeartbeat.objects.filter(worker_id__in=owners).values_list("worker_id", flat=True)
    )
    gone = set(dead) | dead_workers(owners & known, now=now)
    recovered = 0
    for result in running:
        owner = (result.worker_ids or [""])[-1]
        started = result.started_at or result.enqueued_at
        interrupted = owner in gone or (owner not in known and started < now - NO_HEARTBEAT_GRACE)
        if not interrupted or not _fail(result, now=now):
            continue
        recovered += 1
        try:
            task_result = result.task_result
            task_finished.send(sender=type(task_result.task.get_backend()), task_result=task_result)
        except Exception:  # a task that can no longer be imported: logged, not fatal
            logger.exception("cannot announce the end of interrupted task %s", result.id)
    return recovered


def _fail(result: Any, *, now: datetime.datetime) -> bool:
    """Mark one running task failed (unless it ended meanwhile)."""
    from django.utils import translation
    from django_tasks_db.compat import TaskResultStatus

    with translation.override("zh-hans"):
        reason = str(INTERRUPTED)
    updated = (
        type(result)
        .objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING)
        .update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=INTERRUPTED_EXCEPTION,
            traceback=f"{INTERRUPTED_EXCEPTION}: {reason}\n",
            return_value=None,
        )
    )
    if updated:
        result.refresh_from_db()
        logger.warning("task %s (%s) was interrupted: marked failed", result.id, result.task_path)
    return bool(updated)


def prune(now: datetime.datetime | None = None) -> int:
    """Delete heartbeats of workers gone for :data:`KEEP_HEARTBEATS`."""
    from jisheng.core.models import WorkerHeartbeat

    now = now or timezone.now()
    deleted, _rows = WorkerHeartbeat.objects.filter(beat_at__lt=now - KEEP_HEARTBEATS).delete()
    return deleted


# --------------------------------------------------------------------------- health


@dataclass(frozen=True)
class Health:
    database: bool
    last_beat: datetime.datetime | None
    worker_fresh: bool
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        """What ``/healthz`` answers: no personal data, no host names, no ids."""
        return {
            "status": "ok"
            if self.database and self.worker_fresh
            else "degraded"
            if self.database
            else "error",
            "database": "ok" if self.database else "error",
            "worker": {
                "last_beat": self.last_beat.isoformat() if self.last_beat else None,
                "fresh": self.worker_fresh,
                "fresh_seconds": FRESH_SECONDS,
            },
        }


def health() -> Health:
    """Whether the database answers, and the workers' last heartbeat."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        beat_at = last_beat()
    except DatabaseError as exc:
        logger.warning("health check: the database does not answer: %s", exc)
        return Health(database=False, last_beat=None, worker_fresh=False, error=type(exc).__name__)
    return Health(database=True, last_beat=beat_at, worker_fresh=is_fresh(beat_at))


def queue_counts() -> dict[str, int]:
    """Tasks waiting, running, and failed in the last 7 days (database backend)."""
    from django_tasks_db.compat import TaskResultStatus

    DBTaskResult = _db_backend_results()
    if DBTaskResult is None:
        return {"ready": 0, "running": 0, "failed": 0}
    since = timezone.now() - datetime.timedelta(days=7)
    results = DBTaskResult.objects.all()
    return {
        "ready": results.filter(status=TaskResultStatus.READY).count(),
        "running": results.filter(status=TaskResultStatus.RUNNING).count(),
        "failed": results.filter(status=TaskResultStatus.FAILED, finished_at__gte=since).count(),
    }


def recent_tasks(status: str, limit: int = 20) -> list[Any]:
    """The newest tasks of one status (for the system page: name and times only)."""
    DBTaskResult = _db_backend_results()
    if DBTaskResult is None:
        return []
    return list(
        DBTaskResult.objects.filter(status=status)
        .order_by("-enqueued_at")
        .only(
            "id",
            "task_path",
            "status",
            "enqueued_at",
            "started_at",
            "finished_at",
            "exception_class_path",
        )[:limit]
    )


# What the system page calls the known tasks (by function name).
TASK_LABELS = {
    "run_import_job": _("Excel import"),
    "rebuild_schedules": _("Rebuild the follow-up schedules"),
    "refresh_dashboards": _("Refresh the dashboard's figures"),
    "refresh_ended_months": _("Recompute the ended months"),
}


def task_label(result: Any) -> str:
    """What the system page calls a task: its name in words, else its function's name."""
    name = result.task_path.rsplit(".", 1)[-1]
    return str(TASK_LABELS.get(name, name))


def failure_reason(result: Any) -> str:
    if result.exception_class_path == INTERRUPTED_EXCEPTION:
        return str(INTERRUPTED)
    return result.exception_class_path.rsplit(".", 1)[-1]
