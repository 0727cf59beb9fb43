"""``POST /api/v1/commodities/movements`` with bad input (issue 13, item 12): quantities
beyond the database's integer range, a balance pushed past it, ``true`` for a number,
texts longer than their columns, NUL characters — each a 4xx JSON answer with Chinese
messages, and nothing written."""

from __future__ import annotations

import pytest

from jisheng.commodities.ledger import MAX_BALANCE
from jisheng.commodities.models import Document, LedgerLine, Lot, StockCard
from jisheng.core.tokens import token_create
from tests.api.chinese import assert_chinese_error
from tests.api.conftest import ApiClient
from tests.commodities.conftest import DAY, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(keepers, stores, products):
    _token, secret = token_create(actor=None, user=keepers.county, name="test")
    return ApiClient(secret)  # no Accept-Language: Chinese


def receipt(api, quantity, **extra):
    line = {"product": "pill-coc", "lot": "P1", "expires_on": "2028-01-31", "quantity": quantity}
    body = {
        "kind": "receipt",
        "store": "xian",
        "supplier": "省药具站",
        "occurred_on": DAY.isoformat(),
        "lines": [{**line, **extra.pop("line", {})}],
        **extra,
    }
    return api.post_json("/commodities/movements", body)


def written() -> tuple[int, int, int, int]:
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Lot.objects.count(),
        StockCard.objects.count(),
    )


@pytest.mark.parametrize("quantity", [10**12, 2**31, 2**63, 10**30, -(2**63), True, 1.5, "5"])
def test_quantities_the_column_cannot_hold_or_not_whole_numbers_are_refused(county, quantity):
    before = written()
    response = receipt(county, quantity)
    assert response.status_code == 422, response.content
    assert_chinese_error(response)
    assert response.json()["details"][0]["field"] == "lines.0.quantity"
    assert written() == before


def test_the_largest_quantity_the_column_holds_is_taken(county):
    response = receipt(county, MAX_BALANCE)
    assert response.status_code == 201, response.content
    assert StockCard.objects.get().on_hand == MAX_BALANCE


def test_a_balance_pushed_past_the_column_is_refused(county, stores, products):
    receive(stores.county, products.pill, "P1", "2028-01-31", MAX_BALANCE - 10)
    before = written()
    response = receipt(county, 11)
    assert response.status_code == 422, response.content
    assert_chinese_error(response)
    assert written() == before
    assert StockCard.objects.get().on_hand == MAX_BALANCE - 10
    # up to the limit it is taken
    assert receipt(county, 10).status_code == 201


def test_a_back_dated_receipt_cannot_push_a_later_balance_past_the_column(county, stores, products):
    import datetime

    receive(stores.county, products.pill, "P1", "2028-01-31", 5, DAY - datetime.timedelta(10))
    receive(stores.county, products.pill, "P1", "2028-01-31", MAX_BALANCE - 10, DAY)
    before = written()
    body = {"occurred_on": (DAY - datetime.timedelta(5)).isoformat()}
    response = receipt(county, 6, **body)
    assert response.status_code == 422, response.content
    assert written() == before


@pytest.mark.parametrize(
    ("field", "length"),
    [("supplier", 101), ("note", 301), ("staff_name", 51)],
)
def test_texts_longer_than_their_columns_are_refused_not_cut(county, field, length):
    before = written()
    response = receipt(county, 5, **{field: "药" * length})
    assert response.status_code == 422, response.content
    assert_chinese_error(response)
    assert response.json()["details"][0]["field"] == field
    assert written() == before
    # at the column's length it is kept whole
    response = receipt(county, 5, **{field: "药" * (length - 1)})
    assert response.status_code == 201, response.content
    assert response.json()[field] == "药" * (length - 1)


@pytest.mark.parametrize(("field", "length"), [("lot", 41), ("manufacturer", 101)])
def test_line_texts_longer_than_their_columns_are_refused(county, field, length):
    before = written()
    response = receipt(county, 5, line={field: "X" * length})
    assert response.status_code == 422, response.content
    assert_chinese_error(response)
    assert written() == before


@pytest.mark.parametrize(
    "extra",
    [{"supplier": "省\x00药具站"}, {"note": "\x00"}, {"line": {"lot": "P\x001"}}],
)
def test_nul_characters_are_refused(county, extra):
    before = written()
    response = receipt(county, 5, **extra)
    assert response.status_code == 422, response.content
    assert_chinese_error(response)
    assert written() == before


def test_nul_in_a_query_parameter_is_400_json(county):
    response = county.get("/commodities/movements", store="xi\x00an")
    assert response.status_code == 400
    assert_chinese_error(response)
