"""The pack's ``leave_days`` (issue 16): the default pack holds the national minimum,
the provincial packs cite their regulation and article; a bad leave section is refused
with a Chinese message naming the line and the key."""

import pytest

from jisheng.policy.loader import PackInvalid, parse_pack
from jisheng.policy.services import PACKS_DIR
from tests.policy.conftest import minimal

PROVINCIAL = sorted(p.name for p in PACKS_DIR.glob("province-*.yaml"))


def errors_of(text: str) -> list[str]:
    with pytest.raises(PackInvalid) as info:
        parse_pack(text)
    return info.value.messages


def test_default_pack_holds_the_national_minimum():
    leave = parse_pack((PACKS_DIR / "default-2026.yaml").read_text("utf-8")).pack.leave_days
    assert (leave.marriage.days, leave.marriage.count) == (3, "working")
    assert (leave.maternity.days, leave.maternity.count) == (98, "calendar")
    assert (leave.maternity.difficult_birth_extra, leave.maternity.per_extra_baby) == (15, 15)
    assert "女职工劳动保护特别规定" in leave.maternity.basis
    ops = {k: leave.rule(k).days for k in ("iud_insertion", "iud_removal")}
    assert ops == {"iud_insertion": 2, "iud_removal": 1}
    assert leave.female_sterilisation.days == 21 and leave.male_sterilisation.days == 7
    # no national paternity or parenting leave: the provinces set them
    assert leave.paternity is None and leave.parenting is None
    assert leave.rule("no_such_kind") is None


def test_two_provincial_packs_cite_their_regulation_and_article():
    assert len(PROVINCIAL) >= 2
    for name in PROVINCIAL:
        text = (PACKS_DIR / name).read_text("utf-8")
        assert "ILLUSTRATIVE FIGURES" in text
        leave = parse_pack(text).pack.leave_days
        assert leave.maternity.days > 98
        for kind in ("maternity", "paternity", "parenting"):
            rule = leave.rule(kind)
            assert rule.days > 0
            assert "省人口与计划生育条例》第" in rule.basis and "条" in rule.basis


def test_an_unknown_kind_of_leave_is_refused_in_chinese():
    text = minimal() + "leave_days:\n  sabbatical:\n    days: 3\n    basis: 某条例\n"
    (message,) = errors_of(text)
    assert message.startswith("第 20 行 leave_days.sabbatical")
    assert "未知的键 sabbatical" in message


def test_negative_days_are_refused_in_chinese():
    text = minimal() + "leave_days:\n  marriage:\n    days: -3\n    basis: 某条例 第一条\n"
    (message,) = errors_of(text)
    assert "leave_days.marriage.days" in message
    assert message.endswith("leave_days.marriage.days：不能小于 0")


def test_a_count_other_than_calendar_or_working_is_refused():
    text = (
        minimal() + "leave_days:\n  marriage:\n    days: 3\n    count: lunar\n    basis: 某条例\n"
    )
    (message,) = errors_of(text)
    assert "leave_days.marriage.count" in message and "calendar" in message


def test_a_rule_without_its_basis_is_refused():
    (message,) = errors_of(minimal() + "leave_days:\n  marriage:\n    days: 3\n")
    assert "leave_days.marriage.basis" in message


def test_extras_belong_to_maternity_only():
    text = (
        minimal()
        + "leave_days:\n  paternity:\n    days: 15\n    basis: 某条例\n    per_extra_baby: 5\n"
    )
    (message,) = errors_of(text)
    assert "未知的键 per_extra_baby" in message
