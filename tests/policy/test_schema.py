"""The pack schema: shipped packs validate; bad files fail with Chinese errors that name
the YAML line and key path; sanctions on private persons are rejected (SPEC §0)."""

import pytest

from jisheng.policy.loader import PackInvalid, parse_pack
from jisheng.policy.schema import PolicyPackSchema
from jisheng.policy.services import PACKS_DIR
from tests.policy.conftest import minimal, mismatched_total

SHIPPED = sorted(p.name for p in PACKS_DIR.glob("*.yaml"))


def errors_of(text: str) -> list[str]:
    with pytest.raises(PackInvalid) as info:
        parse_pack(text)
    return info.value.messages


def test_seven_packs_are_shipped():
    assert SHIPPED == [
        "county-commodities-2007.yaml",
        "default-2026.yaml",
        "mine-2005.yaml",
        "province-guangdong-2021.yaml",
        "province-zhejiang-2021.yaml",
        "school-2023.yaml",
        "street-2025.yaml",
    ]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_pack_validates(name):
    parsed = parse_pack((PACKS_DIR / name).read_text(encoding="utf-8"))
    pack = parsed.pack
    assert isinstance(pack, PolicyPackSchema)
    assert f"{pack.id}.yaml" == name
    assert pack.births.policy_limit >= 1


SEED_PACKS = [n for n in SHIPPED if n != "default-2026.yaml" and not n.startswith("province-")]


@pytest.mark.parametrize("name", SEED_PACKS)
def test_seed_packs_cite_their_seed_lines_and_what_they_leave_out(name):
    text = (PACKS_DIR / name).read_text(encoding="utf-8")
    pack = parse_pack(text).pack
    assert pack.sources, "a seed pack cites its sources"
    for source in pack.sources:
        assert source.file.endswith(".txt") and source.file[:3].isdigit()
    assert "Left out because SPEC §0" in text


def test_default_pack_is_modern():
    pack = parse_pack((PACKS_DIR / "default-2026.yaml").read_text(encoding="utf-8")).pack
    assert pack.id == "default-2026"
    assert pack.births.policy_limit == 3
    assert pack.followup.methods["pill"].every_months == 1
    assert pack.followup.methods["iud"].every_months == 3
    rule = pack.deadlines["followup_report"]
    assert (rule.kind, rule.month_of_quarter, rule.day) == ("quarter_month_day", 3, 25)
    assert pack.deadlines["in_migrant_registration"].days == 15
    assert pack.deadlines["only_child_certificate"].months == 1
    assert {c.kind for c in pack.campaigns} == {"comprehensive_service", "gynaecological_screening"}
    kinds = {c.applies_to for c in pack.assessment.consequences}
    assert kinds <= {"unit", "staff_role"}
    assert pack.expiry_alert_days == 90


def test_mine_pack_has_the_letter_of_inquiry_and_quarterly_deadline():
    pack = parse_pack((PACKS_DIR / "mine-2005.yaml").read_text(encoding="utf-8")).pack
    assert pack.letter_inquiry.age_max == 45
    assert pack.letter_inquiry.sex == "M"
    assert pack.followup.employees_every_months == 3
    assert pack.campaigns[0].rounds_per_year == 2


def test_a_total_that_its_items_do_not_add_up_to_is_warned_about():
    parsed = parse_pack(mismatched_total())
    assert parsed.warnings == ["assessment：声明总分 100 分，但各项分值合计 80 分。"]


def test_county_pack_total_is_reconciled_with_its_service_items():
    """Issue 14 §0: the county's 节育率, 妇检率 and 新婚办证率 became information, so the
    declared total is the service points left (30) and the loader has nothing to warn."""
    parsed = parse_pack((PACKS_DIR / "county-commodities-2007.yaml").read_text(encoding="utf-8"))
    assert parsed.warnings == []
    assessment = parsed.pack.assessment
    assert assessment.total_points == 30
    assert sum(t.weight or 0 for t in assessment.targets) == 30


def test_minimal_pack():
    pack = parse_pack(minimal()).pack
    assert pack.id == "test-pack"
    assert pack.version == "1"
    assert pack.campaigns == []
    assert pack.letter_inquiry is None


# --- errors with line numbers --------------------------------------------------------


def test_negative_frequency_names_line_and_path():
    text = minimal().replace("iud: {every_months: 3}", "iud: {every_months: -1}")
    assert errors_of(text) == ["第 16 行 followup.methods.iud.every_months：必须是正整数"]


def test_text_where_a_number_belongs():
    text = minimal().replace("policy_limit: 3", "policy_limit: 三")
    assert errors_of(text) == ["第 18 行 births.policy_limit：必须是整数"]


def test_missing_key_points_at_its_parent():
    text = minimal().replace("name: 测试政策\n", "")
    assert errors_of(text) == ["第 1 行 name：缺少此项。"]
    text = minimal().replace("  target: married_wra\n", "")
    assert errors_of(text) == ["第 12 行 followup.target：缺少此项。"]


