"""``jisheng worker``: runs the queued background tasks and the scheduled jobs.

The task queue is django-tasks' database worker (``db_worker``'s ``Worker``); beside it
a thread enqueues the jobs of :mod:`jisheng.core.periodic` — nightly ones and those
that run every few minutes (the dashboard's refresh) — when their time comes (checked
every ``--interval`` seconds), and another writes the worker's heartbeat
(:mod:`jisheng.core.workers`) every few seconds and ends the tasks of workers that died.

The worker survives a lost database connection: the queue's error is caught, the
connections are closed, and it tries again after 1 s, 2 s, 4 s … at most 60 s (a task
that was running when the connection went is ended as failed). ``jisheng serve`` starts
it under a supervisor that restarts it when it ends (:mod:`jisheng.core.supervisor`).
At start it ends as failed the tasks left running by the workers named by
``--recover-worker`` (the supervisor names the one it saw die) and by workers whose
heartbeat stopped.

``--schedule-only`` enqueues what is due once and exits (for cron); ``--jobs`` lists
the registered jobs and when they run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections, connections
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from jisheng.core import periodic, workers

logger = logging.getLogger(__name__)

FIRST_DELAY = 1.0
MAX_DELAY = 60.0


def _schedule_loop(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            periodic.enqueue_due()
        except Exception:  # keep the schedule alive; the log says what failed
            logger.exception("the job schedule failed")
        finally:
            close_old_connections()
        stop.wait(interval)


def _heartbeat_loop(stop: threading.Event, worker_id: str, seconds: float) -> None:
    """Beat every ``seconds``; every few beats, end the tasks of dead workers."""
    count = 0
    while not stop.is_set():
        try:
            workers.beat(worker_id)
            if count % 4 == 0:
                workers.recover_interrupted()
        except Exception:  # the database is away: the next beat tries again
            logger.warning("worker %s: heartbeat failed", worker_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only
        count += 1
        stop.wait(seconds)


def run_queue(
    make_worker: Callable[[], Any],
    *,
    worker_id: str,
    sleep: Callable[[float], None] = time.sleep,
    first_delay: float = FIRST_DELAY,
    max_delay: float = MAX_DELAY,
) -> None:
    """Run the queue until it returns (batch, max tasks) or a signal stops it; a lost
    database connection is waited out with a doubling delay (reset once the queue
    runs again), and a task it interrupted is ended as failed."""
    delay = first_delay
    while True:
        started = time.monotonic()
        try:
            make_worker().run()
            return
        except DatabaseError as exc:
            if time.monotonic() - started > max_delay:  # it ran well for a while
                delay = first_delay
            logger.error(
                "worker %s: lost the database (%s: %s); trying again in %.0f s",
                worker_id,
                type(exc).__name__,
                exc,
                delay,
            )
            connections.close_all()
            sleep(delay)
            delay = min(delay * 2, max_delay)
            try:  # a task of ours that was running when the connection went
                workers.recover_interrupted(dead=[worker_id])
            except DatabaseError:
                connections.close_all()


class Command(BaseCommand):
    help = _("Run the background task queue and the scheduled jobs.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between checks")
        parser.add_argument(
            "--schedule-only", action="store_true", help="enqueue due jobs once and exit"
        )
        parser.add_argument(
            "--jobs", action="store_true", help="list the scheduled jobs and when they run"
        )
        parser.add_argument(
            "--worker-id", default="", help="this worker's id (default: a random one)"
        )
        parser.add_argument(
            "--recover-worker",
            action="append",
            default=[],
            help="a worker known to have died: its running tasks end as failed",
        )
        parser.add_argument("--batch", action="store_true", help="run the queued tasks, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jobs"]:
            for name, job in sorted(periodic.jobs().items()):
                self.stdout.write(f"{name}\t{job.describe()}")
            return
        if options["schedule_only"]:
            for name in periodic.enqueue_due():
                self.stdout.write(name)
            return
        from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
        from django_tasks_db.management.commands.db_worker import Worker

        worker_id = (options["worker_id"] or get_random_string(32))[:64]
        self._start(worker_id, options["recover_worker"])
        stop = threading.Event()
        threads = [
            threading.Thread(target=_schedule_loop, args=(stop, options["interval"]), daemon=True),
            threading.Thread(
                target=_heartbeat_loop,
                args=(stop, worker_id, workers.HEARTBEAT_SECONDS),
                daemon=True,
            ),
        ]
        for thread in threads:
            thread.start()
        first = [True]

        def make_worker() -> Worker:
            worker = Worker(
                queue_names=[DEFAULT_TASK_QUEUE_NAME],
                interval=1,
                batch=options["batch"],
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=first[0],
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            )
            first[0] = False
            worker.configure_signals()
            return worker

        logger.info("worker %s started", worker_id)
        try:
            run_queue(make_worker, worker_id=worker_id)
        finally:
            stop.set()

    def _start(self, worker_id: str, dead: list[str]) -> None:
        """The first heartbeat and the recovery of interrupted tasks, waiting out a
        database that does not answer yet."""
        delay = FIRST_DELAY
        while True:
            try:
                workers.beat(worker_id)
                recovered = workers.recover_interrupted(dead=dead)
                workers.prune()
            except DatabaseError as exc:
                logger.error(
                    "worker %s: the database does not answer (%s); trying again in %.0f s",
                    worker_id,
                    exc,
                    delay,
                )
                connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
                continue
            if recovered:
                logger.warning(
                    "worker %s: %d interrupted task(s) marked failed", worker_id, recovered
                )
            return
