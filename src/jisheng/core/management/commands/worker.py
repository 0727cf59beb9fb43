"""``jisheng worker``: runs the queued background tasks and the scheduled jobs.

The task queue is django-tasks' database worker (``db_worker``); beside it a thread
enqueues the jobs of :mod:`jisheng.core.periodic` — nightly ones and those that run
every few minutes (the dashboard's refresh) — when their time comes (checked every
``--interval`` seconds). ``jisheng serve`` starts it beside the web server.
``--schedule-only`` enqueues what is due once and exits (for cron); ``--jobs`` lists
the registered jobs and when they run.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext_lazy as _

from jisheng.core import periodic

logger = logging.getLogger(__name__)


def _schedule_loop(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            periodic.enqueue_due()
        except Exception:  # keep the schedule alive; the log says what failed
            logger.exception("the job schedule failed")
        finally:
            close_old_connections()
        stop.wait(interval)


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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jobs"]:
            for name, job in sorted(periodic.JOBS.items()):
                self.stdout.write(f"{name}\t{job.describe()}")
            return
        if options["schedule_only"]:
            for name in periodic.enqueue_due():
                self.stdout.write(name)
            return
        stop = threading.Event()
        thread = threading.Thread(
            target=_schedule_loop, args=(stop, options["interval"]), daemon=True
        )
        thread.start()
        try:
            call_command("db_worker")
        finally:
            stop.set()
