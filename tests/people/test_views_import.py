"""The import page: permissions, upload → background job → progress → result → errors."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from jisheng.core import imports
from jisheng.core.excel import REASON_HEADER, workbook_bytes, write_workbook
from jisheng.core.models import ImportJob
from jisheng.people import excel
from jisheng.people.excel import COL_BIRTH, COL_ID, COL_NAME, COL_UNIT, PERSON_HEADERS
from jisheng.people.models import LifeEvent, Person, PersonPeriod
from tests import factories
from tests.people.test_import import idn, row

IMPORT_URL = reverse("people:person_import")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def persons_file(*rows) -> bytes:
    return workbook_bytes(
        write_workbook(
            title=excel.PERSONS_SHEET,
            headers=PERSON_HEADERS,
            rows=[[values.get(h, "") for h in PERSON_HEADERS] for values in rows],
        )
    )


def upload(client, data: bytes, name="persons.xlsx", **fields):
    payload = {"kind": "persons", "file": SimpleUploadedFile(name, data), **fields}
    client.cookies["django_language"] = "en"
    return client.post(IMPORT_URL, payload)


GOOD = row()
BAD = row(**{COL_NAME: "赵敏", COL_ID: idn(seq=3), COL_BIRTH: "1990-02-31"})


def job_urls(pk: int) -> list[str]:
    return [
        reverse("imports:job", args=[pk]),
        reverse("imports:job_progress", args=[pk]),
        reverse("imports:job_errors", args=[pk]),
    ]


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(
    "url",
    [
        IMPORT_URL,
        reverse("imports:template", args=["persons"]),
        reverse("imports:job", args=[1]),
        reverse("imports:job_progress", args=[1]),
        reverse("imports:job_errors", args=[1]),
    ],
)
def test_anonymous_users_are_sent_to_login(client, tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_users_without_import_permission_get_403(client, tree, users):
    client.force_login(users.field_a)  # may add persons, may not import
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, persons_file(GOOD)).status_code == 403
    assert client.get(reverse("imports:template", args=["persons"])).status_code == 403
    assert Person.objects.count() == 0 and ImportJob.objects.count() == 0


def test_menu_shows_the_import_to_those_who_may(client, tree, users):
    client.force_login(users.office)
    assert IMPORT_URL in client.get(reverse("home")).content.decode()
    client.force_login(users.field_a)
    assert IMPORT_URL not in client.get(reverse("home")).content.decode()


# --------------------------------------------------------------------------- upload


def test_upload_runs_the_job_and_shows_the_result(client, tree, users):
    client.force_login(users.office)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200 and b'data-testid="import-form"' in page.content
    response = upload(client, persons_file(GOOD, row(**{COL_NAME: "李娜", COL_ID: idn(seq=2)})))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.user == users.office
    assert (job.total, job.done, job.percent) == (2, 2, 100)
    assert job.result["created"] == 2 and job.task_id
    assert job.stored_path == ""  # the upload is removed once imported
    assert Person.objects.count() == 2
    assert Person.objects.first().events.get().recorded_by == users.office
    page = client.get(response["Location"])
    content = page.content.decode()
    assert 'data-testid="count-created">2<' in content
    assert "every 1s" not in content  # finished: no more polling
    assert "persons.xlsx" in client.get(IMPORT_URL).content.decode()  # recent imports


def test_rejected_file_writes_nothing_and_offers_the_error_workbook(client, tree, users):
    client.force_login(users.office)
    before = (Person.objects.count(), PersonPeriod.objects.count(), LifeEvent.objects.count())
    upload(client, persons_file(GOOD, BAD))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert job.result["rejected"] == 1 and not job.result["written"]
    assert (
        Person.objects.count(),
        PersonPeriod.objects.count(),
        LifeEvent.objects.count(),
    ) == before
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "1 rows are valid and 1 rows have errors" in page  # issue 13 item 20
    assert "not a real date" in page
    response = client.get(reverse("imports:job_errors", args=[job.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert REASON_HEADER in headers
    assert workbook.worksheets[0].cell(row=2, column=1).value == "赵敏"


def test_error_workbook_and_job_are_for_their_owner_only(client, tree, users):
    client.force_login(users.office)
    upload(client, persons_file(GOOD, BAD))
    job = ImportJob.objects.get()
    factories.user("office2", tree.county, "office")
    client.force_login(factories.User.objects.get(username="office2"))
    for url in job_urls(job.pk):
        assert client.get(url).status_code == 404
    assert client.get(job_urls(job.pk)[1] + "?format=json").status_code == 404


def test_valid_rows_only_and_dry_run_from_the_page(client, tree, users):
    client.force_login(users.office)
    upload(client, persons_file(GOOD, BAD), dry_run="on")
    assert Person.objects.count() == 0
    assert ImportJob.objects.get().result["dry_run"] is True
    upload(client, persons_file(GOOD, BAD), valid_rows_only="on")
    job = ImportJob.objects.order_by("-pk").first()
    assert job.valid_rows_only and job.result["created"] == 1 and job.result["written"]
    assert Person.objects.count() == 1


def test_default_unit_from_the_form_and_scope(client, tree, users):
    client.force_login(users.town_office)
    response = upload(client, persons_file(row(**{COL_UNIT: ""})), unit="990100002001")
    assert response.status_code == 400  # 丙社区 is outside 东城镇
    assert b"990100002001 was not found within your data scope" in response.content
    upload(client, persons_file(row(**{COL_UNIT: ""})), unit="990100001002")
    assert Person.objects.get().unit == tree.village_b


def test_non_excel_file_renamed_xlsx_fails_the_job(client, tree, users):
    client.force_login(users.office)
    upload(client, "姓名,性别\n王芳,女\n".encode(), name="persons.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "not an Excel .xlsx workbook" in job.message
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "nothing was saved" in page and "not an Excel .xlsx workbook" in page
    assert Person.objects.count() == 0


def test_wrong_headers_fail_the_job(client, tree, users):
    client.force_login(users.office)
    data = workbook_bytes(write_workbook(title="人员", headers=["名字"], rows=[["王芳"]]))
    upload(client, data)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "Required columns are missing" in job.message


def test_template_downloads(client, tree, users):
    client.force_login(users.office)
    for kind, sheet in (("persons", "人员"), ("households", "户"), ("births", "出生")):
        response = client.get(reverse("imports:template", args=[kind]))
        assert response.status_code == 200
        assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == sheet
    assert client.get(reverse("imports:template", args=["other"])).status_code == 404


# --------------------------------------------------------------------------- background


@pytest.fixture
def queued_backend(settings):
    """The default backend only stores tasks: jobs wait as they would for a worker."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
        "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    settings.JISHENG_IMPORT_INLINE_BYTES = 0  # every upload goes to the background


