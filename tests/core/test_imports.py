"""Issue 14 item 2: the import job is core's, keyed by importer kind.

Importers come from the registry (the apps' ``ready()``); one page, job, progress bar and
error workbook serve every kind — organisation units now run in the background like the
registry's imports; the permissions are the importer's; a job is its user's only; the
migration moves the old ``people.ImportJob`` rows.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.core import imports
from jisheng.core.excel import (
    REASON_HEADER,
    ExcelImportError,
    Importer,
    ImportResult,
    RejectedRow,
    get_importer,
    importer_kinds,
    read_sheet,
    workbook_bytes,
    write_workbook,
)
from jisheng.core.models import ImportJob
from jisheng.core.registry import RegistryConflict, register_importer, registry
from jisheng.orgs import excel as units_excel
from jisheng.orgs.excel import COL_CODE, COL_NAME, COL_PARENT, COL_TYPE, HEADERS
from jisheng.orgs.models import Unit
from tests import factories

UNITS_URL = reverse("imports:start", args=["units"])


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def queued_backend(settings):
    """The default backend only stores tasks: jobs wait as they would for a worker."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
        "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    settings.JISHENG_IMPORT_INLINE_BYTES = 0  # every upload goes to the background


def unit_row(code, name, unit_type="村", parent="990100001000") -> dict[str, str]:
    return {COL_CODE: code, COL_NAME: name, COL_TYPE: unit_type, COL_PARENT: parent}


def units_file(*rows) -> bytes:
    return workbook_bytes(
        write_workbook(
            title=units_excel.SHEET_TITLE,
            headers=HEADERS,
            rows=[[values.get(h, "") for h in HEADERS] for values in rows],
        )
    )


def upload(client, data: bytes, *, url=UNITS_URL, name="units.xlsx", **fields):
    payload = {"kind": "units", "file": SimpleUploadedFile(name, data), **fields}
    client.cookies["django_language"] = "en"
    return client.post(url, payload)


def units_codes() -> list[str]:
    return list(Unit.objects.order_by("code").values_list("code", flat=True))


# --------------------------------------------------------------------------- registry


def test_importers_come_from_the_registry_not_a_setting():
    assert not hasattr(django_settings, "JISHENG_IMPORTERS")
    # the apps' kinds, and the one of the test app (tests/plugin_app) that plugs in alone
    assert importer_kinds() == [
        "benefit_applications",
        "births",
        "couples",
        "households",
        "persons",
        "plugin_widgets",
        "rental_properties",
        "tenants",
        "units",
    ]
    assert get_importer("units") is units_excel.UNITS_IMPORTER
    assert registry["importers"]["persons"].kind == "persons"
    with pytest.raises(KeyError):
        get_importer("nothing")


def test_a_second_importer_cannot_claim_a_kind():
    other = Importer(
        kind="units",
        sheet_name="x",
        headers=("a",),
        required_headers=("a",),
        permissions=(),
        run=lambda **kwargs: ImportResult(),
    )
    with pytest.raises(RegistryConflict):
        register_importer(other)
    assert get_importer("units") is units_excel.UNITS_IMPORTER
    register_importer(units_excel.UNITS_IMPORTER)  # ready() run again: no-op


@pytest.fixture
def note_importer():
    """An importer of a kind no app knows, registered for the test only."""
    seen = []

    def run(*, actor, rows, dry_run, valid_rows_only, unit_code, source_name, headers):
        seen.extend(row.values["名称"] for row in rows)
        result = ImportResult(dry_run=dry_run, headers=list(headers))
        for row in rows:
            if row.values["名称"].startswith("坏"):
                result.rejected.append(RejectedRow(row.number, row.values, ["坏的名称"]))
            else:
                result.created += 1
        result.written = not dry_run and not result.rejected
        return result

    importer = Importer(
        kind="notes",
        sheet_name="记事",
        headers=("名称",),
        required_headers=("名称",),
        permissions=("orgs.add_unit",),
        run=run,
        label="记事",
    )
    register_importer(importer)
    yield seen
    registry["importers"].pop("notes")


