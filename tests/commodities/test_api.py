"""``/api/v1/commodities``: stock as of a date, one endpoint for every movement kind, the
ledger documents; bad input (422 naming the field or line), scope (404, audited) and
permissions (403)."""

from __future__ import annotations

import datetime

import pytest

from jisheng.commodities.choices import DocumentKind, TransferStatus
from jisheng.commodities.models import Document, LedgerLine, StockCard
from jisheng.commodities.selectors import ledger_check
from jisheng.core.models import AuditEvent
from jisheng.core.tokens import token_create
from tests import factories
from tests.api.conftest import ApiClient
from tests.commodities.conftest import DAY, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(keepers, stores, products, users):
    def make(user):
        _token, secret = token_create(actor=None, user=user, name="test")
        return ApiClient(secret, language="en")

    return make


@pytest.fixture
def county(client, keepers):
    return client(keepers.county)


def fields(response) -> dict[str, str]:
    return {d["field"]: d["message"] for d in response.json().get("details") or []}


def on_hand(store, product) -> int:
    return sum(
        StockCard.objects.filter(store=store, product=product).values_list("on_hand", flat=True)
    )


def test_openapi_lists_the_three_operations(county):
    paths = county.get("/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/commodities/stock"]
    assert {"get", "post"} <= set(paths["/api/v1/commodities/movements"])


# --------------------------------------------------------------------------- stock


def test_stock_of_a_store_as_of_a_past_date(county, stores, products, keepers):
    receive(stores.county, products.pill, "P1", "2028-01-31", 100, DAY)
    receive(stores.county, products.pill, "P2", "2027-06-30", 40, DAY + datetime.timedelta(5))
    response = county.get("/commodities/stock", store="xian", as_of="2026-03-03")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "store": "xian",
        "store_name": "示范县药具站",
        "product": "pill-coc",
        "product_name": "复方左炔诺孕酮片",
        "unit": "板",
        "lot": None,
        "expires_on": None,
        "on_hand": 100,
    }
    by_lot = county.get("/commodities/stock", store="xian", as_of="2026-03-10", by_lot="true")
    rows = by_lot.json()["items"]
    assert [(r["lot"], r["expires_on"], r["on_hand"]) for r in rows] == [
        ("P2", "2027-06-30", 40),
        ("P1", "2028-01-31", 100),
    ]
    before = county.get("/commodities/stock", store="xian", as_of="2026-03-01").json()
    assert before["count"] == 0


def test_stock_of_every_store_in_scope_paginated(client, stores, products, keepers, users):
    receive(stores.county, products.pill, quantity=10)
    receive(stores.village_a, products.condom, "C1", quantity=5)
    receive(stores.community, products.dmpa, "D1", quantity=7)
    body = client(keepers.county).get("/commodities/stock", page_size=2).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    town = client(keepers.town).get("/commodities/stock").json()
    assert [(r["store"], r["on_hand"]) for r in town["items"]] == [("jiacun", 5)]


def test_stock_bad_date_is_422(county):
    response = county.get("/commodities/stock", store="xian", as_of="2026-13-01")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "as_of" in response.json()["message"]
    assert fields(response) == {"as_of": response.json()["message"]}


def test_stock_of_a_store_outside_scope_is_404_and_audited(client, keepers, stores):
    response = client(keepers.town).get("/commodities/stock", store="bing")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", user=keepers.town).exists()
    assert client(keepers.town).get("/commodities/stock", store="nowhere").status_code == 404


def test_stock_needs_a_token(stores):
    assert ApiClient(None).get("/commodities/stock").status_code == 401


# --------------------------------------------------------------------------- movements


def post(api, **body):
    body.setdefault("occurred_on", DAY.isoformat())
    return api.post_json("/commodities/movements", body)


