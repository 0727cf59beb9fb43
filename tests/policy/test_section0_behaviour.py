"""SPEC §0 closed for behaviour indicators (issue 14): an indicator that measures private
behaviour (births, pregnancies, contraception, attendance) is information only in a pack
— no points, no weight, no scoring, and no consequence it could fire, not even through
``indicator_below_target``. Score bands stay allowed (totals hold service points only)."""

from __future__ import annotations

import pytest

from jisheng.policy.loader import PackInvalid, parse_pack
from jisheng.policy.measures import BEHAVIOUR, SERVICE, behaviour_ids, measures_of
from jisheng.policy.services import PACKS_DIR
from tests.policy.conftest import minimal

BEHAVIOUR_IDS = behaviour_ids()
SHIPPED = sorted(p.name for p in PACKS_DIR.glob("*.yaml"))

PROBE = """\
assessment:
  targets:
    - {indicator: policy_birth_rate, name: 政策符合率, target: 100}
  consequences:
    - {trigger: indicator_below_target, applies_to: unit, kind: veto}
    - trigger: indicator_below_target
      applies_to: staff_role
      role: propagandist
      kind: penalty
      amount_yuan: 500
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(PackInvalid) as info:
        parse_pack(text)
    return info.value.messages


def test_the_issues_probe_pack_is_refused_with_a_chinese_reason_citing_section0():
    errors = errors_of(minimal() + PROBE)
    assert len(errors) == 2
    first, second = errors
    assert first.startswith("第 23 行 assessment.consequences[0].trigger：")
    assert second.startswith("第 24 行 assessment.consequences[1].trigger：")
    for message in errors:
        assert "SPEC 第 0 节" in message
        assert "policy_birth_rate" in message
        assert "个人行为" in message


def test_the_probe_without_the_target_loads():
    """No target: the item cannot miss one, so the trigger cannot come from it."""
    text = minimal() + PROBE.replace(", target: 100}", "}")
    assert parse_pack(text).pack.assessment.consequences[0].kind == "veto"


def test_the_catalogue_has_the_issues_behaviour_indicators():
    named = {
        "births",
        "birth_rate",
        "policy_birth_rate",
        "multi_child_rate",
        "tfr",
        "sex_ratio_at_birth",
        "contraceptive_prevalence",
        "long_acting_share",
        "campaign_coverage",
        "gyn_screening_rate",
        "late_marriage_rate",
        "late_childbearing_rate",
    }
    assert named <= set(BEHAVIOUR_IDS)
    for service in (
        "followup_rate",
        "informed_choice_rate",
        "information_accuracy",
        "transfer_rate",
        "stock_out_rate",
        "count_accuracy",
        "commodity_followup_rate",
        "migrant_verification_rate",
    ):
        assert measures_of(service) == SERVICE, service
    assert measures_of("no_such_indicator") is None
    assert measures_of("contraceptive_rate_couples") == BEHAVIOUR  # a pack-only id


def _item(indicator: str, extra: str = "") -> str:
    return f"""\
assessment:
  targets:
    - indicator: {indicator}
      name: 统计
      target: 50
{extra}"""


@pytest.mark.parametrize("indicator", BEHAVIOUR_IDS)
def test_behaviour_indicator_refused_as_a_consequence_trigger(indicator):
    below = _item(indicator) + (
        "  consequences:\n    - {trigger: indicator_below_target, applies_to: unit, kind: notice}\n"
    )
    (message,) = errors_of(minimal() + below)
    assert "assessment.consequences[0].trigger" in message
    assert "SPEC 第 0 节" in message and indicator in message
    veto = _item(indicator) + "  veto_items:\n    - {trigger: indicator_below_target}\n"
    (message,) = errors_of(minimal() + veto)
    assert "assessment.veto_items[0].trigger" in message and "SPEC 第 0 节" in message
    # named as the trigger itself
    direct = f"""\
assessment:
  consequences:
    - {{trigger: {indicator}, applies_to: unit, kind: yellow_card}}
