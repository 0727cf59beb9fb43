"""Which stores may receive a transfer (issue 14 item 4): the service decides
(``services.transfer_send`` refuses a store the issue note would not offer), and the
page offers what the selector ``transfer_targets`` gives — the stores in the sender's
scope and those of the store's parent unit and child units."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from jisheng.commodities import selectors, services
from jisheng.commodities.models import Document
from jisheng.core.tokens import token_create
from tests.api.conftest import ApiClient
from tests.commodities.conftest import DAY, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked_village(stores, products):
    """The 甲村 cabinet holds 100 pills."""
    receive(stores.village_a, products.pill, "P1", "2028-12-31", 100)
    return stores


def send(actor, stores, products, to):
    return services.transfer_send(
        actor=actor,
        store=stores.village_a,
        to_store=to,
        occurred_on=DAY,
        lines=[services.Item(products.pill, 10)],
    )


def test_the_selector_gives_the_scope_and_the_units_above_and_below(stores, keepers):
    village = selectors.transfer_targets(user=keepers.village_a, store=stores.village_a)
    # a village keeper: its own cabinet and the township warehouse above, not a sibling
    assert set(village) == {stores.village_a, stores.town}
    town = selectors.transfer_targets(user=keepers.town, store=stores.town)
    assert set(town) == {stores.town, stores.village_a, stores.village_b, stores.county}
    stores.village_b.active = False
    stores.village_b.save()
    town = selectors.transfer_targets(user=keepers.town, store=stores.town)
    assert stores.village_b not in set(town)
    # the system itself may send anywhere
    assert stores.community in set(selectors.transfer_targets(user=None, store=stores.town))


def test_the_service_refuses_a_store_the_page_would_not_offer(stocked_village, products, keepers):
    stores = stocked_village
    for outside in (stores.village_b, stores.community, stores.county):
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            send(keepers.village_a, stores, products, outside)
        assert "cannot receive a transfer from here" in " ".join(
            caught.value.message_dict["to_store"]
        )
    assert not Document.objects.filter(kind="transfer_out").exists()
    assert send(keepers.village_a, stores, products, stores.town).counterpart == stores.town


def test_the_page_offers_what_the_selector_gives(client, stocked_village, keepers):
    stores = stocked_village
    client.force_login(keepers.village_a)
    response = client.get(reverse("commodities:transfer", args=[stores.village_a.pk]))
    assert response.status_code == 200
    offered = set(response.context["form"].fields["to_store"].queryset)
    assert offered == set(
        selectors.transfer_targets(user=keepers.village_a, store=stores.village_a)
    )


def test_the_api_is_refused_like_the_service(stocked_village, products, keepers):
    _token, secret = token_create(actor=None, user=keepers.village_a, name="test")
    api = ApiClient(secret, language="en")
    body = {
        "kind": "transfer_out",
        "store": "jiacun",
        "to_store": "yicun",
        "occurred_on": DAY.isoformat(),
        "lines": [{"product": "pill-coc", "quantity": 1}],
    }
    response = api.post_json("/commodities/movements", body)
    assert response.status_code == 422  # a service refusal (api/errors.py)
    messages = {d["field"]: d["message"] for d in response.json()["details"]}
    assert "cannot receive a transfer from here" in messages["to_store"]
    assert not Document.objects.filter(kind="transfer_out").exists()
    ok = api.post_json("/commodities/movements", body | {"to_store": "dongcheng"})
    assert ok.status_code == 201, ok.content