def test_receipt_transfer_and_issue(county, client, keepers, stores, products, tree):
    r = post(
        county,
        kind="receipt",
        store="xian",
        supplier="省药具站",
        lines=[
            {"product": "pill-coc", "lot": "P1", "expires_on": "2028-01-31", "quantity": 100},
            {"product": "condom-10", "lot": "C1", "expires_on": "2029-01-31", "quantity": 30},
        ],
    )
    assert r.status_code == 201, r.json()
    doc = r.json()
    assert doc["kind"] == "receipt" and doc["store"] == "xian"
    assert doc["number"] == "xian-RK-2026-00001"
    assert [(x["product"], x["lot"], x["quantity"]) for x in doc["lines"]] == [
        ("pill-coc", "P1", 100),
        ("condom-10", "C1", 30),
    ]
    r = post(
        county,
        kind="transfer_out",
        store="xian",
        to_store="jiacun",
        lines=[{"product": "pill-coc", "quantity": 20}, {"product": "condom-10", "quantity": 10}],
    )
    assert r.status_code == 201, r.json()
    transfer = r.json()
    assert transfer["counterpart"] == "jiacun" and transfer["transfer_status"] == "in_transit"
    assert [x["quantity"] for x in transfer["lines"]] == [-20, -10]
    village = client(keepers.village_a)
    r = post(
        village,
        kind="transfer_in",
        transfer=transfer["number"],
        occurred_on=(DAY + datetime.timedelta(1)).isoformat(),
        lines=[{"product": "condom-10", "lot": "C1", "received": 8, "damaged": 2}],
    )
    assert r.status_code == 201, r.json()
    assert r.json()["store"] == "jiacun" and r.json()["transfer"] == transfer["number"]
    assert sorted((x["product"], x["quantity"], x["damaged"]) for x in r.json()["lines"]) == [
        ("condom-10", 8, 2),
        ("pill-coc", 20, 0),
    ]
    assert Document.objects.get(number=transfer["number"]).transfer_status == (
        TransferStatus.RECEIVED_SHORT
    )
    woman = factories.person(tree.village_a, "李红")
    r = post(
        village,
        kind="issue",
        store="jiacun",
        person=woman.pk,
        occurred_on=(DAY + datetime.timedelta(2)).isoformat(),
        staff_name="王医生",
        lines=[{"product": "pill-coc", "quantity": 3}],
    )
    assert r.status_code == 201, r.json()
    assert r.json()["person"] == woman.pk and r.json()["lines"][0]["quantity"] == -3
    assert on_hand(stores.village_a, products.pill) == 17
    assert on_hand(stores.village_a, products.condom) == 8
    assert ledger_check() == []


def test_write_off_and_reversal(county, stores, products):
    receive(stores.county, products.dmpa, "D1", "2028-01-31", 50)
    r = post(
        county,
        kind="write_off",
        store="xian",
        reason="damaged",
        note="受潮",
        lines=[{"product": "dmpa", "lot": "D1", "quantity": 5}],
    )
    assert r.status_code == 201, r.json()
    number = r.json()["number"]
    assert r.json()["reason"] == "damaged"
    assert on_hand(stores.county, products.dmpa) == 45
    r = post(county, kind="reversal", document=number, reason="录入错误")
    assert r.status_code == 201, r.json()
    assert r.json()["reverses"] == number and r.json()["lines"][0]["quantity"] == 5
    assert on_hand(stores.county, products.dmpa) == 50
    again = post(county, kind="reversal", document=r.json()["number"], reason="再冲")
    assert again.status_code == 422
    assert "document" in fields(again)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"product": "pill-coc", "quantity": 0}, "lines.2.quantity"),
        ({"product": "pill-coc", "quantity": -3}, "lines.2.quantity"),
        ({"product": "nope", "quantity": 1}, "lines.2.product"),
        ({"product": "pill-coc", "lot": "ZZZ", "quantity": 1}, "lines.2.lot"),
        ({"product": "pill-coc", "quantity": 500}, "lines.2.quantity"),
    ],
)
def test_bad_lines_are_422_naming_the_line(county, stores, products, tree, line, field):
    receive(stores.county, products.pill, "P1", quantity=100)
    woman = factories.person(tree.village_a, "李红")
    before = LedgerLine.objects.count()
    r = post(
        county,
        kind="issue",
        store="xian",
        person=woman.pk,
        lines=[{"product": "pill-coc", "quantity": 1}, line],
    )
    assert r.status_code == 422, r.json()
    assert r.json()["code"] == "invalid"
    assert field in fields(r), r.json()
    assert "Line 2" in fields(r)[field]
    assert LedgerLine.objects.count() == before