"""
    (message,) = errors_of(minimal() + direct)
    assert "assessment.consequences[0].trigger" in message
    assert "SPEC 第 0 节" in message and indicator in message


@pytest.mark.parametrize("indicator", BEHAVIOUR_IDS)
def test_behaviour_indicator_refused_with_points(indicator):
    weighted = _item(indicator, "      weight: 10\n      scoring: {kind: all_or_nothing}\n")
    errors = errors_of(minimal() + weighted)
    assert [e.split("：", 1)[0] for e in errors] == [
        "第 24 行 assessment.targets[0].weight",
        "第 25 行 assessment.targets[0].scoring",
    ]
    assert all("SPEC 第 0 节" in e and "不计分" in e for e in errors)
    by_hand = _item(indicator, "      weight: 10\n      scoring: {kind: manual}\n")
    assert len(errors_of(minimal() + by_hand)) == 2
    scoring_only = _item(indicator, "      scoring: {kind: yes_no}\n")
    (message,) = errors_of(minimal() + scoring_only)
    assert "assessment.targets[0].scoring" in message


@pytest.mark.parametrize("indicator", BEHAVIOUR_IDS)
def test_behaviour_indicator_as_information_with_score_bands_loads(indicator):
    text = (
        minimal()
        + _item(indicator).replace(
            "      target: 50\n",
            "      target: 50\n"
            "    - indicator: followup_rate\n"
            "      name: 随访率\n"
            "      target: 95\n"
            "      weight: 100\n"
            "      scoring: {kind: linear_below_target, minus_per_point: 2}\n",
        )
        + (
            "  bands:\n"
            "    - {min_score: 0, max_score: 60, label: 黄牌警告}\n"
            "  consequences:\n"
            "    - {trigger: score_band, max_score: 60, applies_to: unit, kind: yellow_card}\n"
            "    - {trigger: last_place, applies_to: unit, kind: notice}\n"
        )
    )
    pack = parse_pack(text).pack
    assert [t.indicator for t in pack.assessment.targets] == [indicator, "followup_rate"]
    assert pack.assessment.targets[0].weight is None


def test_below_target_on_service_items_only_loads():
    text = minimal() + (
        "assessment:\n"
        "  targets:\n"
        "    - {indicator: followup_rate, name: 随访率, target: 95}\n"
        "    - {indicator: births, name: 出生人数}\n"
        "  consequences:\n"
        "    - {trigger: indicator_below_target, applies_to: unit, kind: rectify}\n"
    )
    assert parse_pack(text).pack.assessment.consequences[0].trigger == "indicator_below_target"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_packs_load_and_score_no_behaviour(name):
    parsed = parse_pack((PACKS_DIR / name).read_text(encoding="utf-8"))
    assert parsed.warnings == []
    assessment = parsed.pack.assessment
    if assessment is None:
        return
    for item in assessment.targets:
        if measures_of(item.indicator) == BEHAVIOUR:
            assert item.weight is None and item.scoring is None, item.indicator


def test_the_seeds_behaviour_items_are_information_in_the_shipped_packs():
    def items(name):
        pack = parse_pack((PACKS_DIR / name).read_text(encoding="utf-8")).pack
        return {t.indicator: t for t in pack.assessment.targets}

    mine = items("mine-2005.yaml")
    assert mine["policy_birth_rate"].target == 100 and mine["policy_birth_rate"].weight is None
    county = items("county-commodities-2007.yaml")
    for indicator in ("contraceptive_rate_couples", "gyn_screening_rate", "marriage_registration"):
        assert county[indicator].target == 100
        assert county[indicator].weight is None and county[indicator].scoring is None
    default = items("default-2026.yaml")
    weighted = [i for i, t in default.items() if t.weight]
    assert weighted and all(measures_of(i) == SERVICE for i in weighted)


def test_a_pack_only_behaviour_target_is_refused_with_points_too():
    """The county seed's 节育率 (not computed by the catalogue) as it was transcribed
    before issue 14: 20 points, −5 per point below 100 %."""
    item = _item(
        "contraceptive_rate_couples",
        "      weight: 20\n      scoring: {kind: linear_below_target, minus_per_point: 5}\n",
    )
    errors = errors_of(minimal() + item)
    assert len(errors) == 2 and all("contraceptive_rate_couples" in e for e in errors)
    # an id nobody has classed is not refused (the catalogue does not compute it: by hand)
    assert parse_pack(minimal() + _item("staff_meetings", "      weight: 20\n")).pack