def test_unknown_keys_are_rejected():
    text = minimal().replace("births:\n", "birthz: 2\nbirths:\n")
    assert errors_of(text) == ["第 17 行 birthz：未知的键 birthz（请检查拼写和缩进）。"]
    text = minimal().replace("    sex: F\n", "    sex: F\n    colour: red\n")
    assert errors_of(text) == [
        "第 9 行 target_groups.married_wra.colour：未知的键 colour（请检查拼写和缩进）。"
    ]


def test_unknown_method_code():
    text = minimal().replace("pill: {every_months: 1}", "ring: {every_months: 1}")
    (message,) = errors_of(text)
    assert message.startswith("第 15 行 followup.methods.ring：必须是以下之一：iud, ")


def test_bad_date_and_bad_version():
    text = minimal(effective_from="2026-13-01")
    assert errors_of(text) == ["第 5 行 effective_from：必须是日期，格式为 YYYY-MM-DD"]
    text = minimal(version="v 1")
    (message,) = errors_of(text)
    assert message.startswith("第 4 行 version：格式不对")


def test_deadline_rules_are_checked():
    base = minimal() + "deadlines:\n  followup_report:\n    kind: quarter_month_day\n"
    text = base + "    month_of_quarter: 4\n    day: 25\n"
    assert errors_of(text) == ["第 22 行 deadlines.followup_report.month_of_quarter：不能大于 3"]
    text = minimal() + "deadlines:\n  x:\n    kind: weeks_after\n    weeks: 2\n"
    (message,) = errors_of(text)
    assert message.startswith("第 20 行 deadlines.x：kind 必须是以下之一：quarter_month_day")
    text = minimal() + "deadlines:\n  x:\n    kind: year_month_day\n    month: 2\n    day: 30\n"
    assert errors_of(text) == ["第 20 行 deadlines.x：该月没有这一天。"]


def test_duplicate_key_and_invalid_yaml():
    text = minimal().replace("births:\n", "births:\n  policy_limit: 2\n")
    assert errors_of(text) == ["第 19 行 births.policy_limit：此键出现了两次。"]
    (message,) = errors_of(minimal().replace("births:\n", "births: [\n"))
    assert message.startswith("第 19 行 （整个文件）：不是有效的 YAML")
    assert errors_of("- a\n- b\n") == [
        "第 1 行 （整个文件）：政策包应是键值映射（id: …, name: …）。"
    ]


def test_unknown_target_group_reference():
    text = minimal().replace("  target: married_wra", "  target: nobody")
    assert errors_of(text) == [
        "第 13 行 followup.target：target_groups 中没有目标人群 nobody（已有：married_wra）。"
    ]


def test_all_errors_are_reported_in_line_order():
    text = (
        minimal()
        .replace("iud: {every_months: 3}", "iud: {every_months: 0}")
        .replace("age_max: 49", "age_max: 200")
        .replace("name: 测试政策", "name: ''")
    )
    messages = errors_of(text)
    assert [m.split(" ")[1] for m in messages] == ["2", "10", "16"]


def test_english_messages_through_i18n():
    from django.utils import translation

    text = minimal().replace("iud: {every_months: 3}", "iud: {every_months: -1}")
    with translation.override("en"):
        assert errors_of(text) == [
            "Line 16 followup.methods.iud.every_months: must be a positive whole number"
        ]


# --- SPEC §0: no sanction on a private person ---------------------------------------

CONSEQUENCE = """\
assessment:
  consequences:
    - trigger: {trigger}
      applies_to: {applies_to}
      kind: {kind}
      description: {description}
"""


def with_consequence(
    trigger="report_late", applies_to="unit", kind="penalty", description="逾期上报"
) -> str:
    return minimal() + CONSEQUENCE.format(
        trigger=trigger, applies_to=applies_to, kind=kind, description=description
    )


def test_a_penalty_on_a_unit_for_a_late_report_is_allowed():
    pack = parse_pack(with_consequence()).pack
    assert pack.assessment.consequences[0].applies_to == "unit"


@pytest.mark.parametrize("whom", ["person", "employee", "relative", "当事人", "spouse"])
def test_sanction_on_a_person_is_rejected(whom):
    (message,) = errors_of(with_consequence(applies_to=whom))
    assert message.startswith("第 22 行 assessment.consequences[0].applies_to：")
    assert "只能针对单位或工作岗位" in message
    assert "SPEC 第 0 节" in message


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("social_maintenance_fee", "社会抚养费已于 2021 年取消"),
        ("dismissal", "开除、辞退是对个人的处罚"),
        ("suspend_relative", "停班"),
        ("withhold_pay", "扣发个人工资或福利"),
        ("compulsory_iud", "违背知情选择"),
        ("fine_person", "对个人罚款"),
    ],
)
def test_person_sanction_kinds_are_rejected(kind, why):
    (message,) = errors_of(with_consequence(kind=kind))
    assert message.startswith("第 23 行 assessment.consequences[0].kind：")
    assert why in message
    assert "SPEC 第 0 节" in message


@pytest.mark.parametrize(
    "trigger", ["unplanned_birth", "out_of_policy_birth", "pregnancy", "missed_check", "absence"]
)
def test_reproductive_behaviour_may_not_trigger_a_sanction(trigger):
    (message,) = errors_of(with_consequence(trigger=trigger))
    assert message.startswith("第 21 行 assessment.consequences[0].trigger：")
    assert "生育、怀孕、避孕或到场情况不得" in message


