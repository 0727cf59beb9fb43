"""The indicator of people away: ``out_migrant_certificate_rate`` 流出人员办证率 (service
quality), registered with the indicator engine from :func:`plug_outflows.register`."""

from __future__ import annotations

from jisheng.floating.selectors_outflows import certified_q, out_migrant_wra_q
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import AS_OF_END, Indicator, Population, T
from jisheng.people.models import PersonPeriod
from jisheng.policy.measures import SERVICE

POPULATION = Population(
    name="out_migrant_wra",
    label="期末户籍在本地、外出流动的育龄妇女（15–49 周岁）",
    model=PersonPeriod,
    base=lambda p, d: out_migrant_wra_q(d or p.last),
    day=lambda period: period.last,
    filters={"certified": lambda p, d: certified_q(d or p.last)},
    path_field="unit__path",
    person_field="person_id",
)

OUT_MIGRANT_CERTIFICATE_RATE = Indicator(
    id="out_migrant_certificate_rate",
    name_zh="流出人员办证率",
    unit="%",
    measures=SERVICE,  # the office's issuing of the papers (SPEC §4)
    numerator=(T("out_migrant_wra", "certified"),),
    denominator=(T("out_migrant_wra"),),
    scale=100,
    semantics=AS_OF_END,
    definition_zh="期末最后一天人员状态为流出、15–49 周岁的妇女中，持有当日有效的"
    "《流动人口婚育证明》的人数 ÷ 上述流出育龄妇女人数 × 100%（按期末最后一天的户籍"
    "单位统计；返回的人员不再计入）。",
)


def register() -> None:
    """Add the population and the indicator to the engine (once)."""
    if POPULATION.name not in engine.POPULATIONS:
        engine.register_population(POPULATION)
    if OUT_MIGRANT_CERTIFICATE_RATE.id not in catalogue.BY_ID:
        catalogue.register(OUT_MIGRANT_CERTIFICATE_RATE)
