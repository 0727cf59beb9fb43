"""The indicator of the cross-checks: ``birth_statistics_agreement`` 出生统计符合率 —
the hospitals' births (出生医学证明 lists) that match a registry birth ÷ the hospitals'
births, per unit and period (a service and data-quality indicator: the registry's
accuracy, SPEC §0). Registered from :meth:`QualityConfig.ready`."""

from __future__ import annotations

from django.db.models import Q

from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import Indicator, Population, T
from jisheng.policy.measures import SERVICE
from jisheng.quality.models import CrossCheckRow, Outcome
from jisheng.quality.sources import HOSPITAL_BIRTHS

POPULATION = Population(
    name="list_births",
    label="医院出生名单（出生医学证明）中出生日期在期内的新生儿",
    model=CrossCheckRow,
    base=lambda p, d: Q(
        checklist__source=HOSPITAL_BIRTHS.key,
        row_number__isnull=False,
        event_date__gte=p.first,
        event_date__lte=p.last,
    ),
    filters={"matched": lambda p, d: Q(outcome=Outcome.MATCHED)},
    path_field="unit__path",
    person_field="person_id",  # the mother of the registry birth matched
)

BIRTH_STATISTICS_AGREEMENT = Indicator(
    id="birth_statistics_agreement",
    name_zh="出生统计符合率",
    unit="%",
    measures=SERVICE,  # the accuracy of the registry kept by the office (SPEC §0, §9)
    numerator=(T("list_births", "matched"),),
    denominator=(T("list_births"),),
    scale=100,
    semantics=engine.WITHIN,
    definition_zh="已导入的医院出生名单（出生医学证明）中出生日期在期内、由本单位及下级单位负责的"
    "新生儿中，与人口信息库的出生记录相符（匹配且出生日期、性别、单位一致，或在多个候选中已选定"
    "相符者）的人数 ÷ 名单新生儿数 × 100%。负责单位为匹配到的出生记录的单位，未匹配的为名单所列"
    "住址单位（未列时为名单所属单位）。",
)


def register() -> None:
    """Add the population and the indicator to the engine (once)."""
    if POPULATION.name not in engine.POPULATIONS:
        engine.register_population(POPULATION)
    if BIRTH_STATISTICS_AGREEMENT.id not in catalogue.BY_ID:
        catalogue.register(BIRTH_STATISTICS_AGREEMENT)