def test_any_registered_kind_gets_the_page_job_and_error_workbook(
    client, tree, users, note_importer
):
    client.force_login(users.office)
    url = reverse("imports:start", args=["notes"])
    page = client.get(url)
    assert page.status_code == 200 and b'data-kind="notes"' in page.content
    data = workbook_bytes(write_workbook(title="记事", headers=["名称"], rows=[["好"], ["坏"]]))
    response = client.post(url, {"kind": "notes", "file": SimpleUploadedFile("n.xlsx", data)})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert (job.kind, job.status) == ("notes", ImportJob.Status.DONE)
    assert note_importer == ["好", "坏"]
    assert job.result["total"] == 2 and job.result["rejected"] == 1
    assert job.result["rejected_rows"] == [{"row": 3, "reasons": ["坏的名称"], "label": "坏"}]
    errors = client.get(reverse("imports:job_errors", args=[job.pk]))
    sheet = read_sheet(b"".join(errors.streaming_content), required_headers=[REASON_HEADER])
    assert [row.values["名称"] for row in sheet.rows] == ["坏"]


# --------------------------------------------------------------------- units in the background


def test_units_import_runs_as_a_background_job_with_progress(
    client, tree, users, queued_backend, monkeypatch
):
    client.force_login(users.office)
    rows = [unit_row(f"99010000101{i}", f"新村{i}") for i in range(3)]
    response = upload(client, units_file(*rows))
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert (job.kind, job.status) == ("units", ImportJob.Status.QUEUED)
    assert not Unit.objects.filter(code__startswith="99010000101").exists()

    progress_url = reverse("imports:job_progress", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    assert client.get(progress_url + "?format=json").json()["status"] == "queued"

    monkeypatch.setattr(imports, "PROGRESS_INTERVAL", 0)
    seen = []
    original = imports._save

    def spy(job, **values):
        seen.append((values.get("status"), values.get("done"), values.get("total")))
        original(job, **values)

    monkeypatch.setattr(imports, "_save", spy)
    imports.job_run(job.pk)  # what the worker does
    statuses = [s for s, _d, _t in seen if s]
    assert statuses[0] == "reading" and statuses[-1] == "done"
    assert ("checking", None, 3) in seen  # the file is read: 3 rows
    assert ("checking", 1, 3) in seen and ("checking", 3, 3) in seen
    assert "saving" in statuses
    assert client.get(progress_url + "?format=json").json() == {
        "status": "done",
        "done": 3,
        "total": 3,
        "percent": 100,
        "finished": True,
    }
    assert Unit.objects.filter(code__startswith="99010000101").count() == 3
    job.refresh_from_db()
    assert job.result["created"] == 3 and job.stored_path == ""
    partial = client.get(progress_url).content.decode()
    assert "hx-trigger" not in partial and 'data-testid="count-created">3<' in partial


def test_half_broken_units_file_is_reported_row_by_row_and_nothing_is_half_imported(
    client, tree, users
):
    client.force_login(users.office)
    before = units_codes()
    data = units_file(
        unit_row("990100001021", "好村"),
        unit_row("99010000102", "短代码村"),  # row 3: 11 digits
        unit_row("990100001023", ""),  # row 4: no name
        unit_row("990100001024", "孤村", parent="990100009000"),  # row 5: no such parent
    )
    upload(client, data)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert units_codes() == before  # the good row is not imported alone
    assert not job.result["written"]
    assert [item["row"] for item in job.result["rejected_rows"]] == [3, 4, 5]
    assert all(item["reasons"] for item in job.result["rejected_rows"])
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "1 rows are valid and 3 rows have errors" in page
    workbook = client.get(reverse("imports:job_errors", args=[job.pk]))
    sheet = read_sheet(b"".join(workbook.streaming_content), required_headers=[REASON_HEADER])
    assert [row.values[COL_CODE] for row in sheet.rows] == [
        "99010000102",
        "990100001023",
        "990100001024",
    ]

    upload(client, data, valid_rows_only="on")
    job = ImportJob.objects.order_by("-pk").first()
    assert job.result["written"] and job.result["created"] == 1
    assert units_codes() == sorted([*before, "990100001021"])


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("单位代码,单位名称\n1,2\n".encode(), "units.xlsx", "not an Excel .xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "units.xlsx", "Excel 97"),
        (b"", "units.xlsx", "The file is empty"),
        (b"PK\x03\x04broken", "units.xlsx", "not an Excel .xlsx workbook"),
        (b"hello", "units.csv", "not .csv files"),
    ],
)
def test_bad_files_fail_the_job_with_a_reason_and_change_nothing(
    client, tree, users, data, name, message
):
    client.force_login(users.office)
    before = units_codes()
    response = upload(client, data, name=name)
    if not data:  # an empty upload is refused by the form itself
        assert response.status_code == 400 and not ImportJob.objects.exists()
        return
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and message in job.message
    assert job.stored_path == "" and job.errors_token == ""
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "nothing was saved" in page and 'data-testid="import-retry"' in page
    assert f'href="{UNITS_URL}?unit=' in page
    assert units_codes() == before


