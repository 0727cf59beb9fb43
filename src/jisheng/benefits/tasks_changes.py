"""The nightly job of the changes part: stops due (birthdays, bulk-loaded deaths and
moves) — ``benefits.stops``, also ``jisheng benefits stops``."""

from __future__ import annotations

import datetime
import logging

from django_tasks import task

from jisheng.core import periodic

logger = logging.getLogger(__name__)

NIGHTLY_AT = datetime.time(2, 30)


@task()
def scan_stops() -> int:
    from jisheng.benefits.services_changes import scan_stops as scan

    count = len(scan())
    logger.info("benefits: %d entitlements stopped", count)
    return count


def register() -> None:
    periodic.register("benefits.stops", NIGHTLY_AT, scan_stops)
