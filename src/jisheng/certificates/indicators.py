"""The indicator of the certificates app: ``certificate_rate`` 独生子女领证率, registered
with the indicator engine from :meth:`CertificatesConfig.ready`."""

from __future__ import annotations

from django.db.models import Q

from jisheng.certificates.selectors import wife_in_one_child_couple
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import AS_OF_END, Indicator, Population, T
from jisheng.people.choices import RESIDENT_STATUSES, Sex
from jisheng.people.models import PersonPeriod
from jisheng.policy.measures import BEHAVIOUR


def _base(period, day) -> Q:
    return (
        Q(valid_from__lte=day)
        & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        & Q(status__in=list(RESIDENT_STATUSES), sex=Sex.FEMALE)
    )


POPULATION = Population(
    name="resident_women",
    label="期末在册或流入的妇女（按期末居住单位）",
    model=PersonPeriod,
    base=_base,
    day=lambda period: period.last,
    # (a woman first: the cheap test before the look-up in the list of wives, when the
    # engine counts them in its pass over all residents)
    filters={
        # the wife of a couple with exactly one child on the day
        "one_child_wife": lambda p, d: Q(sex=Sex.FEMALE) & wife_in_one_child_couple(d),
        # … whose 独生子女父母光荣证 is in force that day
        "certified_one_child_wife": lambda p, d: (
            Q(sex=Sex.FEMALE) & wife_in_one_child_couple(d, certified=True)
        ),
    },
    path_field="unit__path",
    person_field="person_id",
    # counted in the same pass over the persons' states as all residents: each filter
    # is one list of wives, hashed once
    scan=engine.resident_during,
    within_scan=lambda p, d: Q(sex=Sex.FEMALE) & engine.in_force_within(p, d),
)

CERTIFICATE_RATE = Indicator(
    id="certificate_rate",
    name_zh="独生子女领证率",
    unit="%",
    # counted over couples with exactly one child: a family's birth order (SPEC §0)
    measures=BEHAVIOUR,
    numerator=(T("resident_women", "certified_one_child_wife"),),
    denominator=(T("resident_women", "one_child_wife"),),
    scale=100,
    semantics=AS_OF_END,
    definition_zh="期末最后一天婚姻存续（结婚日期不晚于该日，且未在该日或之前终止）、"
    "妻子在系统内登记并于该日在本单位及下级单位在册或流入、且登记在该夫妇名下的出生"
    "（出生日期不晚于该日）恰为一个的夫妇中，独生子女父母光荣证于该日有效"
    "（发证日期不晚于该日，且未在该日或之前作废）的夫妇数 ÷ 上述夫妇数 × 100%"
    "（按妻子期末居住单位统计）。",
)


def register() -> None:
    """Add the population and the indicator to the engine (once)."""
    if POPULATION.name not in engine.POPULATIONS:
        engine.register_population(POPULATION)
    if CERTIFICATE_RATE.id not in catalogue.BY_ID:
        catalogue.register(CERTIFICATE_RATE)
