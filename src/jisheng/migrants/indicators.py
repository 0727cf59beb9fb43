"""The indicator of the floating-population app: ``migrant_verification_rate``
流动人口验证率, registered with the indicator engine from :meth:`MigrantsConfig.ready`."""

from __future__ import annotations

from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import AS_OF_END, Indicator, Population, T
from jisheng.migrants.selectors import in_migrant_wra_q, valid_check_q
from jisheng.people.models import PersonPeriod
from jisheng.policy.measures import SERVICE

POPULATION = Population(
    name="in_migrant_wra",
    label="期末在本地居住的流入育龄妇女（15–49 周岁）",
    model=PersonPeriod,
    base=lambda p, d: in_migrant_wra_q(d),
    day=lambda period: period.last,
    filters={"verified": lambda p, d: valid_check_q(d)},
    path_field="unit__path",
    person_field="person_id",
    # counted in the same pass over the women's states as the other WRA counts
    scan=engine.wra_during,
    within_scan=lambda p, d: in_migrant_wra_q(d, in_force=engine.in_force_within(p, d)),
)

MIGRANT_VERIFICATION_RATE = Indicator(
    id="migrant_verification_rate",
    name_zh="流动人口验证率",
    unit="%",
    measures=SERVICE,  # the office's verification of the papers (SPEC §4)
    numerator=(T("in_migrant_wra", "verified"),),
    denominator=(T("in_migrant_wra"),),
    scale=100,
    semantics=AS_OF_END,
    definition_zh="期末最后一天在本单位及下级单位居住、人员状态为流入、15–49 周岁的妇女中，"
    "在期末最后一天之前 12 个月内（上年同日的次日至期末最后一天）有一次婚育证明查验结果为"
    "“有效”的人数 ÷ 上述流入育龄妇女人数 × 100%（按期末最后一天居住单位统计）。",
)


def register() -> None:
    """Add the population and the indicator to the engine (once)."""
    if POPULATION.name not in engine.POPULATIONS:
        engine.register_population(POPULATION)
    if MIGRANT_VERIFICATION_RATE.id not in catalogue.BY_ID:
        catalogue.register(MIGRANT_VERIFICATION_RATE)
