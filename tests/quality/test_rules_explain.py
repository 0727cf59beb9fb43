"""Rules over the cells of a statistical form, explanations, and the submission check
(``core.statforms.submission_findings``) another helper blocks submission on."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jisheng.core.audit import AuditEvent
from jisheng.core.periods import parse
from jisheng.core.registry import registry
from jisheng.core.statforms import Form, FormRow, FormSpec, report_units, submission_findings
from jisheng.quality.checks import run_checks
from jisheng.quality.definitions_rules import parse_rules, rules_load
from jisheng.quality.models import LogicExplanation
from jisheng.quality.services_rules import explain
from tests.quality.rules_data import D, birth, load_default_rules

MARCH = parse("2026-03")
FORM = "test_births_form"

# The form: per row unit, boys, girls and a total that the test makes wrong for village A.
CELLS = {"990100001001": (1, 1, 3), "990100001002": (0, 2, 2)}

RULES = f"""
rules:
  - key: form_total_adds_up
    name: 报表合计等于男女之和
    message: 报表男女之和（{{left}}）不等于合计（{{right}}）
    severity: error
    periods: [month]
    left: form:{FORM}:boys + form:{FORM}:girls
    operator: "=="
    right: form:{FORM}:total
  - key: form_total_warning
    name: 报表合计不超过100
    message: 合计{{left}}
    severity: warning
    periods: [month]
    left: form:{FORM}:total
    operator: "<="
    right: 1
  - key: registry_births_at_most_zero
    name: 登记出生数不超过0（测试用：台账规则）
    message: 本期登记出生{{left}}
    severity: error
    periods: [month]
    left: births
    operator: "<="
    right: 0
