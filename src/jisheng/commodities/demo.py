"""Demo commodities (药具) for the demo county (示范县, :mod:`jisheng.orgs.demo`).

:func:`load_demo_commodities` adds the standard products, the stores (the county
station, a warehouse per township or street, a cabinet per village or community, and
three distribution points: the county hospital, the marriage registry and a condom
self-service machine) and about six months of movements written through the ledger
services, as the keepers would: monthly receipts at the county station, transfers down
to the townships and on to the villages, issues to the demo persons who use the pill,
condoms or injections, an expired lot written off. Some lots expire soon, one village
runs out of pills, and the last transfer to one township is still in transit.

Deterministic (seeded) and idempotent: products and stores are matched by code, and the
movements are written only when the county station has none yet.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from jisheng.commodities import services
from jisheng.commodities.choices import Category, DocumentKind, StoreKind, WriteOffReason
from jisheng.commodities.models import Document, Product, StockCard, Store
from jisheng.core.periods import month_start
from jisheng.orgs.choices import UnitType
from jisheng.orgs.demo import COUNTY_CODE
from jisheng.orgs.models import Unit
from jisheng.policy.choices import Method

SEED = 6
MONTHS = 6
SUPPLIER = "省计划生育药具管理站"
STOCKED_OUT_VILLAGE = "990100002003"  # 竹林村: no pills after its first two deliveries
IN_TRANSIT_TOWNSHIP = "990100002000"  # 云溪镇: this month's delivery still on the way


@dataclass(frozen=True)
class DemoProduct:
    code: str
    name: str
    category: str
    unit: str
    method: str
    cyp_item: str
    items_per_unit: int
    monthly_need: str
    monthly_receipt: int  # at the county station


PRODUCTS: list[DemoProduct] = [
    DemoProduct("coc-lng", "复方左炔诺孕酮片", Category.ORAL, "板", Method.PILL,
                "pill_cycle", 1, "1", 120),
    DemoProduct("coc-net", "复方炔诺酮片", Category.ORAL, "板", Method.PILL,
                "pill_cycle", 1, "1", 60),
    DemoProduct("ec-lng", "左炔诺孕酮片（紧急避孕）", Category.ORAL, "板", "",
                "", 1, "0", 30),
    DemoProduct("dmpa", "醋酸甲羟孕酮注射液", Category.INJECTABLE, "支", Method.INJECTABLE,
                "injectable_dose", 1, "0.33", 40),
    DemoProduct("condom-10", "避孕套（盒10只）", Category.CONDOM, "盒", Method.CONDOM,
                "condom", 10, "1", 400),
    DemoProduct("spermicide", "外用避孕栓", Category.TOPICAL, "盒", Method.TOPICAL,
                "", 1, "1", 20),
    DemoProduct("implant-lng", "左炔诺孕酮硅胶棒（皮埋剂）", Category.IMPLANT, "套",
                Method.IMPLANT, "implant_3y", 1, "0", 6),
    DemoProduct("iud-cu", "含铜宫内节育器", Category.IUD, "个", Method.IUD,
                "iud_copper", 1, "0", 20),
]  # fmt: skip

# Which products go down to the villages, and how many a village gets a month.
VILLAGE_SUPPLY = {"coc-lng": 6, "coc-net": 3, "dmpa": 2, "condom-10": 15, "ec-lng": 1}
METHOD_PRODUCT = {Method.PILL: "coc-lng", Method.CONDOM: "condom-10", Method.INJECTABLE: "dmpa"}


def ensure_products() -> dict[str, Product]:
    out = {}
    for p in PRODUCTS:
        product, _created = Product.objects.get_or_create(
            code=p.code,
            defaults={
                "name": p.name,
                "category": p.category,
                "unit": p.unit,
                "method": p.method,
                "cyp_item": p.cyp_item,
                "cyp_items_per_unit": p.items_per_unit,
                "monthly_need": Decimal(p.monthly_need),
            },
        )
        out[p.code] = product
    return out


def _store(unit: Unit, code: str, name: str, kind: str, **extra: object) -> Store:
    store, _created = Store.objects.get_or_create(
        code=code, defaults={"unit": unit, "name": name, "kind": kind, **extra}
    )
    return store


@dataclass
class DemoStores:
    county: Store
    townships: list[Store]
    villages: dict[str, list[Store]]  # township store code -> its cabinets
    points: list[Store]


def ensure_stores(county: Unit) -> DemoStores:
    station = _store(county, "xian-yjz", f"{county.name}药具站", StoreKind.COUNTY_STATION)
    towns = Unit.objects.filter(
        path__startswith=county.path,
        depth=county.depth + 1,
        unit_type__in=[UnitType.TOWNSHIP, UnitType.STREET],
    ).order_by("path")
    townships, villages = [], {}
    for town in towns:
        warehouse = _store(
            town,
            f"wh-{town.code}",
            f"{town.name}药具库",
            StoreKind.TOWNSHIP_WAREHOUSE,
            min_months=Decimal("1.0"),
            max_months=Decimal("3.0"),
        )
        townships.append(warehouse)
        children = Unit.objects.filter(
            path__startswith=town.path,
            depth=town.depth + 1,
            unit_type__in=[UnitType.VILLAGE, UnitType.COMMUNITY],
        ).order_by("path")
        villages[warehouse.code] = [
            _store(child, f"cab-{child.code}", f"{child.name}药具柜", StoreKind.VILLAGE_CABINET)
            for child in children
        ]
    points = [
        _store(county, "dp-hospital", "县妇幼保健院发放点", StoreKind.HOSPITAL),
        _store(county, "dp-marriage", "县婚姻登记处发放点", StoreKind.MARRIAGE_REGISTRY),
    ]
    street = towns.filter(unit_type=UnitType.STREET).first()
    points.append(
        _store(
            street or county, "dp-machine", "避孕套自取机（街道服务中心）", StoreKind.SELF_SERVICE
        )
    )
    return DemoStores(station, townships, villages, points)


def _users_by_cabinet(
    county: Unit, cabinets: list[Store], today: datetime.date
) -> dict[int, list[tuple[object, str, datetime.date]]]:
    """The current users of the pill, condoms and injections living in each cabinet's
    village or community (its groups included): cabinet id -> [(person, product)]."""
    from jisheng.services.models import ContraceptionRecord

    records = (
        ContraceptionRecord.objects.filter(
            unit__path__startswith=county.path,
            voided_at=None,
            method__in=list(METHOD_PRODUCT),
            started_on__lte=today,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .select_related("person", "person__unit")
        .order_by("pk")
    )
    out: dict[int, list[tuple[object, str, datetime.date]]] = {c.pk: [] for c in cabinets}
    for record in records:
        person = record.person
        if getattr(person, "death_date", None):
            continue
        for cabinet in cabinets:
            if person.unit.path.startswith(cabinet.unit.path):
                out[cabinet.pk].append((person, METHOD_PRODUCT[record.method], record.started_on))
    return out


def _try(fn, **kwargs):  # type: ignore[no-untyped-def]
    """A movement the demo would like to post; skipped when the ledger refuses it (not
    enough stock that day)."""
    try:
        return fn(actor=None, **kwargs)
    except ValidationError:
        return None


def load_demo_commodities(*, today: datetime.date | None = None) -> bool:
    """Fill the demo county's commodities unless they are there; True when it wrote."""
    county = Unit.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return False
    today = today or timezone.localdate()
    products = ensure_products()
    stores = ensure_stores(county)
    if Document.objects.filter(store=stores.county).exists():
        return False
    rng = random.Random(SEED)
    cabinets = [c for group in stores.villages.values() for c in group]
    users = _users_by_cabinet(county, cabinets, today)
    start = month_start(today, back=MONTHS - 1)
    for month in range(MONTHS):
        first = month_start(start, back=-month)
        last_month = month == MONTHS - 1
        _month(rng, products, stores, users, first, today, month, last_month)
    _write_off_expired(stores, today)
    return True


