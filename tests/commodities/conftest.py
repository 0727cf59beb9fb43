"""Fixtures of the commodities tests: products, the stores of the small county tree and a
commodity keeper at the county, at the township and at a village.

county station  示范县药具站 (990100000000)
└── township warehouse 东城镇药具库 (990100001000)
    ├── village cabinet 甲村药具柜 (990100001001)
    └── village cabinet 乙村药具柜 (990100001002)
street cabinet 丙社区药具柜 (990100002001)
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from jisheng.commodities import services
from jisheng.commodities.choices import Category, StoreKind
from jisheng.commodities.models import Product, Store
from tests import factories

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def products(db):
    return SimpleNamespace(
        pill=Product.objects.create(
            code="pill-coc", name="复方左炔诺孕酮片", category=Category.ORAL, unit="板",
            method="pill", cyp_item="pill_cycle", monthly_need=1,
        ),
        condom=Product.objects.create(
            code="condom-10", name="避孕套（10只装）", category=Category.CONDOM, unit="盒",
            method="condom", cyp_item="condom", cyp_items_per_unit=10, monthly_need=1,
        ),
        dmpa=Product.objects.create(
            code="dmpa", name="醋酸甲羟孕酮注射液", category=Category.INJECTABLE, unit="支",
            method="injectable", cyp_item="injectable_dose", monthly_need="0.33",
        ),
    )  # fmt: skip


@pytest.fixture
def stores(tree):
    def make(unit, code, name, kind):
        return Store.objects.create(unit=unit, code=code, name=name, kind=kind)

    return SimpleNamespace(
        county=make(tree.county, "xian", "示范县药具站", StoreKind.COUNTY_STATION),
        town=make(tree.town, "dongcheng", "东城镇药具库", StoreKind.TOWNSHIP_WAREHOUSE),
        village_a=make(tree.village_a, "jiacun", "甲村药具柜", StoreKind.VILLAGE_CABINET),
        village_b=make(tree.village_b, "yicun", "乙村药具柜", StoreKind.VILLAGE_CABINET),
        community=make(tree.community, "bing", "丙社区药具柜", StoreKind.VILLAGE_CABINET),
    )


@pytest.fixture
def keepers(tree):
    return SimpleNamespace(
        county=factories.user("yaoju", tree.county, "commodity"),
        town=factories.user("yaoju_town", tree.town, "commodity"),
        village_a=factories.user("yaoju_a", tree.village_a, "commodity"),
    )


def receive(store, product, number="L1", expires="2028-12-31", quantity=100, day=DAY, actor=None):
    """A receipt of one lot (a helper of the tests)."""
    return services.receive(
        actor=actor,
        store=store,
        occurred_on=day,
        supplier="省药具站",
        lines=[services.NewLot(product, number, expires, quantity)],
    )


def send(source, target, product, quantity, day):
    """A transfer of one product, first expiry first (a helper of the tests)."""
    return services.transfer_send(
        actor=None,
        store=source,
        to_store=target,
        occurred_on=day,
        lines=[services.Item(product, quantity)],
    )


def give(store, person, product, quantity, day):
    """An issue of one product to ``person`` (a helper of the tests)."""
    return services.issue(
        actor=None,
        store=store,
        person=person,
        occurred_on=day,
        lines=[services.Item(product, quantity)],
    )
