"""Demo services: methods, visits, schedules and one campaign round for the demo county.

:func:`load_demo_services` gives the demo county's married women methods and visits
(:mod:`jisheng.services.synthetic`), derives every schedule (as the nightly job does)
and opens this autumn's comprehensive-service round in 青石镇, once: loading again
finds the records and changes nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from jisheng.orgs.demo import COUNTY_CODE
from jisheng.orgs.models import Unit
from jisheng.people.demo import DEMO_SEED
from jisheng.services.campaigns import round_create
from jisheng.services.followup import schedules_rebuild_all
from jisheng.services.models import CampaignRound, ContraceptionRecord
from jisheng.services.synthetic import generate_services

DEMO_ROUND_UNIT = "990100001000"  # 青石镇


def load_demo_services(*, today: datetime.date | None = None) -> bool:
    """Fill the demo county's services unless they are there; True when it wrote."""
    county = Unit.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return False
    if ContraceptionRecord.objects.filter(unit__path__startswith=county.path).exists():
        return False
    today = today or timezone.localdate()
    generate_services(root=county, seed=DEMO_SEED, end=today)
    schedules_rebuild_all(root=county, today=today)
    town = Unit.objects.filter(code=DEMO_ROUND_UNIT).first()
    if town is not None and not CampaignRound.objects.filter(unit=town).exists():
        start = today.replace(day=1)
        round_create(
            actor=None,
            unit=town,
            campaign_id="comprehensive_service",
            period_start=start,
            period_end=start + datetime.timedelta(days=60),
        )
    return True