def _day(first: datetime.date, day: int, today: datetime.date) -> datetime.date | None:
    result = first + datetime.timedelta(days=day - 1)
    return result if result <= today else None


def _month(rng, products, stores, users, first, today, month, last_month):  # type: ignore[no-untyped-def]
    receipt_day = _day(first, 1, today)
    if receipt_day is None:
        return
    lines = []
    for p in PRODUCTS:
        # the first month's pills expire soon (an alert); later lots in 2–3 years
        if month == 0 and p.code in ("coc-lng", "dmpa"):
            expires = today + datetime.timedelta(days=45 if p.code == "coc-lng" else 75)
        elif month == 0 and p.code == "ec-lng":
            expires = today - datetime.timedelta(days=10)  # expires on the shelf
            expires = max(expires, receipt_day + datetime.timedelta(days=20))
        else:
            expires = first.replace(year=first.year + 2 + month % 2)
        quantity = p.monthly_receipt + rng.randint(0, p.monthly_receipt // 5)
        number = f"{first:%y%m}{p.code[:3].upper()}{rng.randint(100, 999)}"
        lines.append(services.NewLot(products[p.code], number, expires, quantity, "示范药业"))
    services.receive(
        actor=None,
        store=stores.county,
        occurred_on=receipt_day,
        supplier=SUPPLIER,
        lines=lines,
        staff_name="药具站",
    )
    # county → townships on the 3rd, received on the 5th (the latest one to 云溪镇
    # is still on its way)
    send_day = _day(first, 3, today)
    for warehouse in stores.townships:
        if send_day is None:
            break
        n_villages = len(stores.villages.get(warehouse.code, [])) or 1
        items = [
            services.Item(products[code], per_village * n_villages)
            for code, per_village in VILLAGE_SUPPLY.items()
        ]
        transfer = _try(
            services.transfer_send,
            store=stores.county,
            to_store=warehouse,
            occurred_on=send_day,
            lines=items,
        )
        receive_day = _day(first, 5, today)
        if transfer is None or receive_day is None:
            continue
        if last_month and warehouse.unit.code == IN_TRANSIT_TOWNSHIP:
            continue
        services.transfer_receive(actor=None, transfer=transfer, occurred_on=receive_day)
    # county → distribution points
    if send_day is not None:
        for point in stores.points:
            code = "condom-10"
            _try(
                services.transfer_send,
                store=stores.county,
                to_store=point,
                occurred_on=send_day,
                lines=[services.Item(products[code], 20)],
            )
            # received the same day
        for transfer in Document.objects.filter(
            store=stores.county,
            kind=DocumentKind.TRANSFER_OUT,
            counterpart__in=stores.points,
            transfer_status="in_transit",
        ):
            services.transfer_receive(actor=None, transfer=transfer, occurred_on=send_day)
    # township → villages on the 8th, received on the 9th
    send_day = _day(first, 8, today)
    for warehouse in stores.townships:
        for cabinet in stores.villages.get(warehouse.code, []):
            if send_day is None:
                break
            items = []
            for code, quantity in VILLAGE_SUPPLY.items():
                if cabinet.unit.code == STOCKED_OUT_VILLAGE and month >= 2 and code == "coc-lng":
                    continue
                items.append(services.Item(products[code], quantity))
            transfer = _try(
                services.transfer_send,
                store=warehouse,
                to_store=cabinet,
                occurred_on=send_day,
                lines=items,
            )
            receive_day = _day(first, 9, today)
            if transfer is not None and receive_day is not None:
                services.transfer_receive(actor=None, transfer=transfer, occurred_on=receive_day)
    if month == 2:
        _stock_out(products, stores, _day(first, 9, today))
    # issues to the users of the pill, condoms and injections, between the 10th and the 28th
    for cabinets in stores.villages.values():
        for cabinet in cabinets:
            for person, code, started_on in users.get(cabinet.pk, [])[:20]:
                if code == "dmpa" and month % 3:
                    continue  # one injection every three months
                day = _day(first, rng.randint(10, 28), today)
                if day is None or day < started_on:
                    continue
                quantity = 1 if code != "condom-10" else rng.randint(1, 2)
                _try(
                    services.issue,
                    store=cabinet,
                    person=person,
                    occurred_on=day,
                    lines=[services.Item(products[code], quantity)],
                    staff_name="村计生专干",
                )


def _stock_out(products: dict[str, Product], stores: DemoStores, day: datetime.date | None) -> None:
    """竹林村 lends all its pills to its neighbour and gets no more: a stock-out."""
    cabinets = [c for group in stores.villages.values() for c in group]
    village = next((c for c in cabinets if c.unit.code == STOCKED_OUT_VILLAGE), None)
    if village is None or day is None:
        return
    parent = village.unit.path[:-4]
    neighbour = next(
        (c for c in cabinets if c.unit.path[:-4] == parent and c.pk != village.pk), None
    )
    pills = sum(
        StockCard.objects.filter(store=village, product=products["coc-lng"]).values_list(
            "on_hand", flat=True
        )
    )
    if neighbour is None or pills <= 0:
        return
    transfer = _try(
        services.transfer_send,
        store=village,
        to_store=neighbour,
        occurred_on=day,
        lines=[services.Item(products["coc-lng"], pills)],
        note="借调给邻村",
    )
    if transfer is not None:
        services.transfer_receive(actor=None, transfer=transfer, occurred_on=day)


def _write_off_expired(stores: DemoStores, today: datetime.date) -> None:
    """The county station writes off what has expired on its shelves."""
    for card in StockCard.objects.filter(
        store=stores.county, on_hand__gt=0, lot__expires_on__lt=today
    ).select_related("lot", "product"):
        _try(
            services.write_off,
            store=stores.county,
            occurred_on=today,
            reason=WriteOffReason.EXPIRED,
            lines=[services.Item(card.product, card.on_hand, card.lot)],
            note="过期报损",
        )
