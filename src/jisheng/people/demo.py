"""Demo persons: a few thousand fictional residents of the demo county (示范县).

:func:`load_demo_persons` generates them with the synthetic population generator
(:mod:`jisheng.people.synthetic`, written by :mod:`jisheng.people.bulk`) once; loading
again finds them (by the seed's household numbers) and changes nothing.
"""

from __future__ import annotations

import datetime

from jisheng.orgs.demo import COUNTY_CODE
from jisheng.orgs.models import Unit
from jisheng.people.bulk import LoadResult, generate_persons

DEMO_PERSONS = 3000
DEMO_SEED = 2026


def load_demo_persons(*, count: int = DEMO_PERSONS, end: datetime.date | None = None) -> LoadResult:
    """Give the demo county ``count`` persons unless they are there already.

    Returns what was written (``skipped`` when nothing was, persons 0 when the demo
    county itself is missing).
    """
    county = Unit.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return LoadResult(skipped=True)
    return generate_persons(root=county, count=count, seed=DEMO_SEED, end=end, workers=0)