def test_large_upload_waits_for_the_worker_and_progress_is_polled(
    client, tree, users, queued_backend
):
    client.force_login(users.office)
    upload(client, persons_file(GOOD))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and Person.objects.count() == 0
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    progress_url = reverse("imports:job_progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    partial = client.get(progress_url, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"hx-trigger" in partial.content
    assert client.get(progress_url + "?format=json").json() == {
        "status": "queued",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
    }
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=job.created_at.replace(year=job.created_at.year - 1)
    )
    assert b"jisheng worker" in client.get(progress_url).content

    imports.job_run(job.pk)  # what the worker does
    data = client.get(progress_url + "?format=json").json()
    assert data["status"] == "done" and data["percent"] == 100 and data["finished"]
    partial = client.get(progress_url).content.decode()
    assert "hx-trigger" not in partial and 'data-testid="count-created">1<' in partial
    assert Person.objects.count() == 1
    imports.job_run(job.pk)  # a second run does nothing
    assert Person.objects.count() == 1


def test_progress_is_written_while_rows_are_checked(tree, users, monkeypatch, settings):
    from jisheng.people import importers

    monkeypatch.setattr(importers, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(imports, "PROGRESS_INTERVAL", 0)
    seen = []
    original = imports._save

    def spy(job, **values):
        seen.append((values.get("status"), values.get("done"), values.get("total")))
        original(job, **values)

    monkeypatch.setattr(imports, "_save", spy)
    job = imports.job_create(
        user=users.office,
        kind="persons",
        upload=SimpleUploadedFile(
            "p.xlsx", persons_file(GOOD, row(**{COL_NAME: "李娜", COL_ID: idn(seq=2)}))
        ),
    )
    imports.job_run(job.pk)
    statuses = [s for s, _d, _t in seen if s]
    assert statuses[:2] == ["reading", "checking"]
    assert ("checking", 1, 2) in seen and ("checking", 2, 2) in seen
    assert "saving" in statuses and statuses[-1] == "done"


@pytest.mark.django_db(transaction=True)  # the worker closes the database connection
def test_database_backend_and_db_worker_run_the_job(client, tree, users, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    settings.JISHENG_IMPORT_INLINE_BYTES = 0
    client.force_login(users.office)
    upload(client, persons_file(GOOD))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Person.objects.count() == 1


def test_user_losing_the_permission_before_the_job_runs(tree, users, queued_backend):
    job = imports.job_create(
        user=users.field_a, kind="persons", upload=SimpleUploadedFile("p.xlsx", b"x")
    )
    imports.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and Person.objects.count() == 0


def test_households_upload_and_kind_permissions(client, tree, users):
    from django.contrib.auth.models import Permission

    from jisheng.people.models import Household
    from tests.people.test_import import HUSBAND_ID, house_row

    factories.person(tree.village_a, "李强", "M", dt.date(1988, 11, 2), seq=2)
    assert HUSBAND_ID.startswith("11010519881102")
    data = workbook_bytes(
        write_workbook(
            title=excel.HOUSEHOLDS_SHEET,
            headers=excel.HOUSEHOLD_HEADERS,
            rows=[[house_row()[h] for h in excel.HOUSEHOLD_HEADERS]],
        )
    )
    client.force_login(users.office)
    upload(client, data, kind="households")
    job = ImportJob.objects.get()
    assert job.kind == "households" and job.status == ImportJob.Status.DONE, job.message
    assert Household.objects.count() == 1

    importer = factories.user("importer", tree.county)
    importer.user_permissions.add(
        Permission.objects.get(codename="import_person"),
        Permission.objects.get(codename="add_person"),
        Permission.objects.get(codename="change_person"),
    )
    client.force_login(importer)
    response = upload(client, data, kind="births")
    assert (
        response.status_code == 400 and b"You may not import this kind of data" in response.content
    )
    assert ImportJob.objects.count() == 1
