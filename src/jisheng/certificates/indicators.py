"""The indicator of the certificates app: ``certificate_rate`` 独生子女领证率, registered
with the indicator engine from :meth:`CertificatesConfig.ready`."""

from __future__ import annotations

from django.db.models import Q

from jisheng.certificates.selectors import wife_in_one_child_couple
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import AS_OF_END, Indicator, Population, T
from jisheng.people.choices import RESIDENT_STATUSES, Sex
from jisheng.people.models import PersonPeriod


def _base(period, day) -> Q:
    return (
        Q(valid_from__lte=day)
        & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        & Q(status__in=list(RESIDENT_STATUSES), sex=Sex.FEMALE)
        & wife_in_one_child_couple(day)
    )


POPULATION = Population(
    name="one_child_couples",
    label="期末只有一个子女的在婚夫妇（以期末居住在本地的妻子计）",
    model=PersonPeriod,
    base=_base,
    day=lambda period: period.last,
    filters={"certified": lambda p, d: wife_in_one_child_couple(d, certified=True)},
    path_field="unit__path",
    person_field="person_id",
)

CERTIFICATE_RATE = Indicator(
    id="certificate_rate",
    name_zh="独生子女领证率",
    unit="%",
    numerator=(T("one_child_couples", "certified"),),
    denominator=(T("one_child_couples"),),
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
