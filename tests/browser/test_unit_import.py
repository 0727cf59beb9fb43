"""Issue 14 item 2 in a browser: an organisation import runs as a background job on the
one import page — queued, its progress polled by htmx until the worker has run it, then
its result with the rejected row and the error workbook to download."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from jisheng.core import imports
from jisheng.core.models import ImportJob
from jisheng.orgs.excel import HEADERS, SHEET_TITLE
from jisheng.orgs.models import Unit
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def units_workbook(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(list(HEADERS))
    sheet.append(["990100001061", "新甲村", "村", "990100001000"])
    sheet.append(["99010000106", "坏代码村", "村", "990100001000"])  # 11 digits
    book.save(path)


def test_units_import_in_the_background_with_progress_and_error_workbook(
    page, live_server, users, login, tmp_path, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
        "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    settings.JISHENG_IMPORT_INLINE_BYTES = 0  # waits for "the worker" (this test)
    settings.VAR_DIR = tmp_path
    workbook = tmp_path / "组织机构.xlsx"
    units_workbook(workbook)
    login(page, "office", PASSWORD)

    page.goto(f"{live_server.url}/orgs/import/units/")
    form = page.locator("[data-testid=import-form]")
    form.locator("input[type=file]").set_input_files(str(workbook))
    form.locator("input[name=valid_rows_only]").check()
    page.locator("[data-testid=import-submit]").click()
    status = page.locator("[data-testid=import-job-status]")
    status.wait_for()
    assert status.get_attribute("data-status") == "queued"
    job = ImportJob.objects.get()
    assert job.kind == "units" and page.url.endswith(f"/import/jobs/{job.pk}/")

    imports.job_run(job.pk)  # what the worker does; the page polls and shows the result
    created = page.locator("[data-testid=count-created]")
    created.wait_for()
    assert created.inner_text().strip() == "1"
    assert page.locator("[data-testid=count-rejected]").inner_text().strip() == "1"
    assert "12" in page.locator("[data-testid=rejected-rows]").inner_text()
    assert Unit.objects.filter(code="990100001061").exists()
    with page.expect_download() as download:
        page.locator("[data-testid=error-workbook-link]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
