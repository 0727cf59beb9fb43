"""Background work of the reports app: the dashboard's figures kept warm.

Two jobs of :mod:`jisheng.core.periodic`, run by ``jisheng worker``:

- ``reports.dashboard_refresh`` every ``JISHENG_DASHBOARD_REFRESH_MINUTES`` (default 5;
  0 = off): the current quarter's figures of every unit down to the villages, the
  running month's trend point, the worklist counts of the county and its townships
  (:func:`jisheng.reports.dashboard.warm_current`);
- ``reports.dashboard_months`` once a night: the ended months of the trend
  (:func:`jisheng.reports.dashboard.warm_ended_months`).

Both are off while the refresh interval is 0 or figures are not cached at all.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django_tasks import task

from jisheng.core import periodic

logger = logging.getLogger(__name__)

REFRESH_JOB = "reports.dashboard_refresh"
MONTHS_JOB = "reports.dashboard_months"
# After the nightly rebuild of the follow-up schedules (02:00), whose visits due the
# follow-up rate counts.
MONTHS_AT = datetime.time(3, 0)


@task()
def refresh_dashboards() -> dict[str, Any]:
    """Write the dashboard figures of the current quarter (and what else is due)."""
    from jisheng.reports.dashboard import warm_current

    report = warm_current()
    logger.info(
        "dashboard refresh: %d entries, %d engine passes in %.1f s",
        report.entries,
        report.passes,
        report.seconds,
    )
    return report.as_dict()


@task()
def refresh_ended_months() -> dict[str, Any]:
    """Write the trend points of the months that have ended."""
    from jisheng.reports.dashboard import warm_ended_months

    report = warm_ended_months()
    logger.info(
        "dashboard months %s: %d entries in %.1f s",
        ",".join(report.months),
        report.entries,
        report.seconds,
    )
    return report.as_dict()


def _refresh_minutes() -> int:
    from jisheng.reports.dashboard import refresh_minutes

    return refresh_minutes()


def register() -> None:
    """Register both jobs (called by the app's ``ready()``)."""
    periodic.register_every(REFRESH_JOB, _refresh_minutes, refresh_dashboards)
    periodic.register(
        MONTHS_JOB, MONTHS_AT, refresh_ended_months, enabled=lambda: _refresh_minutes() > 0
    )
