"""commodities.demo: products, stores and six months of movements for the demo county,
loaded once, the ledger balanced."""

from __future__ import annotations

import datetime

from jisheng.commodities import selectors
from jisheng.commodities.choices import DocumentKind, StoreKind, TransferStatus
from jisheng.commodities.demo import (
    IN_TRANSIT_TOWNSHIP,
    PRODUCTS,
    STOCKED_OUT_VILLAGE,
    load_demo_commodities,
)
from jisheng.commodities.models import (
    CalculatedStock,
    Document,
    LedgerLine,
    Product,
    StockCard,
    Store,
)
from jisheng.orgs.demo import load_demo
from jisheng.people.demo import load_demo_persons
from jisheng.services.demo import load_demo_services

TODAY = datetime.date(2026, 11, 20)


def counts():
    return (
        Product.objects.count(),
        Store.objects.count(),
        Document.objects.count(),
        LedgerLine.objects.count(),
        CalculatedStock.objects.count(),
    )


def test_demo_commodities_load_once_with_a_clean_ledger(db):
    load_demo()
    load_demo_persons(count=800, end=TODAY)
    load_demo_services(today=TODAY)
    assert load_demo_commodities(today=TODAY) is True
    first = counts()
    assert first[0] == len(PRODUCTS)
    kinds = set(Store.objects.values_list("kind", flat=True))
    assert {
        StoreKind.COUNTY_STATION,
        StoreKind.TOWNSHIP_WAREHOUSE,
        StoreKind.VILLAGE_CABINET,
        StoreKind.HOSPITAL,
        StoreKind.MARRIAGE_REGISTRY,
        StoreKind.SELF_SERVICE,
    } <= kinds
    by_kind = dict.fromkeys(DocumentKind.values, 0)
    for kind in Document.objects.values_list("kind", flat=True):
        by_kind[kind] += 1
    assert by_kind[DocumentKind.RECEIPT] == 6
    assert by_kind[DocumentKind.TRANSFER_OUT] > 50
    assert by_kind[DocumentKind.ISSUE] > 20
    assert selectors.ledger_check() == []
    assert not StockCard.objects.filter(on_hand__lt=0).exists()
    # one transfer in transit, to 云溪镇
    transit = Document.objects.filter(transfer_status=TransferStatus.IN_TRANSIT)
    assert [d.counterpart.unit.code for d in transit] == [IN_TRANSIT_TOWNSHIP]
    # a village out of pills, lots expiring soon
    village = Store.objects.get(unit__code=STOCKED_OUT_VILLAGE)
    pills = StockCard.objects.filter(store=village, product__code="coc-lng")
    assert pills.exists() and sum(c.on_hand for c in pills) == 0
    assert selectors.expiring_lots(Store.objects.all(), TODAY, days=90)
    # the dates are all in the past six months
    assert LedgerLine.objects.filter(occurred_on__gt=TODAY).count() == 0
    assert LedgerLine.objects.filter(occurred_on__lt=datetime.date(2026, 6, 1)).count() == 0
    # again: nothing new
    assert load_demo_commodities(today=TODAY) is False
    assert counts() == first


def test_no_demo_county_no_demo_commodities(db):
    assert load_demo_commodities() is False
    assert not Product.objects.exists()
