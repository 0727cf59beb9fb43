"""Demo late entries (补报/更正): last month closed for one village of the demo county —
unless an approved report has closed something already — and two follow-up visits
dated in it entered late with a reason, so the page 补报/更正记录 and the closed
periods show data. Loading again changes nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jisheng.core import locks
from jisheng.core.models import ClosedPeriod, LateEntry
from jisheng.orgs.demo import COUNTY_CODE
from jisheng.orgs.models import Unit
from jisheng.people.choices import PersonStatus
from jisheng.people.models import Person

DEMO_REASONS = ("随访记录本月初才交回", "入户随访漏录，据随访本补录")


def load_demo_late_entries(*, today: datetime.date | None = None) -> bool:
    """True when it wrote."""
    from jisheng.services.followup import visit_record

    county = Unit.objects.filter(code=COUNTY_CODE).first()
    if county is None or LateEntry.objects.filter(unit__path__startswith=county.path).exists():
        return False
    today = today or timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    first = last.replace(day=1)
    closure = ClosedPeriod.objects.filter(unit__path__startswith=county.path).first()
    women = Person.objects.filter(
        unit__path__startswith=county.path,
        sex="F",
        status=PersonStatus.REGISTERED,
        birth_date__lte=first - datetime.timedelta(days=20 * 365),
    ).select_related("unit")
    if closure is not None:
        women = women.filter(unit__path__startswith=closure.unit.path)
        first, last = closure.first, closure.last
    woman = women.order_by("pk").first()
    if woman is None:
        return False
    if closure is None:
        # the woman's village (her 村民小组's parent) closed by its approved month
        village = woman.unit
        if woman.unit.depth > county.depth + 2:
            village = Unit.objects.get(path=woman.unit.path[: -Unit.steplen])
        locks.close(unit=village, first=first, last=last, source=village, actor=None)
    written = False
    for day, reason, person in zip(
        (first + datetime.timedelta(days=9), last - datetime.timedelta(days=3)),
        DEMO_REASONS,
        women.filter(unit=woman.unit).order_by("pk")[:2],
        strict=False,
    ):
        visit_record(actor=None, person=person, visited_on=day, way="home", late_reason=reason)
        written = True
    return written