def test_veto_only_for_units():
    text = with_consequence(applies_to="staff_role", kind="veto").replace(
        "      kind: veto", "      role: specialist\n      kind: veto"
    )
    (message,) = errors_of(text)
    assert "一票否决只适用于单位" in message
    assert parse_pack(with_consequence(kind="veto"))


def test_staff_role_needs_a_known_role():
    (message,) = errors_of(with_consequence(applies_to="staff_role"))
    assert "必须写明岗位" in message
    text = with_consequence(applies_to="staff_role").replace(
        "      kind: penalty", "      role: janitor\n      kind: penalty"
    )
    (message,) = errors_of(text)
    assert message.startswith("第 23 行 assessment.consequences[0].role：必须是以下之一：")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("对计划外生育的当事人罚款二万元", "当事人罚"),
        ("征收社会抚养费", "社会抚养费"),
        ("对其亲属给予停班处理", "停班"),
        ("生育一孩后必须上环", "必须上环"),
        ("二孩后夫妇一方必须施行绝育手术", "必须施行绝育"),
        ("对未参检者予以开除", "开除"),
        ("扣发当事人一个月工资", "扣发"),
        ("违反者本人年终考核一票否决", "本人年终考核一票否决"),
        ("强制落实节育措施", "强制"),
    ],
)
def test_free_text_is_scanned_for_person_sanctions(text, words):
    (message,) = errors_of(with_consequence(description=text))
    assert message.startswith("第 24 行 assessment.consequences[0].description：")
    assert f"“{words}”" in message
    assert "SPEC 第 0 节" in message


def test_free_text_anywhere_is_scanned():
    text = minimal().replace("name: 测试政策", "name: 超生罚款与社会抚养费办法")
    (message,) = errors_of(text)
    assert message.startswith("第 2 行 name：")
    text = minimal() + "campaigns:\n  - id: x\n    kind: other\n    name: 查环查孕\n"
    text += "    target: married_wra\n    note: 缺检的对象本人每天罚款 50 元\n"
    (message,) = errors_of(text)
    assert message.startswith("第 24 行 campaigns[0].note：")


@pytest.mark.parametrize(
    "key", ["fine_person", "social_maintenance_fee", "compulsory_method", "dismissal_rules"]
)
def test_unknown_sanction_keys_explain_section_0(key):
    (message,) = errors_of(minimal() + f"{key}: 500\n")
    assert message.startswith(f"第 19 行 {key}：键 {key} 会设置对个人的处罚")
    assert "SPEC 第 0 节" in message


def test_comments_are_not_scanned():
    text = minimal() + "# 000:115 社会抚养费与开除：依 SPEC 第 0 节删去\n"
    assert parse_pack(text).pack.id == "test-pack"


# --- issue 14: every key a pack accepts has an effect, or the loader refuses it --------


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("allowances:\n  - {role: propagandist, yuan_per_month: 10}\n", "allowances"),
        ("letter_inquiry:\n  age_max: 45\n  every_months: 12\n", "every_months"),
    ],
)
def test_keys_without_an_effect_are_refused(extra, key):
    (message,) = errors_of(minimal() + extra)
    assert f"未知的键 {key}" in message


def test_a_letter_of_inquiry_without_frequency_loads():
    pack = parse_pack(minimal() + "letter_inquiry:\n  age_max: 45\n").pack
    assert pack.letter_inquiry is not None and pack.letter_inquiry.age_max == 45


@pytest.mark.parametrize("name", sorted(p.name for p in PACKS_DIR.glob("*.yaml")))
def test_every_shipped_pack_loads_without_the_removed_keys(name):
    text = (PACKS_DIR / name).read_text(encoding="utf-8")
    pack = parse_pack(text).pack
    assert pack.id == name.removesuffix(".yaml")


def test_a_version_stored_before_the_keys_were_retired_still_reads(db):
    """Versions are immutable: one loaded with leave days, allowances and a letter
    frequency is read without them."""
    from jisheng.policy.models import PolicyPack, PolicyPackVersion
    from jisheng.policy.selectors import schema_of

    content = parse_pack(minimal() + "letter_inquiry:\n  age_max: 45\n").pack.model_dump(
        mode="json"
    )
    content["leave_days"] = {"marriage": 3}
    content["allowances"] = [{"role": "propagandist", "yuan_per_month": 10, "note": ""}]
    content["letter_inquiry"]["every_months"] = 12
    with pytest.raises(ValueError):
        PolicyPackSchema.model_validate(content)
    pack = PolicyPack.objects.create(code="old-pack", name="old")
    version = PolicyPackVersion.objects.create(
        pack=pack, version="1", effective_from="2020-01-01", content=content,
        source_text="", sha256="0" * 64,
    )  # fmt: skip
    read = schema_of(version)
    assert read.letter_inquiry is not None and read.letter_inquiry.age_max == 45
    assert content["letter_inquiry"]["every_months"] == 12  # the stored content untouched
