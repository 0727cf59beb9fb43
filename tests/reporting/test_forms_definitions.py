"""Issue 15, report forms: definitions are data — validated strictly (errors in Chinese
naming the file and the column), loaded as versions, the latest in force."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.reporting import selectors_statforms
from jisheng.reporting.definitions import (
    DefinitionInvalid,
    parse_definition,
    shipped_definitions,
    shipped_files,
)
from jisheng.reporting.models import FormDefinition
from jisheng.reporting.services_statforms import definition_load, load_files

GOOD = """
key: test_form
version: 1
title: 测试表
frequency: month
deadline: {key: monthly_statistics, fallback_day: 3}
groups:
  - {key: g, label: 分组}
columns:
  - {key: births, label: 出生, group: g, source: {population: births, filters: [male]}}
  - {key: deaths, label: 死亡, group: g, source: {population: deaths}}
  - {key: all, label: 合计, sum: [births, deaths]}
"""


def errors_of(text: str, name: str = "bad.yaml") -> list[str]:
    with pytest.raises(DefinitionInvalid) as info:
        parse_definition(text, name)
    return info.value.errors


def test_a_good_definition():
    d = parse_definition(GOOD, "good.yaml")
    assert (d.key, d.version, d.frequency, d.deadline_key, d.fallback_day) == (
        "test_form",
        1,
        "month",
        "monthly_statistics",
        3,
    )
    assert [c.key for c in d.columns] == ["births", "deaths", "all"]
    assert d.column("all").terms == ((1, "births"), (1, "deaths"))
    assert len(d.digest) == 64


def test_the_shipped_definitions_are_valid():
    keys = {d.key for d in shipped_definitions()}
    assert keys == {"info_report", "births", "operations", "floating", "population_year"}


def test_unknown_population_names_the_file_and_column():
    text = GOOD.replace("population: deaths", "population: funerals")
    assert errors_of(text) == ["bad.yaml，第 deaths 列：未知的人群“funerals”。"]


def test_unknown_filter():
    text = GOOD.replace("filters: [male]", "filters: [male, twins]")
    assert errors_of(text) == ["bad.yaml，第 births 列：人群“births”没有筛选条件“twins”。"]


def test_duplicate_column():
    text = GOOD.replace("key: deaths", "key: births")
    assert errors_of(text)[0] == "bad.yaml，第 births 列：列重复。"


def test_bad_frequency():
    text = GOOD.replace("frequency: month", "frequency: weekly")
    assert errors_of(text) == ["bad.yaml：未知的报送频率“weekly”：应为月、季或年。"]


def test_bad_breakdown_parameters():
    text = GOOD.replace(
        "source: {population: deaths}", "source: {breakdown: births, order: '4', colour: red}"
    )
    errors = errors_of(text)
    assert len(errors) == 2
    assert all(e.startswith("bad.yaml，第 deaths 列：") for e in errors)


def test_a_sum_of_an_unknown_column_and_a_bad_version():
    text = GOOD.replace("sum: [births, deaths]", "sum: [births, -marriages]").replace(
        "version: 1", "version: one"
    )
    errors = errors_of(text)
    assert "bad.yaml：版本必须是正整数。" in errors
    assert "bad.yaml，第 all 列：合计引用的“marriages”不是前面的列。" in errors


def test_not_yaml_and_not_a_mapping():
    assert errors_of("key: [", "x.yaml")[0].startswith("x.yaml：不是有效的 YAML")
    assert errors_of("- 1\n- 2", "x.yaml") == ["x.yaml：报表定义应为键值映射。"]


def test_loading_keeps_versions_and_the_latest_is_in_force(db):
    first = definition_load(actor=None, text=GOOD, source_name="t.yaml")
    assert first.created
    assert definition_load(actor=None, text=GOOD, source_name="t.yaml").created is False
    changed = GOOD.replace("title: 测试表", "title: 测试表（修订）")
    with pytest.raises(DefinitionInvalid):
        definition_load(actor=None, text=changed, source_name="t.yaml")
    second = definition_load(
        actor=None, text=changed.replace("version: 1", "version: 2"), source_name="t.yaml"
    )
    assert second.created
    assert list(
        FormDefinition.objects.filter(key="test_form").values_list("version", flat=True)
    ) == [2, 1]
    assert selectors_statforms.definition_in_force("test_form").title == "测试表（修订）"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="reporting.formdefinition"
    ).exists()


def test_a_new_version_changes_the_generated_form(tree, tmp_path):
    shipped = (shipped_files()[0].parent / "info_report.yaml").read_text("utf-8")
    newer = shipped.replace("version: 1", "version: 2").replace(
        "title: 计划生育信息报告单汇总表", "title: 信息报告单汇总表（第二版）"
    )
    path = tmp_path / "info_report.yaml"
    path.write_text(newer, "utf-8")
    load_files(actor=None, paths=[path])
    form = selectors_statforms.build("info_report", tree.town, parse("2026-03"))
    assert form.title == "信息报告单汇总表（第二版）"
    assert FormDefinition.objects.filter(key="info_report").count() == 2


def test_the_command_loads_and_reports_errors(db, tmp_path, capsys):
    call_command("load_statforms")
    assert set(FormDefinition.objects.values_list("key", flat=True)) >= {
        "info_report",
        "population_year",
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("population: deaths", "population: funerals"), "utf-8")
    with pytest.raises(CommandError):
        call_command("load_statforms", str(bad))
    assert "未知的人群“funerals”" in capsys.readouterr().err
    assert not FormDefinition.objects.filter(key="test_form").exists()
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, "utf-8")
    call_command("load_statforms", str(good), "--dry-run")
    assert not FormDefinition.objects.filter(key="test_form").exists()
