"""The pages of the commodity reports: render for a keeper, Excel with the same figures
(audited), bad period, scope and permissions."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from jisheng.commodities import reports
from jisheng.core.models import AuditEvent
from tests.commodities.test_reports import Q2, ledger_data, women  # noqa: F401

REPORTS = ["report_stock_status", "report_users", "report_effect", "report_methods"]


def url(name):
    return reverse(f"commodities:{name}")


def test_index_lists_the_four_reports(client, keepers, stores):
    client.force_login(keepers.town)
    response = client.get(url("reports"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in REPORTS:
        assert url(name) in html
    for title in reports.TITLES.values():
        assert title in html


@pytest.mark.parametrize("name", REPORTS)
def test_pages_render_for_a_keeper(client, keepers, tree, ledger_data, name):  # noqa: F811
    client.force_login(keepers.town)
    response = client.get(url(name), {"period": "2026Q2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "@media print" in html and "report-title" in html
    assert tree.village_a.name in html and tree.street.name not in html
    assert "2026Q2" in html


def test_stock_page_shows_the_figures(client, keepers, ledger_data):  # noqa: F811
    client.force_login(keepers.town)
    response = client.get(url("report_stock_status"), {"period": "2026Q2"})
    status = response.context["status"]
    assert status.unbalanced == [] and "data-unbalanced" not in response.content.decode()
    total = {r.product.code: r for r in status.totals}["pill-coc"]
    assert (total.opening, total.closing, total.in_transit) == (200, 262, 20)
    assert {r.store.code for r in status.rows} == {"dongcheng", "jiacun", "yicun"}


def test_stock_excel_matches_and_is_audited(client, keepers, tree, ledger_data):  # noqa: F811
    client.force_login(keepers.town)
    response = client.get(url("report_stock_status"), {"period": "2026Q2", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    totals, by_store = book.worksheets[0], book.worksheets[1]
    rows = {r[0]: r for r in totals.iter_rows(min_row=2, values_only=True)}
    assert rows["复方左炔诺孕酮片"][2:11] == (200, 100, 90, 5, 120, 2, -1, 262, 20)
    store_rows = list(by_store.iter_rows(min_row=2, values_only=True))
    assert len(store_rows) == 4
    assert sum(r[11] for r in store_rows if r[2] == "复方左炔诺孕酮片") == 262
    event = AuditEvent.objects.filter(action="export", username=keepers.town.username).latest("pk")
    assert event.object_id == str(tree.town.pk)
    assert event.changes["period"] == "2026Q2"


FORM_PAGES = ["report_users", "report_effect", "report_methods"]


@pytest.mark.parametrize("name", FORM_PAGES)
def test_form_excel_matches_the_page(client, keepers, tree, ledger_data, name):  # noqa: F811
    client.force_login(keepers.town)
    page = client.get(url(name), {"period": "2026Q2"})
    table = page.context["table"]
    response = client.get(url(name), {"period": "2026Q2", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == [["—" if v is None else v for v in row] for row in table]
    assert [r[0] for r in rows][:2] == [tree.village_a.name, tree.village_b.name]
    assert AuditEvent.objects.filter(action="export", username=keepers.town.username).exists()


def test_methods_page_figures(client, keepers, tree, women):  # noqa: F811
    client.force_login(keepers.town)
    response = client.get(url("report_methods"), {"period": "2026Q2", "unit": tree.village_a.code})
    form = response.context["form"]
    assert [r.unit for r in form.rows] == [tree.village_a, None]
    assert form.total.cells["married_wra"] == 5 and form.total.cells["prevalence"] == 60.0


@pytest.mark.parametrize("name", REPORTS)
def test_bad_period_is_a_clear_400(client, keepers, stores, name):
    client.force_login(keepers.town)
    with translation.override("en"):
        response = client.get(url(name), {"period": "2026Q7"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "2026Q7" in response.content.decode()


@pytest.mark.parametrize("name", REPORTS)
def test_another_unit_is_404_and_audited(client, keepers, tree, stores, name):
    client.force_login(keepers.town)
    response = client.get(url(name), {"unit": tree.street.code, "period": "2026Q2"})
    assert response.status_code == 404
    xlsx = client.get(url(name), {"unit": tree.county.code, "format": "xlsx"})
    assert xlsx.status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", username=keepers.town.username, object_id=str(tree.street.pk)
    ).exists()


def test_a_township_sees_its_villages_only(client, keepers, tree, ledger_data):  # noqa: F811
    client.force_login(keepers.town)
    response = client.get(url("report_users"), {"period": "2026Q2"})
    assert [r.unit for r in response.context["form"].rows] == [
        tree.village_a,
        tree.village_b,
        None,
    ]
    pickers = {u.code for u in response.context["units"]}
    assert pickers == {tree.town.code, tree.village_a.code, tree.village_b.code}
    village = client.get(url("report_stock_status"), {"unit": tree.village_a.code})
    assert {r.store.code for r in village.context["status"].rows} <= {"jiacun"}


def test_permissions(client, users, keepers, stores):
    client.force_login(users.field_a)  # field staff: view of the ledger
    assert client.get(url("report_users")).status_code == 200
    client.force_login(users.auditor)
    for name in ["reports", *REPORTS]:
        assert client.get(url(name)).status_code == 403
    client.logout()
    assert client.get(url("report_users")).status_code == 302