def test_wrong_sheet_headers_fail_the_units_job(client, tree, users):
    client.force_login(users.office)
    data = workbook_bytes(write_workbook(title="组织机构", headers=["代码"], rows=[["1"]]))
    upload(client, data)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "Required columns are missing" in job.message


# --------------------------------------------------------------------------- permissions


def test_a_user_without_the_importers_permission_gets_403(client, tree, users):
    client.force_login(users.leader)  # may view units and persons, import nothing
    data = units_file(unit_row("990100001031", "庚村"))
    for url in (UNITS_URL, reverse("orgs:unit_import"), reverse("people:person_import")):
        assert client.get(url).status_code == 403
    assert upload(client, data).status_code == 403
    assert client.get(reverse("imports:template", args=["units"])).status_code == 403
    assert not ImportJob.objects.exists()
    assert not Unit.objects.filter(code="990100001031").exists()


def test_the_permission_is_the_importers_own(client, tree, users):
    """A user who may import persons but not edit units: the persons page, not units."""
    clerk = factories.user("clerk", tree.county)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["import_person", "add_person", "change_person", "view_person"]
        )
    )
    client.force_login(clerk)
    assert client.get(reverse("people:person_import")).status_code == 200
    assert client.get(UNITS_URL).status_code == 403
    # units is not a kind of the persons page: refused by the form, no job
    response = upload(
        client, units_file(unit_row("990100001032", "辛村")), url=reverse("people:person_import")
    )
    assert response.status_code == 400 and not ImportJob.objects.exists()


def test_a_job_whose_user_lost_the_permission_fails_and_its_page_is_403(
    client, tree, users, queued_backend
):
    clerk = factories.user("clerk", tree.county, "office")
    client.force_login(clerk)
    upload(client, units_file(unit_row("990100001033", "壬村")))
    job = ImportJob.objects.get()
    clerk.groups.clear()
    clerk = type(clerk).objects.get(pk=clerk.pk)  # no cached permissions
    imports.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "You may not import this kind of data" in job.message
    assert not Unit.objects.filter(code="990100001033").exists()
    client.force_login(clerk)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 403