def test_bad_movements(county, stores, products):
    receive(stores.county, products.pill, "P1", "2026-03-31", 100)
    expired = post(
        county,
        kind="issue",
        store="xian",
        person=1,
        occurred_on="2026-04-02",
        lines=[{"product": "pill-coc", "lot": "P1", "quantity": 1}],
    )
    assert expired.status_code == 422 and "person" in fields(expired)
    itself = post(
        county,
        kind="transfer_out",
        store="xian",
        to_store="xian",
        lines=[{"product": "pill-coc", "quantity": 1}],
    )
    assert itself.status_code == 422 and "to_store" in fields(itself)
    future = post(
        county,
        kind="receipt",
        store="xian",
        supplier="省站",
        occurred_on="2099-01-01",
        lines=[{"product": "pill-coc", "lot": "P9", "expires_on": "2100-01-01", "quantity": 1}],
    )
    assert future.status_code == 422 and "occurred_on" in fields(future)
    no_lot = post(
        county,
        kind="write_off",
        store="xian",
        reason="expired",
        lines=[{"product": "pill-coc", "quantity": 1}],
    )
    assert no_lot.status_code == 422 and "lines.1.lot" in fields(no_lot)
    wrong_kind = post(county, kind="gift", store="xian", lines=[])
    assert wrong_kind.status_code == 422
    unknown_transfer = post(county, kind="transfer_in", transfer="xian-CK-2026-99999")
    assert unknown_transfer.status_code == 422 and "transfer" in fields(unknown_transfer)


def test_expired_lot_cannot_be_issued(county, stores, products, tree):
    receive(stores.county, products.pill, "P1", "2026-03-05", 100, DAY)
    woman = factories.person(tree.village_a, "李红")
    r = post(
        county,
        kind="issue",
        store="xian",
        person=woman.pk,
        occurred_on="2026-03-06",
        lines=[{"product": "pill-coc", "lot": "P1", "quantity": 1}],
    )
    assert r.status_code == 422
    assert "expired" in fields(r)["lines.1.lot"]


def test_receipt_into_a_store_outside_scope_is_404(client, keepers, stores, products):
    r = post(
        client(keepers.town),
        kind="receipt",
        store="bing",
        supplier="省站",
        lines=[{"product": "pill-coc", "lot": "P1", "expires_on": "2028-01-01", "quantity": 1}],
    )
    assert r.status_code == 404
    assert AuditEvent.objects.filter(action="denied", user=keepers.town).exists()
    assert not Document.objects.exists()


def test_issue_to_a_person_outside_scope_is_refused(client, keepers, stores, products, tree):
    receive(stores.village_a, products.pill, "P1", quantity=10)
    stranger = factories.person(tree.community, "赵敏")
    r = post(
        client(keepers.village_a),
        kind="issue",
        store="jiacun",
        person=stranger.pk,
        lines=[{"product": "pill-coc", "quantity": 1}],
    )
    assert r.status_code == 422 and "person" in fields(r)
    assert AuditEvent.objects.filter(action="denied", user=keepers.village_a).exists()
    assert on_hand(stores.village_a, products.pill) == 10


def test_movement_without_permission_is_403(client, users, stores, products):
    r = post(
        client(users.leader),
        kind="receipt",
        store="xian",
        supplier="省站",
        lines=[{"product": "pill-coc", "lot": "P1", "expires_on": "2028-01-01", "quantity": 1}],
    )
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


# --------------------------------------------------------------------------- ledger list


def test_movement_list_filters_and_scope(client, keepers, stores, products):
    receive(stores.county, products.pill, "P1", quantity=100)
    receive(stores.village_a, products.pill, "P1", quantity=5, day=DAY + datetime.timedelta(3))
    county = client(keepers.county)
    body = county.get("/commodities/movements").json()
    assert body["count"] == 2
    assert [d["store"] for d in body["items"]] == ["jiacun", "xian"]  # latest first
    assert body["items"][0]["lines"][0]["quantity"] == 5
    only = county.get("/commodities/movements", store="xian", kind="receipt").json()
    assert [d["number"] for d in only["items"]] == ["xian-RK-2026-00001"]
    dated = county.get("/commodities/movements", date_from="2026-03-04").json()
    assert [d["store"] for d in dated["items"]] == ["jiacun"]
    none = county.get("/commodities/movements", kind=DocumentKind.ISSUE.value).json()
    assert none["count"] == 0
    bad = county.get("/commodities/movements", kind="gift")
    assert bad.status_code == 422 and "kind" in fields(bad)
    bad_date = county.get("/commodities/movements", date_to="yesterday")
    assert bad_date.status_code == 422 and "date_to" in fields(bad_date)
    town = client(keepers.town)
    assert town.get("/commodities/movements", store="xian").status_code == 404
    assert [d["store"] for d in town.get("/commodities/movements").json()["items"]] == ["jiacun"]
