"""jisheng policy load|list."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jisheng.core.models import AuditEvent
from jisheng.policy.models import PolicyPackVersion
from jisheng.policy.services import PACKS_DIR
from tests.policy.conftest import minimal, mismatched_total


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("policy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def pack_path(tmp_path) -> Path:
    path = tmp_path / "test.yaml"
    path.write_text(minimal(), encoding="utf-8")
    return path


def test_load_for_a_unit_and_reload(tree, pack_path):
    out, _err = run("load", str(pack_path), "--unit", "MINE01")
    assert out.strip() == "已为示范煤矿载入 test-pack 1 版。"
    version = PolicyPackVersion.objects.get(pack__code="test-pack")
    assert version.unit == tree.mine
    assert version.source_name == "test.yaml"
    assert AuditEvent.objects.filter(
        object_type="policy.policypackversion", username="system"
    ).exists()
    out, _err = run("load", str(pack_path), "--unit", "MINE01")
    assert out.strip() == "示范煤矿的 test-pack 1 版已载入，未作任何更改。"
    assert PolicyPackVersion.objects.filter(pack__code="test-pack").count() == 1


def test_load_default_and_dry_run(db, pack_path):
    out, _err = run("load", str(pack_path), "--dry-run")
    assert out.strip() == "有效：所有单位（默认）的 test-pack 1 版。"
    assert not PolicyPackVersion.objects.filter(pack__code="test-pack").exists()
    run("load", str(pack_path))
    assert PolicyPackVersion.objects.get(pack__code="test-pack").unit is None


def test_invalid_file_prints_line_numbers_and_fails(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        minimal(iud_months=0).replace("births:\n", "fine_person: 1\nbirths:\n"), encoding="utf-8"
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command("policy", "load", str(path), stdout=out, stderr=err)
    assert info.value.returncode == 1
    assert str(info.value) == "bad.yaml 不是有效的政策包（2 个错误），未载入任何内容。"
    lines = err.getvalue().splitlines()
    assert lines[0] == "bad.yaml: 第 16 行 followup.methods.iud.every_months：必须是正整数"
    assert lines[1].startswith("bad.yaml: 第 17 行 fine_person：键 fine_person 会设置对个人的处罚")
    assert not PolicyPackVersion.objects.filter(pack__code="test-pack").exists()


def test_warnings_go_to_stderr(tree, tmp_path):
    path = tmp_path / "mismatch.yaml"
    path.write_text(mismatched_total(), encoding="utf-8")
    _out, err = run("load", str(path), "--unit", "990100000000")
    assert "警告：assessment：声明总分 100 分，但各项分值合计 80 分。" in err
    _out, err = run(
        "load", str(PACKS_DIR / "county-commodities-2007.yaml"), "--unit", "990100000000"
    )
    assert "警告" not in err  # its total is reconciled (issue 14)


def test_errors_for_missing_file_and_unit(db, pack_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run("load", "/nonexistent/x.yaml")
    with pytest.raises(CommandError, match="没有代码为 NOPE 的单位"):
        run("load", str(pack_path), "--unit", "NOPE")


def test_list(tree, pack_path):
    run("load", str(pack_path), "--unit", "MINE01")
    out, _err = run("list")
    lines = out.splitlines()
    assert lines[0].split("\t")[:3] == ["政策包", "版本", "生效日期"]
    rows = {tuple(line.split("\t")[:4]): line.split("\t")[4] for line in lines[1:]}
    assert rows[("default-2026", "2026.2", "2026-01-01", "-")] == "*"
    assert rows[("test-pack", "1", "2020-01-01", "MINE01")] == "*"


def test_jisheng_cli_exit_status(db, tmp_path):
    """The command-line tool exits non-zero on an invalid pack."""
    from django.core.management import ManagementUtility

    path = tmp_path / "bad.yaml"
    path.write_text("id: [\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        ManagementUtility(["jisheng", "policy", "load", str(path)]).execute()
    assert info.value.code == 1