def test_another_users_job_is_404(client, tree, users):
    client.force_login(users.office)
    upload(client, units_file(unit_row("99010000104", "坏代码")))  # rejected: has errors
    job = ImportJob.objects.get()
    assert job.errors_token
    urls = [
        reverse("imports:job", args=[job.pk]),
        reverse("imports:job_progress", args=[job.pk]),
        reverse("imports:job_progress", args=[job.pk]) + "?format=json",
        reverse("imports:job_errors", args=[job.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200
    for other in (users.town_office, users.admin):  # even of a wider scope
        client.force_login(other)
        for url in urls:
            assert client.get(url).status_code == 404
        assert job.file_name not in client.get(UNITS_URL).content.decode()
    assert client.get(reverse("imports:job", args=[job.pk + 1000])).status_code == 404


def test_unknown_kind_is_404(client, tree, users):
    client.force_login(users.admin)
    assert client.get(reverse("imports:start", args=["nothing"])).status_code == 404
    assert client.get(reverse("imports:template", args=["nothing"])).status_code == 404
    with pytest.raises(ValueError):
        imports.job_create(
            user=users.admin, kind="nothing", upload=SimpleUploadedFile("x.xlsx", b"x")
        )


def test_default_unit_out_of_scope_is_refused_on_upload(client, tree, users):
    client.force_login(users.town_office)
    response = upload(client, units_file(unit_row("990100001041", "癸村", parent="")), unit="x")
    assert response.status_code == 400
    assert b"x was not found within your data scope" in response.content
    with pytest.raises(ExcelImportError):
        units_excel.default_parent(user=users.town_office, code="990100002000")
    assert units_excel.default_parent(user=users.town_office, code="990100001000") == tree.town


def test_the_people_page_offers_its_kinds_and_not_units(client, tree, users):
    client.force_login(users.office)
    form = client.get(reverse("people:person_import")).context["form"]
    kinds = [value for value, _label in form.fields["kind"].choices]
    assert kinds == ["persons", "households", "couples", "births"]
    units_form = client.get(reverse("orgs:unit_import")).context["form"]
    assert [v for v, _l in units_form.fields["kind"].choices] == ["units"]
    assert units_form.fields["kind"].widget.is_hidden
    client.cookies["django_language"] = "zh-hans"
    assert "从 Excel 导入：组织机构</h1>" in client.get(reverse("orgs:unit_import")).text
    assert (
        "从 Excel 导入：人员、户和夫妇、夫妇、" in client.get(reverse("people:person_import")).text
    )


# --------------------------------------------------------------------------- command


def test_the_import_command_finds_the_registered_kinds(tmp_path, tree):
    path = tmp_path / "tree.xlsx"
    path.write_bytes(units_file(unit_row("990100001051", "子村")))
    out = io.StringIO()
    call_command("import", "units", str(path), stdout=out)
    assert Unit.objects.filter(code="990100001051").exists()
    with pytest.raises(
        CommandError,
        match="births, couples, households, persons, plugin_widgets, rental_properties, "
        "tenants, units",
    ):
        call_command("import", "nothing", str(path))


# --------------------------------------------------------------------------- migration

MIGRATION = importlib.import_module("jisheng.people.migrations.0009_move_importjob")


@pytest.fixture
def old_state():
    """The models as they were between core 0006 and people 0009, with people's old
    import-job table created for the test (it is gone from the migrated database)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    state = loader.project_state([("people", "0008_pinyin_surnames"), ("core", "0006_importjob")])
    apps = state.apps
    old = apps.get_model("people", "ImportJob")
    with connection.schema_editor() as editor:
        editor.create_model(old)
    yield apps
    with connection.schema_editor() as editor:
        editor.delete_model(old)


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_old_jobs_to_core_and_back(old_state, users):
    apps = old_state
    Old = apps.get_model("people", "ImportJob")
    New = apps.get_model("core", "ImportJob")
    created = timezone.now() - dt.timedelta(days=30)
    for pk, kind, status in (
        (7, "persons", "done"),
        (9, "households", "failed"),
        (12, "births", "queued"),
    ):
        Old.objects.create(
            id=pk,
            user_id=users.office.pk,
            kind=kind,
            file_name=f"{kind}.xlsx",
            unit_code="990100001001" if kind == "persons" else "",
            valid_rows_only=kind == "persons",
            status=status,
            total=5,
            done=5,
            result={"created": 5} if status == "done" else {},
            message="坏文件" if status == "failed" else "",
            language="zh-hans",
        )
    Old.objects.update(created_at=created)

    with connection.schema_editor() as editor:
        MIGRATION.copy_jobs_to_core(apps, editor)

    jobs = {job.pk: job for job in ImportJob.objects.all()}
    assert sorted(jobs) == [7, 9, 12]
    assert [jobs[pk].kind for pk in (7, 9, 12)] == ["persons", "households", "births"]
    assert jobs[7].user == users.office and jobs[7].unit_code == "990100001001"
    assert jobs[7].valid_rows_only and jobs[7].result == {"created": 5}
    assert jobs[9].status == "failed" and jobs[9].message == "坏文件"
    assert all(job.created_at == created for job in jobs.values())
    # a job created afterwards does not collide with the copied ids
    later = ImportJob.objects.create(user=users.office, kind="units", file_name="u.xlsx")
    assert later.pk > 12

    Old.objects.all().delete()
    with connection.schema_editor() as editor:
        MIGRATION.copy_jobs_to_people(apps, editor)
    back = {job.pk: job.kind for job in Old.objects.all()}
    assert back == {7: "persons", 9: "households", 12: "births"}  # units: unknown there
    assert New.objects.count() == 4


def test_a_page_of_one_kind_needs_no_kind_in_the_post(client, tree, users):
    client.force_login(users.office)
    data = units_file(unit_row("990100001071", "丑村"))
    response = client.post(
        reverse("orgs:unit_import"), {"file": SimpleUploadedFile("u.xlsx", data)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.kind == "units"
    assert Unit.objects.filter(code="990100001071").exists()
    # a page of several kinds does need one
    response = client.post(
        reverse("people:person_import"), {"file": SimpleUploadedFile("p.xlsx", data)}
    )
    assert response.status_code == 400 and "kind" in response.context["form"].errors
    assert ImportJob.objects.count() == 1
