"""Scheduled jobs: a small schedule run by ``jisheng worker`` beside the task queue.

Apps register jobs, each a name and a django-tasks task, in the registry's ``jobs``
store (:mod:`jisheng.core.registry`; registering a name again replaces its job):

- **nightly** jobs (:func:`register`) run once a day after a local time of day;
- **interval** jobs (:func:`register_every`) run every N minutes, N read from the
  settings at each check (0 = off). The day is cut into slots of N minutes from local
  midnight (00:00, 00:05, …); a job runs once a slot.

``jisheng worker`` checks once a minute (:func:`enqueue_due`) and enqueues each job that
is due and has not been enqueued for its day (nightly) or its slot (interval). Every
enqueue is recorded as a :class:`~jisheng.core.models.ScheduledRun` row — ``(name,
day)`` for a nightly job, ``("name@HH:MM", day)`` for a slot — created in the same
transaction as the queued task: its unique key lets several workers on one database
share the schedule, the second one to claim a day or a slot gets an IntegrityError and
skips it. A worker started after the time (a server down overnight) enqueues a nightly
job at once. An interval job is not enqueued again while its previous run is still
queued or running (when the task backend can tell, as the database backend can), unless
that run is older than :data:`STALE_SLOTS` slots (a worker that died); slot rows older
than :data:`KEEP_DAYS` days are deleted.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from jisheng.core.registry import registry

logger = logging.getLogger(__name__)

# An unfinished previous run older than this many slots no longer holds the job back.
STALE_SLOTS = 3
# Rows of the slots of interval jobs are kept this many days.
KEEP_DAYS = 2
SLOT_SEPARATOR = "@"


@dataclass(frozen=True)
class Job:
    """A registered job: nightly (``at``) or every N minutes (``every``)."""

    name: str
    task: Any  # a django-tasks Task
    at: datetime.time | None = None
    every: Callable[[], int] | None = None  # minutes, read at each check; 0 = off
    enabled: Callable[[], bool] | None = None  # a nightly job's switch, read at each check

    @property
    def is_interval(self) -> bool:
        return self.every is not None

    def minutes(self) -> int:
        """The interval in minutes now (0: off); 0 for a nightly job."""
        return max(0, int(self.every())) if self.every is not None else 0

    def is_on(self) -> bool:
        if self.is_interval:
            return self.minutes() > 0
        return self.enabled is None or bool(self.enabled())

    def describe(self) -> str:
        """``"02:00 nightly"`` / ``"every 5 min"`` / ``"off"``."""
        if not self.is_on():
            return "off"
        if self.is_interval:
            return f"every {self.minutes()} min"
        assert self.at is not None
        return f"{self.at:%H:%M} nightly"


def jobs() -> dict[str, Job]:
    """The registered jobs by name (the registry's ``jobs`` store)."""
    store: dict[str, Job] = registry["jobs"]
    return store


def register(
    name: str, at: datetime.time, task: Any, *, enabled: Callable[[], bool] | None = None
) -> None:
    """A job enqueued once a day after the local time ``at`` (while ``enabled()``)."""
    if SLOT_SEPARATOR in name:
        raise ValueError(f"a job name cannot contain {SLOT_SEPARATOR!r}: {name}")
    jobs()[name] = Job(name, task, at=at, enabled=enabled)


def register_every(name: str, minutes: int | Callable[[], int], task: Any) -> None:
    """A job enqueued once every ``minutes`` (a number, or a function read at each check
    — e.g. of the settings; 0 = off), in slots counted from local midnight."""
    if SLOT_SEPARATOR in name:
        raise ValueError(f"a job name cannot contain {SLOT_SEPARATOR!r}: {name}")
    every = minutes if callable(minutes) else (lambda m=int(minutes): m)
    jobs()[name] = Job(name, task, every=every)


def slot_start(now: datetime.datetime, minutes: int) -> datetime.datetime:
    """The start of the slot of ``minutes`` (counted from local midnight) holding ``now``."""
    if minutes <= 0:
        raise ValueError("an interval must be positive")
    now = timezone.localtime(now)
    since_midnight = now.hour * 60 + now.minute
    start = since_midnight - since_midnight % minutes
    return now.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)


def slot_name(name: str, start: datetime.datetime) -> str:
    """The ScheduledRun name of one slot of an interval job: ``name@HH:MM``."""
    return f"{name}{SLOT_SEPARATOR}{start:%H:%M}"


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue the jobs due by ``now`` (local time): each nightly job not yet enqueued
    today, each interval job not yet enqueued in the current slot. Returns their names."""
    now = timezone.localtime(now)
    started: list[str] = []
    for job in list(jobs().values()):
        try:
            if not job.is_on():
                continue
        except Exception:  # a broken switch must not stop the other jobs
            logger.exception("cannot tell whether %s is on", job.name)
            continue
        if job.is_interval:
            if _enqueue_slot(job, now):
                started.append(job.name)
        elif _enqueue_nightly(job, now):
            started.append(job.name)
    return started


def _taken(name: str, day: datetime.date) -> bool:
    from jisheng.core.models import ScheduledRun

    return ScheduledRun.objects.filter(name=name, day=day).exists()


def _claim(job: Job, run_name: str, day: datetime.date) -> bool:
    """Record the run and enqueue the task in one transaction; False when another worker
    recorded it first."""
    from jisheng.core.models import ScheduledRun

    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(name=run_name, day=day)
            result = job.task.enqueue()
            run.task_id = str(getattr(result, "id", ""))[:64]
            run.save(update_fields=["task_id"])
    except IntegrityError:  # another worker was first
        return False
    logger.info("enqueued %s for %s", run_name, day)
    return True


def _enqueue_nightly(job: Job, now: datetime.datetime) -> bool:
    assert job.at is not None
    if now.time() < job.at or _taken(job.name, now.date()):
        return False
    return _claim(job, job.name, now.date())


def _enqueue_slot(job: Job, now: datetime.datetime) -> bool:
    minutes = job.minutes()
    start = slot_start(now, minutes)
    run_name = slot_name(job.name, start)
    if _taken(run_name, start.date()):
        return False
    if _unfinished(job, now, minutes):
        logger.info("%s: the previous run has not finished; slot %s skipped", job.name, run_name)
        return False
    if not _claim(job, run_name, start.date()):
        return False
    _prune(job, now)
    return True


def _last_run(job: Job) -> Any:
    from jisheng.core.models import ScheduledRun

    return (
        ScheduledRun.objects.filter(name__startswith=job.name + SLOT_SEPARATOR)
        .order_by("-enqueued_at", "-pk")
        .first()
    )


def _unfinished(job: Job, now: datetime.datetime, minutes: int) -> bool:
    """Whether the job's previous run is still queued or running (and not stale)."""
    from django_tasks import TaskResultStatus

    run = _last_run(job)
    if run is None or not run.task_id:
        return False
    if run.enqueued_at < now - datetime.timedelta(minutes=STALE_SLOTS * minutes):
        return False
    try:
        if not getattr(job.task.get_backend(), "supports_get_result", False):
            return False
        status = job.task.get_result(run.task_id).status
    except Exception:  # a result the backend no longer has: not holding the job back
        return False
    return status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def _prune(job: Job, now: datetime.datetime) -> int:
    """Delete the job's slot rows older than :data:`KEEP_DAYS` days."""
    from jisheng.core.models import ScheduledRun

    deleted, _ = ScheduledRun.objects.filter(
        name__startswith=job.name + SLOT_SEPARATOR,
        day__lt=now.date() - datetime.timedelta(days=KEEP_DAYS),
    ).delete()
    return deleted
