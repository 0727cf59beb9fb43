"""The demo loader ``benefits_eligibility``: runs this year's sweeps of the demo county's
benefit kinds (as the system), so the pages have batches and cases to show."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from jisheng.benefits.models import Batch
from jisheng.benefits.selectors_eligibility import kinds_in_force
from jisheng.benefits.services_sweep import sweep
from jisheng.core.registry import register_demo_loader
from jisheng.orgs.demo import COUNTY_CODE
from jisheng.orgs.models import Unit


def load_demo_benefits() -> int:
    """The year's DRAFT batch of each kind of the county (once); the cases written."""
    county = Unit.objects.filter(code=COUNTY_CODE).first()
    if county is None or Batch.objects.filter(unit=county).exists():
        return 0
    year = timezone.localdate().year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    written = 0
    for key in kinds_in_force(county, end):
        try:
            batch = sweep(actor=None, kind=key, unit=county, period_start=start, period_end=end)
        except ValidationError:
            continue
        written += batch.case_count
    return written


def register() -> None:
    register_demo_loader("benefits_eligibility", load_demo_benefits, order=60)
