"""Excel import/export of the organisation tree: the services and the web pages."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from jisheng.core.choices import AuditAction
from jisheng.core.excel import (
    REASON_HEADER,
    ExcelImportError,
    SheetRow,
    read_sheet,
    workbook_bytes,
    write_workbook,
)
from jisheng.core.models import AuditEvent, ImportJob
from jisheng.orgs import excel, services
from jisheng.orgs.excel import (
    COL_ACTIVE,
    COL_ADDRESS,
    COL_CODE,
    COL_NAME,
    COL_PARENT,
    COL_TYPE,
    HEADERS,
    units_export,
    units_import,
)
from jisheng.orgs.models import Unit
from tests import factories


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def superuser(tree):
    user = factories.user("root", tree.county, "admin")
    user.is_superuser = True
    user.save()
    return user


def r(code, name, unit_type, parent="", **extra) -> dict[str, str]:
    values = {COL_CODE: code, COL_NAME: name, COL_TYPE: unit_type, COL_PARENT: parent}
    values.update(extra)
    return values


def numbered(*dicts) -> list[SheetRow]:
    return [SheetRow(number=i, values=d) for i, d in enumerate(dicts, start=2)]


def as_file(*dicts, headers=HEADERS) -> bytes:
    return workbook_bytes(
        write_workbook(
            title=excel.SHEET_TITLE,
            headers=headers,
            rows=[[d.get(h, "") for h in headers] for d in dicts],
        )
    )


def db_state():
    units = list(
        Unit.objects.order_by("code").values_list(
            "code", "name", "unit_type", "path", "address", "is_active"
        )
    )
    return units, AuditEvent.objects.count()


def parent_code(code: str) -> str:
    unit = Unit.objects.get(code=code)
    return Unit.objects.get(path=unit.path[: -Unit.steplen]).code if unit.depth > 1 else ""


def reasons_by_row(result) -> dict[int, list[str]]:
    return {row_number: reasons for row_number, _row, reasons in result.rejected}


# The file of the issue: a wrong code, a missing parent, a duplicate code, a blank name.
BAD_FILE = (
    r("990100001003", "丁村", "村", "990100001000"),  # 2 good
    r("99010000100", "坏代码村", "村", "990100001000"),  # 3 wrong code (11 digits)
    r("990100005001", "孤村", "村", "990100005000"),  # 4 missing parent
    r("990100001004", "戊村", "村", "990100001000"),  # 5 duplicate code
    r("990100001004", "戊村二", "村", "990100001000"),  # 6 duplicate code
    r("990100001005", "", "村", "990100001000"),  # 7 blank name
    r("990100003000", "南城镇", "乡镇", "990100000000"),  # 8 good
    r("990100003001", "南一村", "村", "990100003000"),  # 9 good, parent in the file
)


# --------------------------------------------------------------------------- import


def test_bad_rows_are_rejected_with_reasons_and_nothing_is_written(tree, users):
    before = db_state()
    result = units_import(actor=users.office, rows=numbered(*BAD_FILE))
    assert db_state() == before  # no unit, no audit event
    assert not result.written
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    reasons = reasons_by_row(result)
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert any(x.startswith("单位代码: ") and "12 digits" in x for x in reasons[3])
    assert any(x.startswith("上级单位代码: ") and "990100005000" in x for x in reasons[4])
    assert any("more than once" in x and "5, 6" in x for x in reasons[5])
    assert any("more than once" in x for x in reasons[6])
    assert reasons[7] == ["单位名称: The name is required."]
    # the rejected rows carry their original values for the error workbook
    rejected = {n: row for n, row, _reasons in result.rejected}
    assert rejected[4][COL_NAME] == "孤村"


def test_valid_rows_only_writes_the_good_rows(tree, users):
    units_before = Unit.objects.count()
    result = units_import(actor=users.office, rows=numbered(*BAD_FILE), valid_rows_only=True)
    assert result.written
    assert result.created == 3
    assert sorted(reasons_by_row(result)) == [3, 4, 5, 6, 7]
    assert Unit.objects.count() == units_before + 3
    new_village = Unit.objects.get(code="990100003001")
    assert parent_code("990100003001") == "990100003000"
    assert parent_code("990100001003") == "990100001000"
    assert not Unit.objects.filter(
        code__in=["990100001004", "990100001005", "990100005001"]
    ).exists()
    # each unit audited, plus one import summary
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="orgs.unit", object_id=str(new_village.pk)
    ).exists()
    summary = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert summary.user == users.office
    assert summary.changes["created"] == 3
    assert summary.changes["rejected"] == 5


def test_rows_under_a_rejected_parent_are_rejected(tree, users):
    rows = numbered(
        r("990100004000", "", "乡镇", "990100000000"),  # blank name
        r("990100004001", "子村", "村", "990100004000"),
        r("990100004001-01", "小组", "协会小组", "990100004001"),
    )
    result = units_import(actor=users.office, rows=rows, valid_rows_only=True)
    reasons = reasons_by_row(result)
    assert reasons[3] == ["上级单位代码: Parent unit 990100004000 was rejected."]
    assert reasons[4] == ["上级单位代码: Parent unit 990100004001 was rejected."]
    assert result.created == 0
    assert not Unit.objects.filter(code__startswith="9901000040").exists()


def test_parent_later_in_the_file(tree, users):
    rows = numbered(
        r("990100006001-01", "第一小组", "协会小组", "990100006001"),
        r("990100006001", "北一村", "村", "990100006000"),
        r("990100006000", "北城镇", "乡镇", "990100000000"),
    )
    result = units_import(actor=users.office, rows=rows)
    assert result.rejected == []
    assert result.created == 3
    assert parent_code("990100006001-01") == "990100006001"
    assert parent_code("990100006001") == "990100006000"
    assert parent_code("990100006000") == "990100000000"
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_new_siblings_sorted_before_existing_units_keep_the_tree_sound(tree, users):
    # 0001 sorts before the existing 东城镇 (9901…): inserting it shifts the paths of
    # the existing siblings, whose children are then added in the same import.
    rows = numbered(
        r("0001", "前厂", "企业", "990100000000"),
        r("990100001009", "新村", "村", "990100001000"),
        r("0001-01", "前厂科室", "科室/班组", "0001"),
        r("MINE01-02", "二号井", "分支机构", "MINE01"),
    )
    result = units_import(actor=users.office, rows=rows)
    assert result.rejected == [] and result.created == 4
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert parent_code("990100001009") == "990100001000"
    assert parent_code("0001-01") == "0001"
    assert parent_code("MINE01-02") == "MINE01"


def test_update_of_an_existing_units_name_only_changes_that(tree, users):
    rows = numbered(r("990100001001", "甲村（新）", "村", "990100001000"))
    result = units_import(actor=users.office, rows=rows)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    tree.village_a.refresh_from_db()
    assert tree.village_a.name == "甲村（新）"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(tree.village_a.pk))
    assert event.changes == {"name": ["甲村", "甲村（新）"]}


def test_same_file_twice_is_idempotent(tree, users):
    rows = numbered(
        r("990100001006", "己村", "村", "990100001000", **{COL_ADDRESS: "己村路 1 号"}),
        r("990100001001", "甲村", "村", "990100001000", **{COL_ACTIVE: "否"}),
    )
    first = units_import(actor=users.office, rows=rows)
    assert (first.created, first.updated) == (1, 1)
    state = db_state()[0]
    events = AuditEvent.objects.count()
    second = units_import(actor=users.office, rows=rows)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert db_state()[0] == state
    # only the import summary was added
    assert AuditEvent.objects.count() == events + 1
    assert not Unit.objects.get(code="990100001001").is_active


def test_absent_optional_columns_leave_fields_alone(tree, users):
    services.unit_update(actor=None, unit=tree.village_a, data={"address": "老地址"})
    rows = numbered(r("990100001001", "甲村", "村", "990100001000"))  # no 地址 column
    result = units_import(actor=users.office, rows=rows)
    assert result.unchanged == 1
    tree.village_a.refresh_from_db()
    assert tree.village_a.address == "老地址"


def test_type_by_english_code_and_label(tree, users):
    rows = numbered(
        r("990100001007", "庚村", "village", "990100001000"),
        r("990100001008", "辛村", "Village", "990100001000"),
        r("MINE01-02", "二号井", "分支机构", "MINE01"),
    )
    result = units_import(actor=users.office, rows=rows)
    assert result.created == 3, result.rejected
    assert Unit.objects.get(code="990100001007").unit_type == "village"
    assert Unit.objects.get(code="MINE01-02").unit_type == "branch"


def test_unknown_type_and_bad_active_flag(tree, users):
    rows = numbered(
        r("990100001007", "庚村", "村庄", "990100001000"),
        r("990100001008", "辛村", "村", "990100001000", **{COL_ACTIVE: "也许"}),
    )
    reasons = reasons_by_row(units_import(actor=users.office, rows=rows))
    assert reasons[2][0].startswith("单位类型: Unknown unit type 村庄")
    assert "乡镇" in reasons[2][0]
    assert reasons[3][0].startswith("是否启用: ")


def test_inactive_flag_is_imported(tree, users):
    rows = numbered(r("990100001007", "庚村", "村", "990100001000", **{COL_ACTIVE: "否"}))
    units_import(actor=users.office, rows=rows)
    assert Unit.objects.get(code="990100001007").is_active is False


def test_scope_rows_under_another_township_are_rejected_and_audited(tree, users):
    before = db_state()[0]
    rows = numbered(
        r("990100002002", "丁社区", "社区", "990100002000"),  # under 西城街道
        r("990100001009", "本镇村", "村", "990100001000"),  # under 东城镇: fine
    )
    result = units_import(actor=users.town_office, rows=rows)
    assert sorted(reasons_by_row(result)) == [2]
    assert "990100002000" in reasons_by_row(result)[2][0]
    assert db_state()[0] == before
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.user == users.town_office
    assert denied.object_id == str(tree.street.pk)


def test_units_outside_scope_cannot_be_updated(tree, users):
    rows = numbered(r("990100002001", "改名社区", "社区", "990100002000"))
    result = units_import(actor=users.town_office, rows=rows, valid_rows_only=True)
    assert "outside your data scope" in reasons_by_row(result)[2][0]
    tree.community.refresh_from_db()
    assert tree.community.name == "丙社区"
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_id=str(tree.community.pk)
    ).exists()


def test_top_level_units_need_a_superuser(tree, users, superuser):
    rows = numbered(r("990200000000", "另一县", "县/区", ""))
    assert reasons_by_row(units_import(actor=users.office, rows=rows))[2][0].startswith(
        "上级单位代码: "
    )
    result = units_import(actor=superuser, rows=rows)
    assert result.created == 1
    assert Unit.objects.get(code="990200000000").depth == 1


def test_default_parent_for_blank_parent_codes(tree, users):
    rows = numbered(
        r("990100001007", "庚村", "村", ""), r("990100001007-01", "组", "协会小组", "990100001007")
    )
    result = units_import(actor=users.town_office, rows=rows, default_parent=tree.town)
    assert result.created == 2
    assert parent_code("990100001007") == "990100001000"
    with pytest.raises(PermissionDenied):
        units_import(actor=users.town_office, rows=rows, default_parent=tree.street)


def test_cycles_are_rejected(tree, users):
    rows = numbered(
        r("GROUP-A", "甲组", "协会小组", "GROUP-B"),
        r("GROUP-B", "乙组", "协会小组", "GROUP-A"),
        r("GROUP-C", "丙组", "协会小组", "GROUP-B"),
        r("GROUP-D", "丁组", "协会小组", "GROUP-D"),
    )
    reasons = reasons_by_row(units_import(actor=users.office, rows=rows, valid_rows_only=True))
    assert "Circular" in reasons[2][0] and "GROUP-A → GROUP-B → GROUP-A" in reasons[2][0]
    assert "Circular" in reasons[3][0]
    assert reasons[4] == ["上级单位代码: Parent unit GROUP-B was rejected."]
    assert "own parent" in reasons[5][0]
    assert not Unit.objects.filter(code__startswith="GROUP-").exists()


def test_an_import_does_not_move_units(tree, users):
    rows = numbered(r("990100001001", "甲村", "村", "990100002000"))
    reasons = reasons_by_row(units_import(actor=users.office, rows=rows))
    assert "does not move" in reasons[2][0]
    assert parent_code("990100001001") == "990100001000"


def test_type_change_that_breaks_sub_units_is_rejected(tree, users):
    rows = numbered(r("990100001000", "东城镇", "村", "990100000000"))
    reasons = reasons_by_row(units_import(actor=users.office, rows=rows))
    assert any(x.startswith("单位代码: ") for x in reasons[2])  # a village code needs 12 digits
    assert any("甲村" in x for x in reasons[2])  # its villages no longer fit
    tree.town.refresh_from_db()
    assert tree.town.unit_type == "township"


def test_dry_run_reports_and_writes_nothing(tree, users):
    rows = numbered(
        r("990100001007", "庚村", "村", "990100001000"),
        r("990100001001", "甲村新名", "村", "990100001000"),
        r("990100001002", "乙村", "村", "990100001000"),
    )
    before = db_state()
    result = units_import(actor=users.office, rows=rows, dry_run=True)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert result.dry_run and not result.written
    assert db_state() == before


def test_a_failure_while_writing_undoes_the_whole_import(tree, users, monkeypatch):
    real_create = services.unit_create
    calls = []

    def flaky_create(**kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 2:
            raise ValidationError({"name": "boom"})
        return real_create(**kwargs)

    monkeypatch.setattr(services, "unit_create", flaky_create)
    before = db_state()
    rows = numbered(
        r("990100001007", "庚村", "村", "990100001000"),
        r("990100001008", "辛村", "村", "990100001000"),
    )
    result = units_import(actor=users.office, rows=rows)
    assert db_state() == before
    assert not result.written and result.created == 0
    assert reasons_by_row(result) == {3: ["单位名称: boom"]}


def test_file_level_checks_for_the_organisation_sheet():
    with pytest.raises(ExcelImportError) as info:
        excel.read_units_file(as_file(r("A", "B", "村"), headers=[COL_CODE, COL_NAME, COL_TYPE]))
    assert COL_PARENT in str(info.value)


# --------------------------------------------------------------------------- export


def test_export_reimports_as_unchanged(tree, users):
    workbook = units_export(user=users.office, root=tree.county)
    assert workbook.sheetnames == [excel.SHEET_TITLE]
    sheet = read_sheet(workbook_bytes(workbook), sheet_name=excel.SHEET_TITLE)
    assert sheet.headers == list(HEADERS)
    by_code = {row.values[COL_CODE]: row.values for row in sheet.rows}
    assert len(by_code) == 8
    assert by_code["990100001001"][COL_TYPE] == "村"
    assert by_code["990100001001"][COL_PARENT] == "990100001000"
    assert by_code["990100000000"][COL_PARENT] == ""
    assert by_code["MINE01-01"][COL_TYPE] == "分支机构"
    assert by_code["990100002000"][COL_ACTIVE] == "是"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=users.office).count() == 1

    result = units_import(actor=users.office, rows=sheet.rows)
    assert result.rejected == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 8)


def test_export_of_a_subtree_in_a_narrower_scope_reimports(tree, users):
    sheet = read_sheet(workbook_bytes(units_export(user=users.town_office, root=tree.town)))
    codes = [row.values[COL_CODE] for row in sheet.rows]
    assert codes == ["990100001000", "990100001001", "990100001002"]
    assert sheet.rows[0].values[COL_PARENT] == "990100000000"
    result = units_import(actor=users.town_office, rows=sheet.rows)
    assert result.rejected == [] and result.unchanged == 3


def test_export_outside_scope_is_refused(tree, users):
    with pytest.raises(PermissionDenied):
        units_export(user=users.field_a, root=tree.village_b)
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, user=users.field_a).exists()


def test_template_examples_are_valid_and_explained(tree, superuser):
    workbook = excel.units_template()
    assert workbook.sheetnames == [excel.SHEET_TITLE, "说明"]
    notes = [c for row in workbook["说明"].iter_rows(values_only=True) for c in row if c]
    for label in excel.UNIT_TYPE_LABELS_ZH.values():
        assert label in notes
    for header in HEADERS:
        assert header in notes
    sheet = excel.read_units_file(workbook_bytes(workbook))
    result = units_import(actor=superuser, rows=sheet.rows, dry_run=True)
    assert result.rejected == [] and result.created == len(sheet.rows)


def test_error_workbook_of_an_import(tree, users):
    result = units_import(actor=users.office, rows=numbered(*BAD_FILE))
    data = workbook_bytes(excel.units_error_workbook(result))
    sheet = read_sheet(data, required_headers=[REASON_HEADER])
    assert sheet.headers[: len(HEADERS)] == list(HEADERS)
    assert [row.values[COL_NAME] for row in sheet.rows] == [
        "坏代码村",
        "孤村",
        "戊村",
        "戊村二",
        "",
    ]
    assert all(row.values[REASON_HEADER] for row in sheet.rows)


# --------------------------------------------------------------------------- pages

IMPORT_URL = reverse("orgs:unit_import")
TEMPLATE_URL = reverse("imports:template", args=["units"])


def upload(client, data: bytes, name="units.xlsx", **fields):
    payload = {"kind": "units", "file": io.BytesIO(data), **fields}
    payload["file"].name = name
    client.cookies["django_language"] = "en"
    return client.post(IMPORT_URL, payload)


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


@pytest.mark.parametrize(
    "url",
    [
        IMPORT_URL,
        TEMPLATE_URL,
        "/orgs/units/990100000000/export.xlsx",
        "/import/jobs/1/errors.xlsx",
    ],
)
def test_anonymous_users_are_sent_to_login(client, tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_import_needs_add_and_change_permissions(client, tree, users):
    client.force_login(users.leader)  # view only
    assert client.get(IMPORT_URL).status_code == 403
    assert (
        upload(client, as_file(r("990100001007", "庚村", "村", "990100001000"))).status_code == 403
    )
    assert client.get(TEMPLATE_URL).status_code == 403
    assert not Unit.objects.filter(code="990100001007").exists()
    assert not ImportJob.objects.exists()


def test_import_page_and_template_download(client, tree, users):
    client.force_login(users.office)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    assert b'data-kind="units"' in page.content
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [excel.SHEET_TITLE, "说明"]


def test_upload_happy_path(client, tree, users):
    client.force_login(users.town_office)
    response = upload(
        client,
        as_file(
            r("990100001007", "庚村", "村", "990100001000"),
            r("990100001001", "甲村二", "村", "990100001000"),
        ),
    )
    job = last_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert (job.kind, job.status, job.user) == ("units", ImportJob.Status.DONE, users.town_office)
    result = job.result
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 0)
    assert result["rejected"] == 0 and result["written"]
    page = client.get(response["Location"])
    assert b'data-testid="count-created">1<' in page.content
    assert parent_code("990100001007") == "990100001000"
    assert AuditEvent.objects.filter(
        action=AuditAction.IMPORT, user=users.town_office, request_path=IMPORT_URL
    ).exists()


def test_upload_with_default_parent_and_dry_run(client, tree, users):
    client.force_login(users.town_office)
    data = as_file(r("990100001007", "庚村", "村", ""))
    response = upload(client, data, unit="990100001000", dry_run="on")
    assert response.status_code == 302
    job = last_job()
    assert job.unit_code == "990100001000" and job.dry_run
    assert job.result["created"] == 1 and job.result["dry_run"]
    assert not Unit.objects.filter(code="990100001007").exists()
    response = upload(client, data, unit="990100002000")  # outside scope
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    assert ImportJob.objects.count() == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, user=users.town_office, object_id=str(tree.street.pk)
    ).exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"code,name\n1,2\n", "units.xlsx"),
        (b"PK\x03\x04broken", "units.xlsx"),
        (b"hello", "units.csv"),
    ],
)
def test_upload_of_a_bad_file_fails_its_job_with_the_error(client, tree, users, data, name):
    client.force_login(users.office)
    before = db_state()
    response = upload(client, data, name=name)
    assert response.status_code == 302
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert "xlsx" in job.message and job.result == {}
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-failed"' in page and "nothing was saved" in page
    assert db_state() == before


def test_rejected_upload_offers_its_error_workbook_to_its_owner_only(client, tree, users):
    client.force_login(users.office)
    before = db_state()
    response = upload(client, as_file(*BAD_FILE))
    assert response.status_code == 302
    assert db_state() == before
    job = last_job()
    assert job.status == ImportJob.Status.DONE and not job.result["written"]
    assert len(job.result["rejected_rows"]) == 5
    assert job.result["rejected_rows"][0]["label"] == "99010000100 坏代码村"
    page = client.get(response["Location"]).content.decode()
    assert "12 digits" in page
    url = reverse("imports:job_errors", args=[job.pk])
    assert url in page

    download = client.get(url)
    assert download.status_code == 200
    sheet = read_sheet(b"".join(download.streaming_content), required_headers=[REASON_HEADER])
    assert len(sheet.rows) == 5

    # the import page lists the user's recent imports
    assert reverse("imports:job", args=[job.pk]) in client.get(IMPORT_URL).content.decode()

    client.force_login(users.admin)
    assert client.get(url).status_code == 404


def test_export_page(client, tree, users):
    client.force_login(users.leader)
    response = client.get(reverse("orgs:unit_export", args=["990100001000"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    sheet = read_sheet(response.content)
    assert [row.values[COL_CODE] for row in sheet.rows] == [
        "990100001000",
        "990100001001",
        "990100001002",
    ]


def test_export_page_out_of_scope_is_404_and_audited(client, tree, users):
    client.force_login(users.field_a)
    response = client.get(reverse("orgs:unit_export", args=["990100001002"]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, user=users.field_a, object_id=str(tree.village_b.pk)
    ).exists()
    assert client.get(reverse("orgs:unit_export", args=["NOSUCHUNIT"])).status_code == 404


def test_export_page_needs_view_permission(client, tree):
    nobody = factories.user("nobody", tree.village_a)  # no role
    client.force_login(nobody)
    assert client.get(reverse("orgs:unit_export", args=["990100001001"])).status_code == 403
