"""The indicator the sample verification feeds: ``information_accuracy`` 信息准确率.

Registered with the indicator engine from :meth:`ReportsConfig.ready`, so the catalogue,
the dashboard and the assessment compute it like any other: the records of sample
verifications checked within the period, counted for the record's unit (the person's
residence unit on the day of the draw).
"""

from __future__ import annotations

from django.db.models import Q

from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import WITHIN, Indicator, Population, T
from jisheng.policy.measures import SERVICE
from jisheng.reports.models import VerificationRecord

POPULATION = Population(
    name="verification_records",
    label="期内实地核查的抽查记录",
    model=VerificationRecord,
    base=lambda p, d: Q(checked_on__gte=p.first, checked_on__lte=p.last),
    filters={"accurate": lambda p, d: Q(accurate=True)},
    path_field="unit__path",
    person_field="person_id",
)

INFORMATION_ACCURACY = Indicator(
    id="information_accuracy",
    name_zh="信息准确率",
    unit="%",
    measures=SERVICE,
    numerator=(T("verification_records", "accurate"),),
    denominator=(T("verification_records"),),
    scale=100,
    semantics=WITHIN,
    definition_zh="抽查中核查日期在期内的记录里，实地核查结果与抽样当日台账一致"
    "（本人在本地居住，婚姻状况、现用避孕措施、子女数均相符）的记录数 ÷ 期内核查的记录数"
    " × 100%（按抽样当日该人居住单位统计；含尚未结束的抽查中已核查的记录）。",
)


def register() -> None:
    """Add the population and the indicator to the engine (once)."""
    if POPULATION.name not in engine.POPULATIONS:
        engine.register_population(POPULATION)
    if INFORMATION_ACCURACY.id not in catalogue.BY_ID:
        catalogue.register(INFORMATION_ACCURACY)
