"""What an indicator measures (SPEC §0): private behaviour, or service and data quality.

Every catalogue indicator declares it (``Indicator.measures``, required). A **behaviour**
indicator counts what people do or what happens in their families — births, birth order,
pregnancies, marriages, contraceptive use and method mix, attendance at services — and
may appear in a pack, a contract or an assessment only as information: its value, its
trend and (if the pack gives one) a target, never points, a weight, a veto or any other
consequence. A **service** indicator measures the office's own work and its data
(follow-up done, informed choice, information accuracy, reporting timeliness, transfers
completed, stock available …); only these carry points, so a unit's total score — and
every band, ranking and consequence read from it — measures service and data.

Packs also name targets the catalogue does not compute (the seeds' 节育及时率, 新婚办证率
…); :data:`PACK_ONLY` classes those the shipped packs use. :func:`measures_of` answers for
a catalogue indicator (read from the core registry, which the catalogue fills) or one of
those; an unknown id answers ``None``.
"""

from __future__ import annotations

from jisheng.core.registry import registry

BEHAVIOUR = "behaviour"
SERVICE = "service"
MEASURES = (BEHAVIOUR, SERVICE)

# Targets of the shipped packs that the catalogue does not compute (scored by hand if at
# all), classed the same way.
PACK_ONLY: dict[str, str] = {
    # contraceptive use and its timing, births, attendance: information only
    "contraceptive_timeliness": BEHAVIOUR,  # 落实避孕措施及时率 / 节育及时率
    "contraceptive_effectiveness": BEHAVIOUR,  # 综合避孕有效率 (pregnancies of users)
    "contraceptive_rate_couples": BEHAVIOUR,  # 一孩以上夫妇节育率
    "marriage_registration": BEHAVIOUR,  # 新婚办证率 (couples coming to register)
    "education_participation_rate": BEHAVIOUR,  # 已婚育龄妇女参学率 (attendance)
    # the office's work and its data
    "birth_statistics_accuracy": SERVICE,  # 出生统计符合率
    "statistics_accuracy": SERVICE,  # 人口与计划生育统计合格率
    "knowledge_rate": SERVICE,  # 计划生育知识普及率 (the office's information work)
    "satisfaction_rate": SERVICE,  # 群众满意率 (how people rate the service)
    "migrant_certificate_rate": SERVICE,  # 流动人口办证验证率
    "only_child_health_fee_rate": SERVICE,  # 独生子女保健费落实率 (benefit paid)
    "staff_training_rate": SERVICE,  # 药具人员培训率
    "staff_certified_rate": SERVICE,  # 持证上岗率
    "leading_group": SERVICE,
    "staff_study": SERVICE,
    "migrant_management": SERVICE,
    "reports_and_ledgers": SERVICE,
}


def measures_of(indicator_id: str) -> str | None:
    """``BEHAVIOUR`` or ``SERVICE`` for a catalogue indicator or a known pack-only id;
    ``None`` for an id nobody has classed."""
    indicator = registry["indicators"].get(indicator_id)
    if indicator is not None:
        return str(indicator.measures)
    return PACK_ONLY.get(indicator_id)


def is_behaviour(indicator_id: str) -> bool:
    return measures_of(indicator_id) == BEHAVIOUR


def behaviour_ids() -> list[str]:
    """The catalogue's behaviour indicators (after the apps' ``ready()``)."""
    return sorted(i for i, ind in registry["indicators"].items() if ind.measures == BEHAVIOUR)
