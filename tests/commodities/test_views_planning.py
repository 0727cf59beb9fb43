"""The planning pages: the demand plan (screen, print, Excel), the suggested transfers,
permissions, scope (404, audited) and bad input (400)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from jisheng.commodities import planning, services
from jisheng.core.models import AuditEvent
from jisheng.services.models import ContraceptionRecord
from tests import factories
from tests.commodities.conftest import receive

D = datetime.date
PLAN = "/commodities/planning/"
TRANSFERS = "/commodities/planning/transfers/"


def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def data(tree, stores, products):
    wife = factories.person(
        tree.village_a, name="李秀英", birth_date=D(1990, 1, 1), marital_status="first_marriage"
    )
    ContraceptionRecord.objects.create(
        person=wife, unit=tree.village_a, method="injectable", started_on=D(2025, 1, 1)
    )
    for store in (stores.village_a, stores.town):
        store.min_months, store.max_months = Decimal(1), Decimal(3)
        store.save()
    receive(stores.town, products.pill, "T1", quantity=1000, day=D(2026, 2, 20))
    receive(stores.village_a, products.pill, "V1", quantity=120, day=D(2026, 2, 20))
    for day in (D(2026, 3, 10), D(2026, 4, 10), D(2026, 5, 10), D(2026, 6, 10)):
        services.issue(
            actor=None,
            store=stores.village_a,
            person=wife,
            occurred_on=day,
            lines=[services.Item(products.pill, 30)],
        )
    return wife


def test_url_names():
    assert reverse("commodities:plan") == PLAN
    assert reverse("commodities:transfers") == TRANSFERS


def test_plan_page_of_the_county(client, users, tree, data):
    client.force_login(users.office)
    english(client)
    response = client.get(PLAN, {"unit": tree.county.code, "year": "2026", "as_of": "2026-06-15"})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.unit == tree.county and plan.year == 2026 and plan.as_of == D(2026, 6, 15)
    total = {r.product.code: r for r in plan.total}
    assert (total["dmpa"].users, total["dmpa"].need, total["dmpa"].planned) == (1, 4, 4)
    assert total["pill-coc"].consumption == 120
    page = response.content.decode()
    assert "育龄妇女使用药具计划表" in page
    assert "The plan uses the larger of the need by users and the quantity issued" in page
    assert 'data-level="subtotal"' in page and 'data-level="total"' in page
    assert "format=xlsx" in page and "format=print" in page


def test_plan_defaults_to_the_working_unit_and_this_year(client, users, tree, data):
    client.force_login(users.town_office)
    response = client.get(PLAN)
    assert response.status_code == 200
    assert response.context["plan"].unit == tree.town
    assert response.context["plan"].year == response.context["today"].year


def test_plan_print_form(client, users, tree, data):
    client.force_login(users.office)
    response = client.get(PLAN, {"unit": tree.town.code, "year": "2026", "format": "print"})
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "育龄妇女使用药具计划表",
        "填报单位：东城镇",
        "负责人",
        "填表人",
        "填报日期",
        "@media print",
    ):
        assert text in page
    assert "A4" in page


def test_plan_excel_export(client, users, tree, data):
    client.force_login(users.office)
    response = client.get(
        PLAN, {"unit": tree.county.code, "year": "2026", "as_of": "2026-06-15", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "单位" and rows[0][-1] == "计划数量"
    village = [r for r in rows if r[0] == "甲村" and r[2] == "醋酸甲羟孕酮注射液"]
    assert village and int(village[0][4]) == 1
    assert int(village[0][6]) == 4 and int(village[0][10]) == 4
    assert AuditEvent.objects.filter(action="export", object_id=str(tree.county.pk)).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"year": "1999"},
        {"year": "abc"},
        {"year": "2200"},
        {"as_of": "2026-13-01"},
        {"as_of": "2999-01-01"},
    ],
)
def test_plan_bad_input_is_400(client, users, tree, products, params):
    client.force_login(users.office)
    english(client)
    response = client.get(PLAN, params)
    assert response.status_code == 400
    assert "is not a" in response.content.decode()


def test_plan_of_a_unit_outside_scope_is_404_and_audited(client, users, tree, products):
    client.force_login(users.field_a)
    response = client.get(PLAN, {"unit": tree.town.code})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", object_id=str(tree.town.pk)).exists()
    assert client.get(TRANSFERS, {"unit": tree.town.code}).status_code == 404


def test_pages_need_the_view_permission(client, tree, products):
    nobody = factories.user("nobody", tree.county)
    client.force_login(nobody)
    assert client.get(PLAN).status_code == 403
    assert client.get(TRANSFERS).status_code == 403
    client.logout()
    assert client.get(PLAN).status_code == 302


def test_transfers_page_lists_suggestions_with_a_button(client, tree, stores, products, data):
    keeper = factories.user("keeper_town", tree.town, "commodity")
    client.force_login(keeper)
    english(client)
    response = client.get(TRANSFERS, {"as_of": "2026-06-15"})
    assert response.status_code == 200
    [(suggestion, link)] = response.context["rows"]
    assert (suggestion.from_store, suggestion.to_store, suggestion.quantity) == (
        stores.town,
        stores.village_a,
        90,
    )
    url = reverse("commodities:transfer", args=[stores.town.pk])
    assert link == f"{url}?to={stores.village_a.pk}&product={products.pill.pk}&quantity=90"
    page = response.content.decode()
    assert 'data-testid="transfer-button"' in page and "Stocked out" in page


def test_transfers_page_without_write_permission_has_no_button(client, users, tree, data):
    client.force_login(users.leader)
    response = client.get(TRANSFERS, {"unit": tree.town.code, "as_of": "2026-06-15"})
    assert response.status_code == 200
    [(_suggestion, link)] = response.context["rows"]
    assert link == ""
    assert 'data-testid="transfer-button"' not in response.content.decode()


def test_transfer_url_falls_back_to_no_link(monkeypatch, stores, products):
    def missing(*args, **kwargs):
        raise NoReverseMatch("none")

    from jisheng.commodities import views_planning

    monkeypatch.setattr(views_planning, "reverse", missing)
    suggestion = planning.Suggestion(stores.town, stores.village_a, products.pill, 5, "x")
    assert views_planning.transfer_url(suggestion) == ""


def test_transfers_page_bad_date_is_400(client, users, products):
    client.force_login(users.office)
    assert client.get(TRANSFERS, {"as_of": "yesterday"}).status_code == 400


def test_transfers_page_explains_a_store_left_without_suggestion(
    client, users, tree, stores, products, data
):
    receive(stores.community, products.pill, "C1", quantity=10, day=D(2026, 1, 5))
    services.issue(
        actor=None,
        store=stores.community,
        person=data,
        occurred_on=D(2026, 1, 10),
        lines=[services.Item(products.pill, 10)],
    )
    client.force_login(users.office)
    english(client)
    response = client.get(TRANSFERS, {"unit": tree.street.code, "as_of": "2026-06-15"})
    assert response.status_code == 200 and response.context["rows"] == []
    page = response.content.decode()
    assert 'data-testid="transfer-skipped"' in page
    assert "丙社区药具柜" in page and "Stock-out" in page and "No consumption history" in page
