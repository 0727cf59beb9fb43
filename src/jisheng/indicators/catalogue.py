"""The catalogue: the fixed ids and definitions of the indicators (SPEC §8, issue 5).

Each entry is data (:class:`~jisheng.indicators.engine.Indicator`); tests pin each one
on hand-built data. Residents are persons registered (在册) or in-migrant (流入) in the
unit's subtree; women of reproductive age (WRA) are women aged 15–49 on the day.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from jisheng.indicators.engine import AS_OF_END, WITHIN, Indicator, T

MARRIED_WRA = T("residents", "married_wra")

CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        id="married_wra",
        name_zh="已婚育龄妇女数",
        unit="count",
        numerator=(MARRIED_WRA,),
        definition_zh="期末最后一天在本单位及下级单位在册或流入、15–49 周岁、"
        "初婚或再婚的妇女人数。",
    ),
    Indicator(
        id="contraceptive_prevalence",
        name_zh="综合避孕率",
        unit="%",
        numerator=(T("residents", "married_wra", "with_method"),),
        denominator=(MARRIED_WRA,),
        scale=100,
        definition_zh="期末最后一天正在使用避孕措施（“无”除外）的已婚育龄妇女数 ÷ "
        "已婚育龄妇女数 × 100%。",
    ),
    Indicator(
        id="long_acting_share",
        name_zh="长效措施率",
        unit="%",
        numerator=(T("residents", "married_wra", "long_acting"),),
        denominator=(T("residents", "married_wra", "with_method"),),
        scale=100,
        definition_zh="期末最后一天措施为上环、女扎、男扎或皮埋的已婚育龄妇女数 ÷ "
        "正在使用任一避孕措施的已婚育龄妇女数 × 100%。",
    ),
    Indicator(
        id="followup_rate",
        name_zh="随访率",
        unit="%",
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
        numerator=(T("births"),),
        semantics=WITHIN,
        definition_zh="出生日期在期内的出生登记数（按登记单位统计）。",
    ),
    Indicator(
        id="deaths",
        name_zh="死亡人数",
        unit="count",
        numerator=(T("deaths"),),
        semantics=WITHIN,
        definition_zh="死亡日期在期内的死亡事件数（已更正撤销的不计）。",
    ),
    Indicator(
        id="birth_rate",
        name_zh="出生率",
        unit="‰",
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
        numerator=(T("method_starts", "mii_yes"),),
        denominator=(T("method_starts"),),
        scale=100,
        semantics=WITHIN,
        definition_zh="期内开始的避孕措施中，知情选择记录对“告知其他方法”“告知副作用”"
        "“告知出现副作用怎么办”三问均答“是”的数量 ÷ 期内开始的避孕措施数 × 100%。",
    ),
)

BY_ID: dict[str, Indicator] = {i.id: i for i in CATALOGUE}

assert len(BY_ID) == len(CATALOGUE), "duplicate indicator id"
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
