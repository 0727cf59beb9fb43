"""The packs' ``benefits:`` sections (issue 18): the shipped kinds, the clause vocabulary
(an unknown rule refused in Chinese) and SPEC §0 (a rule or text withdrawing a benefit
for a later birth refused with the §0 reason)."""

from decimal import Decimal

import pytest

from jisheng.benefits.rules import EVALUATORS
from jisheng.policy.loader import PackInvalid, parse_pack
from jisheng.policy.schema_benefits import RULES
from tests.policy.conftest import minimal, pack_file

KIND = """
benefits:
  kinds:
    test_kind:
      label: 测试补贴
      subject: child
      beneficiary: guardian
      eligibility:
        - code: c1
          rule: {rule}
          years: 3
          text: {text}
      amounts:
        - {{from: 2025-01-01, yearly: 3600}}
"""


def pack_with(rule: str = "age_below", text: str = "未满三周岁") -> str:
    return minimal() + KIND.format(rule=rule, text=text)


def errors_of(text: str) -> list[str]:
    with pytest.raises(PackInvalid) as info:
        parse_pack(text)
    return info.value.messages


def test_the_vocabulary_is_the_same_in_the_schema_and_the_rules():
    assert set(RULES) == set(EVALUATORS)


def test_default_pack_ships_the_national_childcare_subsidy():
    pack = parse_pack(pack_file("default-2026.yaml")).pack
    assert pack.benefits is not None
    kind = pack.benefits.kinds["childcare_subsidy"]
    assert kind.label == "育儿补贴"
    assert kind.subject == "child" and kind.beneficiary == "guardian"
    assert kind.prorate == "months"
    assert kind.amounts[0].from_.isoformat() == "2025-01-01"
    assert kind.amounts[0].yearly == Decimal("3600.00")
    assert isinstance(kind.amounts[0].yearly, Decimal)
    assert kind.registered_here and not kind.taxable and not kind.counts_as_income
    assert sum(f.share for f in kind.funding) == 1
    assert {c.rule for c in kind.eligibility} == {"age_below", "alive", "household_here"}


def test_default_pack_ships_the_seed_003_rules():
    kinds = parse_pack(pack_file("default-2026.yaml")).pack.benefits.kinds
    reward = kinds["county_reward"]
    assert [c.years for c in reward.eligibility if c.rule == "age_at_least"] == [55]
    assert reward.amounts[-1].yearly == Decimal("500.00")
    assert kinds["special_assistance_death"].amounts[-1].monthly == Decimal("500.00")
    assert kinds["special_assistance_disability"].amounts[-1].monthly == Decimal("500.00")
    fee = kinds["only_child_health_fee"]
    assert [a.yearly for a in fee.amounts] == [Decimal("240.00"), Decimal("360.00")]
    assert fee.cost_sharing is not None and fee.cost_sharing.otherwise == "county"
    text = pack_file("default-2026.yaml")
    assert "003_ecd5aa5337f795eb.txt" in text and '"244-245"' in text


def test_staff_allowances_are_in_the_packs_of_their_seeds():
    mine = parse_pack(pack_file("mine-2005.yaml")).pack.benefits.kinds
    assert mine["propagandist_allowance"].amounts[0].monthly == Decimal("10.00")
    assert mine["propagandist_allowance"].staff_positions == ["propagandist"]
    street = parse_pack(pack_file("street-2025.yaml")).pack.benefits.kinds
    assert street["community_administrator_allowance"].amounts[0].monthly == Decimal("300.00")
    assert street["community_propagandist_allowance"].amounts[0].monthly == Decimal("50.00")
    assert '"353"' in pack_file("street-2025.yaml") and '"103"' in pack_file("mine-2005.yaml")


def test_a_valid_kind_loads():
    kind = parse_pack(pack_with()).pack.benefits.kinds["test_kind"]
    assert kind.eligibility[0].years == 3


def test_an_unknown_rule_is_refused_in_chinese():
    (message,) = errors_of(pack_with(rule="lives_on_the_moon"))
    assert "benefits.kinds.test_kind.eligibility[0].rule" in message
    assert "未知的资格规则" in message and "lives_on_the_moon" in message


@pytest.mark.parametrize("rule", ["no_birth_after", "no_pregnancy", "contraception_used"])
def test_a_rule_on_a_later_birth_is_refused_with_the_section0_reason(rule):
    (message,) = errors_of(pack_with(rule=rule))
    assert "SPEC §0" in message or "第 0 节" in message
    assert rule in message


def test_a_clause_text_withdrawing_the_benefit_for_a_birth_is_refused():
    messages = errors_of(pack_with(text="再生育的取消奖励"))
    assert messages
    assert all("取消奖励" in m for m in messages)
    assert any("SPEC §0" in m or "第 0 节" in m for m in messages)


def test_a_rule_missing_its_parameter_is_refused():
    text = pack_with().replace("          years: 3\n", "")
    (message,) = errors_of(text)
    assert "years" in message


def test_a_float_amount_is_read_as_exact_yuan():
    text = pack_with().replace("yearly: 3600", "yearly: 3600.1")
    assert parse_pack(text).pack.benefits.kinds["test_kind"].amounts[0].yearly == Decimal("3600.10")
    (message,) = errors_of(pack_with().replace("yearly: 3600", "yearly: 3600.123"))
    assert "两位小数" in message or "decimals" in message
