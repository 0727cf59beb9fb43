"""Nightly jobs: a small schedule run by ``jisheng worker`` beside the task queue.

Apps register jobs (:func:`register`): a name, a local time of day and a django-tasks
task. ``jisheng worker`` checks once a minute (:func:`enqueue_due`) and enqueues each
job whose time has come today and that has not been enqueued today — recorded as a
:class:`~jisheng.core.models.ScheduledRun` row whose unique (name, day) key lets
several workers share one database safely. A worker started after the time (a server
down overnight) enqueues the job at once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    at: datetime.time
    task: Any  # a django-tasks Task


JOBS: dict[str, Job] = {}


def register(name: str, at: datetime.time, task: Any) -> None:
    JOBS[name] = Job(name, at, task)


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue the jobs due by ``now`` (local time) and not yet enqueued today."""
    from jisheng.core.models import ScheduledRun

    now = timezone.localtime(now)
    started: list[str] = []
    for job in JOBS.values():
        if now.time() < job.at:
            continue
        if ScheduledRun.objects.filter(name=job.name, day=now.date()).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=job.name, day=now.date())
                result = job.task.enqueue()
                run.task_id = str(getattr(result, "id", ""))[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:  # another worker was first
            continue
        logger.info("enqueued %s for %s", job.name, now.date())
        started.append(job.name)
    return started