"""


def _build(unit, period):
    rows = []
    totals = [0, 0, 0]
    for u in report_units(unit):
        b, g, t = CELLS.get(u.code, (0, 0, 0))
        totals = [totals[0] + b, totals[1] + g, totals[2] + t]
        rows.append(FormRow(u, {"boys": b, "girls": g, "total": t}))
    rows.append(FormRow(None, dict(zip(("boys", "girls", "total"), totals, strict=True))))
    return Form(
        FORM, "测试表", unit, period, [("boys", "男"), ("girls", "女"), ("total", "合计")], rows
    )


@pytest.fixture
def form_rules(db):
    registry["statforms"][FORM] = FormSpec(
        key=FORM,
        title="测试表",
        frequency="month",
        build=_build,
        deadline=lambda unit, period: period.last + datetime.timedelta(days=3),
        source="reporting",  # generated from the registry, like the 信息报告单
    )
    registry["statforms"]["another"] = FormSpec(
        key="another",
        title="药具表（测试）",
        frequency="month",
        build=_build,
        deadline=lambda unit, period: period.last + datetime.timedelta(days=3),
        source="commodities",
    )
    rules_load(actor=None, rules=parse_rules(RULES, "form.yaml"), sources=["form.yaml"])
    load_default_rules()
    yield
    registry["statforms"].pop(FORM, None)
    registry["statforms"].pop("another", None)


def test_form_rules_per_row_and_total(form_rules, tree):
    found = [
        v for v in run_checks(unit=tree.town, period=MARCH) if v.rule.key == "form_total_adds_up"
    ]
    # village A: 1 + 1 ≠ 3; the township's total: 3 + 0 … boys 1, girls 3, total 5 → 4 ≠ 5
    assert sorted((v.unit.code, v.left, v.right) for v in found) == [
        (tree.town.code, 4, 5),
        (tree.village_a.code, 2, 3),
    ]
    assert found[0].message.startswith("报表男女之和（")


def test_submission_check_blocks_until_explained(form_rules, tree, users, make_person):
    mother = make_person(name="蒋一", birth_date=D(2012, 1, 1))  # 14 at the birth
    b = birth(mother, D(2026, 3, 5), "F")
    findings = submission_findings(unit=tree.village_a, form_key=FORM, period=MARCH)
    by_rule = {
        f.rule: f
        for f in findings
        if f.rule
        in (
            "form_total_adds_up",
            "form_total_warning",
            "mother_age_out_of_range",
            "registry_births_at_most_zero",
        )
    }
    # a form generated from the registry faces its own cells' rules, the rules over the
    # registry's counts (one birth > 0) and the record rules (a mother of 14)
    assert set(by_rule) == {
        "form_total_adds_up",
        "form_total_warning",
        "mother_age_out_of_range",
        "registry_births_at_most_zero",
    }
    assert by_rule["form_total_adds_up"].severity == "error"
    assert by_rule["form_total_warning"].severity == "warning"
    assert not any(f.explained for f in findings)
    assert "/quality/checks/records/?" in by_rule["mother_age_out_of_range"].url
    # village B's report: its row adds up, nothing recorded there
    other = submission_findings(unit=tree.village_b, form_key=FORM, period=MARCH)
    assert [f.rule for f in other if f.severity == "error"] == []
    # a form of another app (a commodity form) faces only the rules reading its cells:
    # neither this form's rules, nor the registry's counts, nor the record rules
    another = submission_findings(unit=tree.village_a, form_key="another", period=MARCH)
    assert another == []

    explain(
        actor=users.office,
        rule_key="form_total_adds_up",
        unit=tree.village_a,
        period=MARCH,
        text="合计含一例外地分娩",
    )
    explain(
        actor=users.office,
        rule_key="mother_age_out_of_range",
        unit=tree.village_a,
        period=MARCH,
        record=f"people.birth:{b.pk}",
        text="出生日期已与医院核对",
    )
    explain(
        actor=users.office,
        rule_key="registry_births_at_most_zero",
        unit=tree.village_a,
        period=MARCH,
        text="测试规则：本月确有一例出生",
    )
    findings = submission_findings(unit=tree.village_a, form_key=FORM, period=MARCH)
    errors = [f for f in findings if f.severity == "error"]
    assert errors and all(f.explained for f in errors)
    e = LogicExplanation.objects.get(rule_key="form_total_adds_up")
    assert (e.explained_by, e.period, e.record, e.text) == (
        users.office,
        "2026-03",
        "",
        "合计含一例外地分娩",
    )
    assert (
        AuditEvent.objects.filter(object_type="quality.logicexplanation", action="create").count()
        == 3
    )
    # explaining again changes the text, one row
    explain(
        actor=users.office,
        rule_key="form_total_adds_up",
        unit=tree.village_a,
        period=MARCH,
        text="已核实",
    )
    assert LogicExplanation.objects.get(rule_key="form_total_adds_up").text == "已核实"
    # the explanation is per period: April is not explained
    assert not LogicExplanation.objects.filter(period="2026-04").exists()


def test_explain_refuses_bad_input(form_rules, tree, users):
    with pytest.raises(ValidationError, match="请填写"):
        explain(
            actor=users.office,
            rule_key="form_total_adds_up",
            unit=tree.village_a,
            period=MARCH,
            text=" ",
        )
    with pytest.raises(ValidationError, match="没有这个逻辑校验规则"):
        explain(actor=users.office, rule_key="nope", unit=tree.village_a, period=MARCH, text="x")
    with pytest.raises(ValidationError, match="只有“错误”级别"):
        explain(
            actor=users.office,
            rule_key="form_total_warning",
            unit=tree.village_a,
            period=MARCH,
            text="x",
        )
    with pytest.raises(ValidationError, match="记录与校验规则不符"):
        explain(
            actor=users.office,
            rule_key="mother_age_out_of_range",
            unit=tree.village_a,
            period=MARCH,
            text="x",
        )
    with pytest.raises(ValidationError):
        explain(
            actor=users.office,
            rule_key="form_total_adds_up",
            unit=tree.village_a,
            period=MARCH,
            text="x" * 1001,
        )
    # a unit outside the actor's scope: refused and audited
    with pytest.raises(PermissionDenied):
        explain(
            actor=users.field_b,
            rule_key="form_total_adds_up",
            unit=tree.village_a,
            period=MARCH,
            text="x",
        )
    assert AuditEvent.objects.filter(action="denied", user=users.field_b).exists()
    assert not LogicExplanation.objects.exists()
