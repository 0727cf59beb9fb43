"""The catalogue: the fixed ids and definitions of the indicators (SPEC §8, issue 5).

Each entry is data (:class:`~jisheng.indicators.engine.Indicator`); tests pin each one
on hand-built data. Residents are persons registered (在册) or in-migrant (流入) in the
unit's subtree; women of reproductive age (WRA) are women aged 15–49 on the day.

Each indicator declares what it ``measures`` (required, SPEC §0): private behaviour
(births, birth order, pregnancies, marriages, contraceptive use and method mix,
attendance at services — information only, never scored nor a trigger) or service and
data quality (see :mod:`jisheng.policy.measures`). The catalogue also fills the core
registry's ``indicators`` store, from which the policy loader reads that class.

Other apps add their indicators from their ``AppConfig.ready()`` with :func:`register`
(after registering their populations with ``engine.register_population``); the
indicator is validated then, and :data:`BY_ID` and :func:`select` see it.

Not in the catalogue (SPEC §8's list), and why:

- 避孕及时率 (contraceptive timeliness): no pack defines the window after a marriage or
  a delivery in which a method counts as "timely", and a post-partum uptake target is
  what the seeds' compulsory-method-after-birth rules measured (SPEC §0); informed
  choice (``informed_choice_rate``) and the follow-up rates measure the service instead.
- 避孕有效率 (effectiveness): needs a pregnancy linked to the method in use when it
  began, which the registry does not record (a change of method for "failure" is not a
  count of users at risk).
- 知识普及率/知晓率 and 满意率 (the seeds' 群众满意率 is a survey; the satisfaction a
  visit records is the answer of method users only), 统计准确率 / 出生统计符合率
  (reconciliation of reports): no registry data. 信息准确率, 流动人口验证率 and
  独生子女领证率 are registered by the reports, migrants and certificates apps.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from jisheng.core.registry import registry
from jisheng.indicators.engine import (
    AS_OF_END,
    FERTILE_AGE_GROUPS,
    SUM_OF_RATES,
    WITHIN,
    Group,
    Indicator,
    T,
)
from jisheng.policy.measures import BEHAVIOUR, SERVICE

MARRIED_WRA = T("wra", "married")

_BUILT_IN: tuple[Indicator, ...] = (
    Indicator(
        id="married_wra",
        name_zh="已婚育龄妇女数",
        unit="count",
        measures=BEHAVIOUR,
        numerator=(MARRIED_WRA,),
        definition_zh="期末最后一天在本单位及下级单位在册或流入、15–49 周岁、"
        "初婚或再婚的妇女人数。",
    ),
    Indicator(
        id="contraceptive_prevalence",
        name_zh="综合避孕率",
        unit="%",
        measures=BEHAVIOUR,
        numerator=(T("wra", "married", "with_method"),),
        denominator=(MARRIED_WRA,),
        scale=100,
        definition_zh="期末最后一天正在使用避孕措施（“无”除外）的已婚育龄妇女数 ÷ "
        "已婚育龄妇女数 × 100%。",
    ),
    Indicator(
        id="long_acting_share",
        name_zh="长效措施率",
        unit="%",
        measures=BEHAVIOUR,
        numerator=(T("wra", "married", "long_acting"),),
        denominator=(T("wra", "married", "with_method"),),
        scale=100,
        definition_zh="期末最后一天措施为上环、女扎、男扎或皮埋的已婚育龄妇女数 ÷ "
        "正在使用任一避孕措施的已婚育龄妇女数 × 100%。",
    ),
    Indicator(
        id="followup_rate",
        name_zh="随访率",
        unit="%",
        measures=SERVICE,
        numerator=(T("visits_due", "on_time"),),
        denominator=(T("visits_due"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="应随访日期在期内、且在应随访日期当天或之前完成的随访数 ÷ "
        "应随访日期在期内的随访数 × 100%（按应随访日居住单位统计）。",
    ),
    Indicator(
        id="births",
        name_zh="出生人数",
        unit="count",
        measures=BEHAVIOUR,
        numerator=(T("births"),),
        semantics=WITHIN,
        definition_zh="出生日期在期内的出生登记数（按登记单位统计）。",
    ),
    Indicator(
        id="deaths",
        name_zh="死亡人数",
        unit="count",
        measures=BEHAVIOUR,
        numerator=(T("deaths"),),
        semantics=WITHIN,
        definition_zh="死亡日期在期内的死亡事件数（已更正撤销的不计）。",
    ),
    Indicator(
        id="birth_rate",
        name_zh="出生率",
        unit="‰",
        measures=BEHAVIOUR,
        numerator=(T("births"),),
        denominator=(
            T("residents_at_start", weight=0.5),
            T("residents", weight=0.5),
        ),
        scale=1000,
        semantics=WITHIN,
        definition_zh="期内出生人数 ÷ 平均人口 × 1000‰；平均人口为期初第一天与期末"
        "最后一天在册和流入人口的平均数。",
    ),
    Indicator(
        id="natural_growth_rate",
        name_zh="人口自然增长率",
        unit="‰",
        measures=BEHAVIOUR,
        numerator=(T("births"), T("deaths", weight=-1)),
        denominator=(
            T("residents_at_start", weight=0.5),
            T("residents", weight=0.5),
        ),
        scale=1000,
        semantics=WITHIN,
        definition_zh="（期内出生人数 − 期内死亡人数）÷ 平均人口 × 1000‰；平均人口同出生率。",
    ),
    Indicator(
        id="sex_ratio_at_birth",
        name_zh="出生人口性别比",
        unit="ratio",
        measures=BEHAVIOUR,
        numerator=(T("births", "male"),),
        denominator=(T("births", "female"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内男婴出生数 ÷ 女婴出生数 × 100（以女婴为 100）。",
    ),
    Indicator(
        id="policy_birth_rate",
        name_zh="政策符合率",
        unit="%",
        measures=BEHAVIOUR,
        numerator=(T("births", "within_policy"),),
        denominator=(T("births"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内孩次在政策规定限度以内的出生数 ÷ 期内出生数 × 100%。"
        "仅作统计，不针对个人。",
    ),
    Indicator(
        id="multi_child_rate",
        name_zh="多孩率",
        unit="%",
        measures=BEHAVIOUR,
        numerator=(T("births", "order_3_plus"),),
        denominator=(T("births"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内孩次为三孩及以上的出生数 ÷ 期内出生数 × 100%（孩次以人工更正为准）。",
    ),
    Indicator(
        id="transfer_rate",
        name_zh="管理移交率",
        unit="%",
        measures=SERVICE,
        numerator=(T("departures", "completed"),),
        denominator=(T("departures"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内离开（调出、退休、解除合同）且在期末前完成管理移交的人数 ÷ "
        "期内离开人数 × 100%（已撤销的移交不计）。",
    ),
    Indicator(
        id="campaign_coverage",
        name_zh="综合服务到位率",
        unit="%",
        measures=BEHAVIOUR,
        numerator=(T("campaign_targets", "covered"),),
        denominator=(T("campaign_targets"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="服务期在本期内结束的各轮服务中，已到检或在外地已检的对象数 ÷ "
        "对象数 × 100%（作废的对象不计）。",
    ),
    Indicator(
        id="method_information_index",
        name_zh="方法信息指数",
        unit="%",
        measures=SERVICE,
        numerator=(T("method_starts", "mii_yes"),),
        denominator=(T("method_starts"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内开始的避孕措施中，知情选择记录对“告知其他方法”“告知副作用”"
        "“告知出现副作用怎么办”三问均答“是”的数量 ÷ 期内开始的避孕措施数 × 100%。",
    ),
    Indicator(
        id="tfr",
        name_zh="总和生育率",
        unit="per woman",
        measures=BEHAVIOUR,
        kind=SUM_OF_RATES,
        groups=tuple(
            Group(
                label=f"{low}–{high}",
                numerator=(T("births", f"mother_{low}_{high}"),),
                denominator=(
                    T("wra_at_start", f"aged_{low}_{high}", weight=0.5),
                    T("wra", f"aged_{low}_{high}", weight=0.5),
                ),
            )
            for low, high in FERTILE_AGE_GROUPS
        ),
        scale=5,
        semantics=WITHIN,
        definition_zh="5 × Σ（15–19 至 45–49 七个五岁年龄组）该组妇女期内所生活产数 ÷ "
        "该组妇女平均人数；母亲年龄按出生日期当天的周岁计，平均人数为期初第一天与期末"
        "最后一天在册和流入的该年龄组妇女数的平均数。期间为一年时即年度总和生育率，"
        "季度、月份为该期的贡献（不折算为年率）。某组有出生而无该组妇女时无法计算（—）。",
    ),
    Indicator(
        id="gyn_screening_rate",
        name_zh="妇女病普查率",
        unit="%",
        measures=BEHAVIOUR,
        numerator=(T("campaign_targets", "gyn_screening", "covered"),),
        denominator=(T("campaign_targets", "gyn_screening"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="服务期在本期内结束的妇女病普查轮次中，已到检或在外地已检的对象数 ÷ "
        "普查对象数 × 100%（作废的对象不计）。",
    ),
    Indicator(
        id="informed_choice_rate",
        name_zh="知情选择率",
        unit="%",
        measures=SERVICE,
        numerator=(T("method_starts", "informed"),),
        denominator=(T("method_starts"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内开始的避孕措施中，记录了知情选择（讲解人及提供选择的方法均已"
        "填写）的数量 ÷ 期内开始的避孕措施数 × 100%（“无”与作废的记录不计）。",
    ),
    Indicator(
        id="late_marriage_rate",
        name_zh="晚婚率",
        unit="%",
        measures=BEHAVIOUR,
        numerator=(T("marriages", "first", "late"),),
        denominator=(T("marriages", "first"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内初婚（结婚事件，已更正撤销的不计）中结婚时已达晚婚年龄的人数 ÷ "
        "期内初婚人数 × 100%。晚婚年龄按性别取统计的上级单位在期末最后一天适用的政策"
        "方案（“晚婚年龄”一项），方案未规定时男 25 周岁、女 23 周岁；年龄按结婚当天的"
        "周岁计。仅作统计，不针对个人。",
    ),
    Indicator(
        id="late_childbearing_rate",
        name_zh="晚育率",
        unit="%",
        measures=BEHAVIOUR,
        numerator=(T("births", "first_birth", "mother_late"),),
        denominator=(T("births", "first_birth"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内一孩出生（孩次以人工更正为准）中母亲生育时已达晚育年龄的数量 ÷ "
        "期内一孩出生数 × 100%。晚育年龄取统计的上级单位在期末最后一天适用的政策方案"
        "（“晚育年龄”一项），方案未规定时为 24 周岁。仅作统计，不针对个人。",
    ),
    Indicator(
        id="commodity_followup_rate",
        name_zh="药具随访服务率",
        unit="%",
        measures=SERVICE,
        numerator=(T("visits_due", "commodity", "on_time"),),
        denominator=(T("visits_due", "commodity"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="应随访日期在期内的口服药、针剂、避孕套、外用药使用者的常规随访中，"
        "在应随访日期当天或之前完成的数量 ÷ 这些应随访数 × 100%（按应随访日居住单位统计）。",
    ),
)

# The catalogue: the built-in indicators, then those other apps register.
CATALOGUE: list[Indicator] = []
# A view of the registry's ``indicators`` store (in the catalogue's order).
BY_ID: dict[str, Indicator] = registry["indicators"]


def register(indicator: Indicator, *, after: str | None = None) -> None:
    """Add ``indicator`` to the catalogue (from an ``AppConfig.ready()``): at the end, or
    right after the indicator ``after``. Its populations and filters must be registered
    already; an id already in the catalogue is a ``ValueError``."""
    if not isinstance(indicator, Indicator):
        raise TypeError("register() takes an Indicator")
    if indicator.id in BY_ID:
        raise ValueError(f"indicator {indicator.id!r} is already in the catalogue")
    if after is not None and after not in BY_ID:
        raise ValueError(_("Unknown indicator: %(id)s.") % {"id": after})
    indicator.validate()
    if after is None:
        CATALOGUE.append(indicator)
    else:
        CATALOGUE.insert(CATALOGUE.index(BY_ID[after]) + 1, indicator)
    BY_ID[indicator.id] = indicator


def replace(indicator: Indicator) -> None:
    """Put a new definition of an indicator already in the catalogue in its place
    (``cyp.add_source`` rebuilds ``cyp`` with the new source)."""
    if indicator.id not in BY_ID:
        raise ValueError(_("Unknown indicator: %(id)s.") % {"id": indicator.id})
    indicator.validate()
    CATALOGUE[CATALOGUE.index(BY_ID[indicator.id])] = indicator
    BY_ID[indicator.id] = indicator


for _indicator in _BUILT_IN:
    register(_indicator)
del _indicator

# The ids defined by the indicators app (other apps register theirs on start-up): those
# above, and ``cyp`` after ``tfr`` (``cyp.register`` plugs it in from ``ready()``).
_AFTER_TFR = [i.id for i in _BUILT_IN].index("tfr") + 1
BUILT_IN_IDS: tuple[str, ...] = tuple(
    [i.id for i in _BUILT_IN[:_AFTER_TFR]] + ["cyp"] + [i.id for i in _BUILT_IN[_AFTER_TFR:]]
)

assert all(i.semantics in (AS_OF_END, WITHIN) for i in CATALOGUE)


def get(indicator_id: str) -> Indicator:
    try:
        return BY_ID[indicator_id]
    except KeyError:
        raise ValueError(_("Unknown indicator: %(id)s.") % {"id": indicator_id}) from None


def select(ids: Iterable[str] | str | None = None) -> list[Indicator]:
    """The indicators named (a list or ``"a,b"``), in the given order; all when empty."""
    if isinstance(ids, str):
        ids = [part for part in (p.strip() for p in ids.split(",")) if part]
    ids = list(ids or [])
    if not ids:
        return list(CATALOGUE)
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        raise ValueError(_("Unknown indicator: %(id)s.") % {"id": ", ".join(unknown)})
    return [BY_ID[i] for i in dict.fromkeys(ids)]
