"""Background work of the services app: the nightly rebuild of every schedule and the
rounds of the coming month created from the packs' campaign months."""

from __future__ import annotations

import datetime
import logging

from django_tasks import task

from jisheng.core import periodic

logger = logging.getLogger(__name__)

NIGHTLY_AT = datetime.time(2, 0)


@task()
def rebuild_schedules() -> int:
    """Derive every person's visits due again (new periods, birthdays, bulk loads)."""
    from jisheng.services.followup import schedules_rebuild_all

    count = schedules_rebuild_all()
    logger.info("rebuilt the follow-up schedules: %d visits due", count)
    return count


@task()
def create_rounds() -> int:
    """Create the rounds of this month and the next that the packs plan (idempotent)."""
    from jisheng.services.campaigns import rounds_create_from_packs

    count = len(rounds_create_from_packs())
    logger.info("created %d service rounds from the policy packs", count)
    return count


periodic.register("services.rebuild_schedules", NIGHTLY_AT, rebuild_schedules)
periodic.register("services.create_rounds", NIGHTLY_AT, create_rounds)
