"""The dashboard pages: the default unit and period, another unit in scope, another
unit's code (404, audited), bad input (400), permissions, the Excel export, the A4
report (PDF with Chromium, the print page without) and a bounded number of queries."""

from __future__ import annotations

import io
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.core import periods
from jisheng.core.models import AuditEvent
from jisheng.services import letters
from tests.indicators.conftest import period, world  # noqa: F401  (fixtures)
from tests.reports.test_dashboard import load_pack

URL = "/reports/dashboard/"


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 0


def english(client):
    client.cookies["django_language"] = "en"


def denied(unit) -> int:
    return AuditEvent.objects.filter(
        action="denied", object_type=unit._meta.label_lower, object_id=str(unit.pk)
    ).count()


def test_url_names():
    assert reverse("reports:dashboard") == URL
    assert reverse("reports:dashboard_export") == "/reports/dashboard/export.xlsx"
    assert reverse("reports:dashboard_print") == "/reports/dashboard/print/"
    assert reverse("reports:dashboard_pdf") == "/reports/dashboard/report.pdf"


def test_default_is_the_working_unit_and_the_current_quarter(client, users, tree):
    client.force_login(users.town_office)
    english(client)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["unit"] == tree.town
    assert response.context["period"] == periods.current(today=timezone.localdate())
    assert 'data-testid="dashboard-title">东城镇<' in page
    assert "甲村" in page and "乙村" in page  # the child units
    assert "echarts.min.js" in page and "dashboard.js" in page


def test_a_township_with_its_children_figures_and_links(client, users, tree, world):  # noqa: F811
    load_pack(tree.county, target=55)
    client.force_login(users.office)
    english(client)
    response = client.get(URL, {"unit": tree.town.code, "period": "2026Q3"})
    assert response.status_code == 200
    page = response.content.decode()
    data = response.context["data"]
    assert data.figure("contraceptive_prevalence").text == "60.00%"
    assert 'data-status="green"' in page  # 60 % against a 55 % target
    # a child opens its own dashboard, a figure the persons behind it
    assert f"{URL}?unit={world.a.code}&amp;period=2026Q3&amp;rank=contraceptive_prevalence" in page
    drill = (
        f"/reports/drill/?unit={world.a.code}&amp;root={tree.town.code}&amp;period=2026Q3"
        "&amp;indicator=contraceptive_prevalence&amp;side=denominator"
    )
    assert drill in page
    assert "—" in page  # 乙村 has no married women: undefined, not 0 %
    charts = response.context["charts"]
    assert charts["children"]["labels"] == ["甲村"]  # the undefined one has no bar
    assert len(charts["trends"][0]["values"]) == 12
    assert 'id="js-trends"' in page and 'id="js-children"' in page


def test_rank_by_a_chosen_indicator(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    response = client.get(URL, {"unit": tree.town.code, "period": "2026Q3", "rank": "births"})
    assert response.context["data"].rank_by.id == "births"
    assert 'value="births" selected' in response.content.decode()


def test_a_village_user_sees_the_village(client, users, tree, world):  # noqa: F811
    client.force_login(users.field_a)
    response = client.get(URL, {"period": "2026Q3"})
    assert response.status_code == 200 and response.context["unit"] == tree.village_a
    assert 'data-testid="no-children"' in response.content.decode()


def test_another_units_code_is_404_and_audited(client, users, tree):
    client.force_login(users.town_office)
    before = denied(tree.county)
    assert client.get(URL, {"unit": tree.county.code}).status_code == 404
    assert client.get(URL, {"unit": tree.street.code}).status_code == 404
    assert denied(tree.county) == before + 1 and denied(tree.street) == 1
    assert client.get(URL, {"unit": "NO-SUCH-UNIT"}).status_code == 404
    for name in ("reports:dashboard_export", "reports:dashboard_print", "reports:dashboard_pdf"):
        assert client.get(reverse(name), {"unit": tree.county.code}).status_code == 404


@pytest.mark.parametrize("bad", ["2026Q5", "July", "2026-13", "1800"])
def test_a_bad_period_is_400_with_a_message(client, users, tree, bad):
    client.force_login(users.office)
    english(client)
    response = client.get(URL, {"period": bad})
    assert response.status_code == 400
    assert 'data-testid="bad-input"' in response.content.decode()
    export = client.get(reverse("reports:dashboard_export"), {"period": bad})
    assert export.status_code == 400


def test_permissions(client, users, tree):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(users.auditor)  # no registry, no figures
    assert client.get(URL).status_code == 403
    assert client.get(reverse("reports:dashboard_export")).status_code == 403
    assert client.post(URL).status_code == 405


def test_excel_export_of_every_table(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    response = client.get(
        reverse("reports:dashboard_export"), {"unit": tree.town.code, "period": "2026Q3"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["主要指标", "下级单位排名", "近12个月趋势", "待办"]
    key = {row[3]: row for row in book["主要指标"].iter_rows(min_row=2, values_only=True)}
    assert key["contraceptive_prevalence"][6:9] == (60, 3, 5)
    children = list(book["下级单位排名"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[4]) for r in children] == [(1, "甲村", 60), ("—", "乙村", "—")]
    months = [r[0] for r in book["近12个月趋势"].iter_rows(min_row=2, values_only=True)]
    assert months[0] == "2025-10" and months[-1] == "2026-09"
    event = AuditEvent.objects.filter(action="export", username="office").latest("pk")
    assert event.object_id == str(tree.town.pk) and event.changes["period"] == "2026Q3"


def test_print_page_and_pdf(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    query = {"unit": tree.town.code, "period": "2026Q3"}
    printed = client.get(reverse("reports:dashboard_print"), query)
    assert printed.status_code == 200
    page = printed.content.decode()
    assert "东城镇人口和计划生育工作情况" in page and "主要指标" in page
    assert "甲村" in page and "<script" not in page.split("</head>")[0]
    pdf = client.get(reverse("reports:dashboard_pdf"), query)
    if os.path.exists(letters.chromium_path()):
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert AuditEvent.objects.filter(action="export", changes__format="pdf").exists()
    else:  # no Chromium here: the print page instead
        assert pdf.status_code == 302 and "/reports/dashboard/print/" in pdf["Location"]


def test_the_page_reads_a_bounded_number_of_queries(client, users, tree, world):  # noqa: F811
    """The figures of the unit and all its children come from one pass of the engine
    (a query a population), not a query per child."""
    client.force_login(users.office)
    client.get(URL, {"unit": tree.town.code, "period": "2026Q3"})  # warm up sessions etc.
    with CaptureQueriesContext(connection) as town:
        client.get(URL, {"unit": tree.town.code, "period": "2026Q3"})
    with CaptureQueriesContext(connection) as street:
        client.get(URL, {"unit": tree.street.code, "period": "2026Q3"})
    # the township has two children, the street one: the same number of queries
    assert len(street.captured_queries) == len(town.captured_queries)
    assert len(town.captured_queries) < 150


def test_a_period_that_has_not_begun_shows_the_current_one(client, users, tree):
    """Issue 13 item 23: no figures of the future; the current period instead."""
    client.force_login(users.office)
    response = client.get(URL, {"unit": tree.town.code, "period": "2099Q1"})
    assert response.status_code == 200
    assert response.context["period"] == periods.current(today=timezone.localdate())
