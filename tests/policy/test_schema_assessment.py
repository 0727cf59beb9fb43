"""The assessment section of the pack schema: the scoring kinds (linear_between and
yes_no added), at_most targets, composite parts and where their scores come from,
bands that may not overlap, and a pack whose weights disagree with its total."""

from __future__ import annotations

import pytest

from jisheng.policy.loader import PackInvalid, parse_pack
from jisheng.policy.schema import CompositePart
from tests.policy.conftest import minimal


def with_assessment(block: str) -> str:
    return minimal() + block


def errors_of(text: str) -> str:
    with pytest.raises(PackInvalid) as info:
        parse_pack(text)
    return "\n".join(info.value.messages)


ITEMS = """\
assessment:
  total_points: 100
  targets:
    - indicator: informed_choice_rate
      name: 知情选择率
      target: 80
      weight: 40
      scoring: {kind: linear_between, zero_at: 60, full_at: 80}
    - indicator: stock_out_rate
      name: 药具断货率
      target: 5
      direction: at_most
      weight: 20
      scoring: {kind: linear_below_target, minus_per_point: 2, floor: 5}
    - indicator: leading_group
      name: 成立领导小组
      weight: 10
      scoring: {kind: yes_no}
    - indicator: meetings
      name: 例会
      weight: 30
      scoring: {kind: manual}
  composite:
    - {part: 平时抽查, weight: 30}
    - {part: 半年考核, weight: 30}
    - {part: 年终考核, weight: 40}
  bands:
    - {min_score: 90, label: 优秀}
    - {min_score: 70, max_score: 90, label: 合格}
    - {min_score: 0, max_score: 70, label: 黄牌警告}
  veto_items:
    - {trigger: false_records, description: 统计数据弄虚作假、瞒报漏报}
"""


def test_every_scoring_kind_loads():
    parsed = parse_pack(with_assessment(ITEMS))
    targets = parsed.pack.assessment.targets
    assert [t.scoring.kind for t in targets] == [
        "linear_between",
        "linear_below_target",
        "yes_no",
        "manual",
    ]
    assert targets[0].scoring.zero_at == 60 and targets[0].scoring.full_at == 80
    assert targets[1].direction == "at_most"
    assert parsed.warnings == []


def test_composite_sources_are_inferred_from_the_seed_names():
    parts = parse_pack(with_assessment(ITEMS)).pack.assessment.composite
    assert [p.resolved_source for p in parts] == ["manual", "half_year", "year_end"]
    assert CompositePart(part="全年考核", weight=40).resolved_source == "year_end"
    assert CompositePart(part="平时督查", weight=30).resolved_source == "manual"
    explicit = CompositePart(part="第一部分", weight=40, source="year_end")
    assert explicit.resolved_source == "year_end"


def test_composite_needs_a_year_end_part_and_one_of_each():
    text = with_assessment(
        ITEMS.replace("{part: 年终考核, weight: 40}", "{part: 其他, weight: 40}")
    )
    assert "year_end" in errors_of(text)
    text = with_assessment(
        ITEMS.replace("{part: 平时抽查, weight: 30}", "{part: 半年检查, weight: 30}")
    )
    assert "composite" in errors_of(text)


def test_a_pack_whose_weights_disagree_with_its_total_is_reported():
    text = with_assessment(ITEMS.replace("total_points: 100", "total_points: 120"))
    warnings = parse_pack(text).warnings
    assert len(warnings) == 1
    assert "120" in warnings[0] and "100" in warnings[0]


def test_composite_weights_not_adding_up_are_reported():
    text = with_assessment(
        ITEMS.replace("{part: 年终考核, weight: 40}", "{part: 年终考核, weight: 50}")
    )
    assert any("110" in w for w in parse_pack(text).warnings)


@pytest.mark.parametrize(
    ("scoring", "needle"),
    [
        ("{kind: linear_between, zero_at: 60}", "zero_at"),
        ("{kind: linear_between, zero_at: 60, full_at: 60}", "zero_at"),
        ("{kind: all_or_nothing, zero_at: 60}", "zero_at"),
        ("{kind: all_or_nothing, minus_per_point: 2}", "minus_per_point"),
        ("{kind: linear_below_target}", "minus_per_point"),
        ("{kind: linear_between, zero_at: 80, full_at: 60}", "full_at"),  # falling for at_least
        ("{kind: linear_below_target, minus_per_point: 2, floor: 50}", "floor"),
        ("{kind: shout}", "manual"),
    ],
)
def test_bad_scoring_is_refused_with_its_line(scoring, needle):
    block = f"""\
assessment:
  targets:
    - indicator: informed_choice_rate
      name: 知情选择率
      target: 80
      weight: 40
      scoring: {scoring}
"""
    message = errors_of(with_assessment(block))
    assert needle in message
    assert "assessment.targets[0]" in message


def test_scoring_against_a_target_needs_the_target():
    block = """\
assessment:
  targets:
    - {indicator: followup_rate, name: 随访率, weight: 10, scoring: {kind: all_or_nothing}}
"""
    assert errors_of(with_assessment(block))
    ok = block.replace("all_or_nothing", "yes_no")
    assert parse_pack(with_assessment(ok)).pack.assessment.targets[0].target is None


def test_linear_between_for_a_falling_rate():
    block = """\
assessment:
  targets:
    - indicator: stock_out_rate
      name: 药具断货率
      direction: at_most
      weight: 10
      scoring: {kind: linear_between, zero_at: 10, full_at: 2}
"""
    item = parse_pack(with_assessment(block)).pack.assessment.targets[0]
    assert item.scoring.full_at == 2


def test_overlapping_bands_are_refused():
    block = """\
assessment:
  bands:
    - {min_score: 90, label: 优秀}
    - {min_score: 70, max_score: 95, label: 合格}
"""
    assert "overlap" in errors_of(with_assessment(block)) or "重叠" in errors_of(
        with_assessment(block)
    )
    open_below = """\
assessment:
  bands:
    - {min_score: 90, label: 优秀}
    - {min_score: 70, label: 合格}
"""
    assert errors_of(with_assessment(open_below))


def test_veto_items_stay_administrative():
    block = """\
assessment:
  veto_items:
    - {trigger: unplanned_birth}
"""
    assert "第 0 节" in errors_of(with_assessment(block))


def test_scoring_rules_are_shown_in_words():
    from django.utils import translation

    from jisheng.policy.presentation import scoring_text
    from jisheng.policy.schema import Scoring

    with translation.override("en"):
        between = scoring_text(Scoring(kind="linear_between", zero_at=80, full_at=95))
        below = scoring_text(Scoring(kind="linear_below_target", minus_per_point=2))
        yes_no = scoring_text(Scoring(kind="yes_no"))
    assert between == "No points at 80, full points at 95, linear between"
    assert below == "Minus 2 points per point below the target, down to 0"
    assert yes_no and yes_no != "—"
    assert scoring_text(None) == "—"
