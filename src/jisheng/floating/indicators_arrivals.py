"""The arrivals' indicators (service quality, SPEC §4; issue 17), registered with the
indicator engine from the app's ``ready()`` (beside the migrants app's 验证率
``migrant_verification_rate``, which stays as it is):

- ``in_migrant_registration_timeliness`` 流动人口登记及时率: arrivals registered within
  the period whose registration date is not after their due date ÷ arrivals registered
  within the period, by residence unit. An arrival counts in the period in which she
  was *registered* (an arrival on the last day of a quarter registered in the next
  counts in the next); a late registration counts, as not timely.
- ``in_migrant_certificate_rate`` 流入人员办证率 (持证率): registered in-migrant women
  aged 15–49 in force on the period's last day whose 婚育证明 is on her arrival record
  (linked, or recorded from outside) ÷ registered in-migrant women aged 15–49, by the
  residence unit of her state that day.
"""

from __future__ import annotations

import datetime

from django.db.models import F, Q

from jisheng.core.periods import Period
from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.models import Arrival
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import AS_OF_END, WITHIN, Indicator, Population, T
from jisheng.migrants.models import CheckResult, MigrantCheck
from jisheng.migrants.selectors import in_migrant_wra_q
from jisheng.people.models import PersonPeriod
from jisheng.policy.measures import SERVICE

REGISTERED = (ArrivalStatus.REGISTERED, ArrivalStatus.LEFT)


def _registered_within(period: Period, day: datetime.date | None) -> Q:
    return Q(
        status__in=list(REGISTERED),
        registered_on__gte=period.first,
        registered_on__lte=period.last,
    )


ARRIVALS_REGISTERED = Population(
    name="arrivals_registered",
    label="期内登记的流入人员（按居住单位）",
    model=Arrival,
    base=_registered_within,
    day=None,
    filters={"timely": lambda p, d: Q(registered_on__lte=F("due_on"))},
    path_field="unit__path",
    person_field="person_id",
)


def arrivals_in_force(day: datetime.date) -> Q:
    """Arrivals registered on or before ``day`` and not left by then (registered, or
    left after ``day``)."""
    return Q(registered_on__lte=day) & (
        Q(status=ArrivalStatus.REGISTERED) | Q(status=ArrivalStatus.LEFT, left_on__gt=day)
    )


def _registered_person(day: datetime.date) -> Q:
    return Q(person_id__in=Arrival.objects.filter(arrivals_in_force(day)).values("person_id"))


def _certified_person(day: datetime.date) -> Q:
    """Her arrival records a 婚育证明 (linked or from outside), shown at a check dated on
    or before ``day`` (a certificate first shown later does not count for ``day``)."""
    holding = Q(certificate__isnull=False) | ~Q(certificate_number="")
    arrivals = Arrival.objects.filter(arrivals_in_force(day) & holding)
    shown = MigrantCheck.objects.filter(
        checked_on__lte=day, result__in=[CheckResult.VALID, CheckResult.INVALID]
    )
    return Q(person_id__in=arrivals.values("person_id")) & Q(
        person_id__in=shown.values("person_id")
    )


def _base(period: Period, day: datetime.date | None) -> Q:
    assert day is not None
    return in_migrant_wra_q(day) & _registered_person(day)


def _within(period: Period, day: datetime.date | None) -> Q:
    assert day is not None
    return in_migrant_wra_q(day, in_force=engine.in_force_within(period, day)) & (
        _registered_person(day)
    )


REGISTERED_WRA = Population(
    name="registered_in_migrant_wra",
    label="期末在本地居住、已登记的流入育龄妇女（15–49 周岁）",
    model=PersonPeriod,
    base=_base,
    day=lambda period: period.last,
    filters={"certified": lambda p, d: _certified_person(d) if d else Q(pk__in=[])},
    path_field="unit__path",
    person_field="person_id",
    scan=engine.wra_during,
    within_scan=_within,
)

REGISTRATION_TIMELINESS = Indicator(
    id="in_migrant_registration_timeliness",
    name_zh="流动人口登记及时率",
    unit="%",
    measures=SERVICE,  # the office's registration on time (SPEC §0, §4)
    numerator=(T("arrivals_registered", "timely"),),
    denominator=(T("arrivals_registered"),),
    scale=100,
    semantics=WITHIN,
    definition_zh="期内（登记日期在期初至期末之间）在本单位及下级单位登记的流入人员中，"
    "登记日期不晚于应登记日期（到达日期加政策包规定的天数，默认 15 天）的人数 ÷ 期内登记的"
    "流入人员数 × 100%（按居住单位统计；期末到达、下期登记的计入登记所在期；逾期登记照常"
    "办理，只计为不及时）。",
)

CERTIFICATE_RATE = Indicator(
    id="in_migrant_certificate_rate",
    name_zh="流入人员办证率",
    unit="%",
    measures=SERVICE,  # the office's work with her papers (SPEC §4)
    numerator=(T("registered_in_migrant_wra", "certified"),),
    denominator=(T("registered_in_migrant_wra"),),
    scale=100,
    semantics=AS_OF_END,
    definition_zh="期末最后一天在本单位及下级单位居住、人员状态为流入、15–49 周岁、且在该日"
    "有有效流入登记（登记日期不晚于该日，未在该日或之前离开）的妇女中，流入登记记有婚育证明"
    "（本系统证件或外地证件的编号）、且该证明在该日或之前经查验出示的人数 ÷ 上述妇女人数 × 100%"
    "（按期末最后一天居住单位统计）。",
)


def register() -> None:
    """Add the populations and the indicators to the engine (once)."""
    for population in (ARRIVALS_REGISTERED, REGISTERED_WRA):
        if population.name not in engine.POPULATIONS:
            engine.register_population(population)
    for indicator in (REGISTRATION_TIMELINESS, CERTIFICATE_RATE):
        if indicator.id not in catalogue.BY_ID:
            catalogue.register(indicator)
