"""The logic-rule loader: versions by digest, and bad input refused with a Chinese error
naming the file and the rule; nothing stored."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from jisheng.quality.definitions_rules import (
    ExpressionError,
    RulesInvalid,
    default_files,
    evaluate,
    parse_expression,
    parse_rules,
    read_files,
    rules_load,
)
from jisheng.quality.models import LogicRule


@pytest.fixture(autouse=True)
def no_rules_yet(db):
    """Start from an empty table: migrate loads the shipped rules (post_migrate); these
    tests load their own files and count versions from nothing."""
    LogicRule.objects.all().delete()


GOOD = """
rules:
  - key: births_by_sex
    name: 出生按性别合计
    message: 合计{left}，总数{right}
    severity: error
    periods: [month]
    left: births[male] + births[female]
    operator: "=="
    right: births
"""


def _errors(text: str, source: str = "bad.yaml") -> list[str]:
    with pytest.raises(RulesInvalid) as caught:
        parse_rules(text, source)
    return caught.value.errors


def _with(**changes) -> str:
    lines = {
        "key": "r1",
        "name": "规则",
        "message": "'{left} {right}'",
        "severity": "error",
        "periods": "[month]",
        "left": "births",
        "operator": '"<="',
        "right": "wra",
    }
    lines.update(changes)
    body = "".join(f"    {k}: {v}\n" for k, v in lines.items() if v is not None)
    return "rules:\n  - " + body.lstrip()


def test_expressions_parse_and_evaluate():
    node = parse_expression("2 × (births[male] + births[female]) − 1")
    values = {("births", ("male",)): 3, ("births", ("female",)): 4}
    assert evaluate(node, lambda leaf: values[(leaf[1], leaf[2])]) == 13
    assert parse_expression("wra[with_method, married]") == (
        "pop",
        "wra",
        ("married", "with_method"),
    )
    assert parse_expression("form:monthly:births_total")[0] == "form"
    for bad in ("births +", "(births", "births $ 2", "", "births[]"):
        with pytest.raises(ExpressionError):
            parse_expression(bad)


@pytest.mark.django_db
def test_the_shipped_rules_are_valid_and_load_once():
    rules = read_files(default_files())
    assert {r.key for r in rules} >= {
        "births_by_sex",
        "method_users_within_married_wra",
        "methods_by_kind_sum",
        "visits_done_within_due",
        "short_birth_interval",
        "mother_age_out_of_range",
        "id_number_disagrees",
        "likely_duplicate_person",
    }
    call_command("load_logic_rules", verbosity=0)
    count = LogicRule.objects.count()
    call_command("load_logic_rules", verbosity=0)  # the same files again: nothing new
    assert LogicRule.objects.count() == count
    assert LogicRule.objects.filter(active=True).count() == count


@pytest.mark.django_db
def test_a_changed_rule_is_a_new_version_and_a_dropped_one_retires():
    rules_load(actor=None, rules=parse_rules(GOOD, "a.yaml"), sources=["a.yaml"])
    changed = GOOD.replace("severity: error", "severity: warning")
    result = rules_load(actor=None, rules=parse_rules(changed, "a.yaml"), sources=["a.yaml"])
    assert result.changed == ["births_by_sex"]
    versions = list(LogicRule.objects.filter(key="births_by_sex").order_by("version"))
    assert [(v.version, v.active, v.severity) for v in versions] == [
        (1, False, "error"),
        (2, True, "warning"),
    ]
    result = rules_load(actor=None, rules=[], sources=["a.yaml"])
    assert result.retired == ["births_by_sex"]
    assert not LogicRule.objects.filter(active=True).exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"left": "babies"}, "未知的统计人群“babies”"),
        ({"left": "births[boys]"}, "统计人群“births”没有筛选条件“boys”"),
        ({"operator": '"=>"'}, "未知的运算符“=>”"),
        ({"right": "form:no_such_form:total"}, "未知的统计报表“no_such_form”"),
        ({"severity": "fatal"}, "未知的严重程度“fatal”"),
        ({"periods": "[week]"}, "未知的期别“week”"),
        ({"message": "'{left} {whom}'"}, "提示信息引用了未知的值：whom"),
        ({"left": '"births +"'}, "表达式“births +”不完整"),
        ({"key": "Bad-Key"}, "规则代码只能由小写字母、数字和“_”组成"),
        ({"name": None}, "缺少必填字段“name”"),
        ({"colour": "red"}, "未知的字段：colour"),
    ],
)
def test_bad_rules_are_named_in_chinese(db, changes, expected):
    errors = _errors(_with(**changes), "county.yaml")
    assert any(expected in e for e in errors), errors
    assert all(e.startswith("county.yaml，规则 ") for e in errors)


def test_bad_record_checks(db):
    text = """
rules:
  - key: interval
    name: 间隔
    message: "{detail}"
    severity: error
    periods: [month]
    check: birth_gap
  - key: age
    name: 年龄
    message: "{left}"
    severity: error
    periods: [month]
    check: mother_age
    params: {min_age: "15", colour: 1}
"""
    errors = _errors(text, "x.yaml")
    assert any("x.yaml，规则 interval：未知的记录校验“birth_gap”" in e for e in errors)
    assert any("规则 age：参数“min_age”应为整数" in e for e in errors)
    assert any("规则 age：记录校验“mother_age”没有参数“colour”" in e for e in errors)
    assert any("规则 age：提示信息引用了未知的值：left" in e for e in errors)


def test_not_yaml_no_list_and_twice_the_same_key(db):
    assert "不是有效的 YAML 文件" in _errors("rules: [a: b: c", "y.yaml")[0]
    assert "文件中应有规则列表" in _errors("rule: []", "y.yaml")[0]
    twice = GOOD + GOOD.split("rules:\n", 1)[1]
    assert any("规则 births_by_sex：规则代码重复" in e for e in _errors(twice, "y.yaml"))


@pytest.mark.django_db
def test_the_command_refuses_a_bad_file_and_stores_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(_with(left="babies"), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_logic_rules", str(path))
    assert "bad.yaml，规则 r1：未知的统计人群“babies”" in str(caught.value)
    assert not LogicRule.objects.exists()
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("load_logic_rules", str(tmp_path / "missing.yaml"))
