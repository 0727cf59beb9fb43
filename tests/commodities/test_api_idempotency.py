"""``Idempotency-Key`` on ``POST /api/v1/commodities/movements`` (issue 13, item 13): an
issue retried after a lost answer takes the stock once."""

from __future__ import annotations

import pytest

from jisheng.commodities.models import Document, StockCard
from jisheng.core.tokens import token_create
from tests import factories
from tests.api.conftest import ApiClient
from tests.commodities.conftest import DAY, receive

pytestmark = pytest.mark.django_db


def test_a_retried_issue_takes_the_stock_once(keepers, stores, products, tree):
    receive(stores.county, products.pill, "P1", quantity=10)
    woman = factories.person(tree.village_a, "李红")
    _token, secret = token_create(actor=None, user=keepers.county, name="test")
    client = ApiClient(secret)
    body = {
        "kind": "issue",
        "store": "xian",
        "person": woman.pk,
        "occurred_on": DAY.isoformat(),
        "lines": [{"product": "pill-coc", "quantity": 3}],
    }
    headers = {**client.headers, "Idempotency-Key": "issue-1"}

    def send(data):
        return client.client.post(
            "/api/v1/commodities/movements", data, content_type="application/json",
            headers=headers,
        )  # fmt: skip

    first = send(body)
    assert first.status_code == 201, first.content
    again = send(body)
    assert (again.status_code, again.json()) == (201, first.json())
    assert Document.objects.filter(kind="issue").count() == 1
    assert StockCard.objects.get(store=stores.county).on_hand == 7
    other = send({**body, "lines": [{"product": "pill-coc", "quantity": 4}]})
    assert other.status_code == 422
    assert StockCard.objects.get(store=stores.county).on_hand == 7
