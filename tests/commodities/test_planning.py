"""Planning: the demand plan (users by method, need, consumption, stock, roll-up) and the
suggested transfers between stores, on hand-built data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jisheng.commodities import planning, services
from jisheng.commodities.choices import StockStatus
from jisheng.core.models import AuditEvent
from jisheng.services.models import ContraceptionRecord
from tests import factories
from tests.commodities.conftest import give, receive

D = datetime.date
AS_OF = D(2026, 6, 15)
BORN = D(1990, 5, 17)
VOIDED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
EARLY = D(2026, 2, 20)  # before the consumption window (March–May)
MONTHS = (D(2026, 3, 10), D(2026, 4, 10), D(2026, 5, 10))


def woman(unit, seq, method=None, born=BORN, sex="F", married=True, **record):
    person = factories.person(
        unit,
        name=f"人{seq}",
        sex=sex,
        birth_date=born,
        seq=seq,
        marital_status="first_marriage" if married else "single",
    )
    if method:
        ContraceptionRecord.objects.create(
            person=person,
            unit=unit,
            method=method,
            started_on=record.pop("started_on", D(2025, 1, 1)),
            **record,
        )
    return person


@pytest.fixture
def registry(tree):
    """Method users of the county on AS_OF, with the people who must not count."""
    a, b = tree.village_a, tree.village_b
    return {
        "a_pill": woman(a, 1, "pill"),
        "a_condom": woman(a, 2, "condom"),
        "a_dmpa": woman(a, 3, "injectable"),
        "a_fifty": woman(a, 4, "pill", born=D(1976, 1, 1)),  # 50 on AS_OF
        "a_ended": woman(a, 5, "pill", ended_on=D(2026, 5, 1)),
        "a_voided": woman(a, 6, "pill", voided_at=VOIDED),
        "a_man": woman(a, 7, "condom", sex="M"),
        "a_later": woman(a, 8, "pill", started_on=D(2026, 7, 1)),
        "a_none": woman(a, 9),
        "b_dmpa": woman(b, 10, "injectable"),
        "b_pill": woman(b, 11, "pill"),
        "c_condom": woman(tree.community, 12, "condom"),
    }  # fmt: skip


def rows_of(plan, unit):
    for group in plan.groups:
        for member in group.members:
            if member.unit == unit:
                return {r.product.code: r for r in member.rows}
    raise AssertionError(unit)


def subtotal_of(plan, unit):
    for group in plan.groups:
        if group.unit == unit:
            return {r.product.code: r for r in group.subtotal}
    raise AssertionError(unit)


# --------------------------------------------------------------------------- users and need


def test_method_users_count_only_women_15_to_49_with_a_current_record(tree, registry):
    users = planning.method_users(tree.county, AS_OF)
    assert users == {
        (tree.village_a.pk, "pill"): 1,
        (tree.village_a.pk, "condom"): 1,
        (tree.village_a.pk, "injectable"): 1,
        (tree.village_b.pk, "injectable"): 1,
        (tree.village_b.pk, "pill"): 1,
        (tree.community.pk, "condom"): 1,
    }
    # The woman whose method ended on 1 May was a user on 30 April.
    assert planning.method_users(tree.village_a, D(2026, 4, 30))[(tree.village_a.pk, "pill")] == 2
    # A woman of 49 counts the day before her fiftieth birthday.
    assert planning.method_users(tree.village_a, D(2025, 12, 31))[(tree.village_a.pk, "pill")] == 3


def test_yearly_need_rounds_up_to_whole_units():
    assert planning.yearly_need(1, Decimal("0.33")) == 4  # 3.96 injections
    assert planning.yearly_need(3, Decimal("0.33")) == 12  # 11.88
    assert planning.yearly_need(10, Decimal("0.33")) == 40  # 39.6
    assert planning.yearly_need(2, Decimal("1")) == 24
    assert planning.yearly_need(0, Decimal("0.33")) == 0


# --------------------------------------------------------------------------- the plan


@pytest.fixture
def ledger(stores, products, registry):
    person = registry["a_pill"]
    receive(stores.village_a, products.pill, "P1", quantity=10, day=D(2026, 3, 2))
    give(stores.village_a, person, products.pill, 6, D(2026, 4, 1))
    mistaken = give(stores.village_a, person, products.pill, 3, D(2026, 4, 2))
    services.reverse(actor=None, document=mistaken, reason="登记错误")
    receive(stores.village_b, products.pill, "P1", quantity=40, day=D(2026, 3, 2))
    give(stores.village_b, registry["b_pill"], products.pill, 30, D(2026, 5, 1))
    # Before the last twelve months: not consumption of the plan.
    receive(stores.town, products.pill, "P1", quantity=110, day=D(2025, 6, 1))
    give(stores.town, person, products.pill, 10, D(2025, 6, 15))
    return person


def test_plan_rows_per_village(tree, products, ledger):
    plan = planning.demand_plan(tree.county, 2026, as_of=AS_OF)
    assert plan.consumption_from == D(2025, 6, 16)
    assert [p.code for p in plan.products] == ["condom-10", "dmpa", "pill-coc"]
    a = rows_of(plan, tree.village_a)
    # 1 pill user: need 12; consumption 6 (the reversed issue nets out); stock 4.
    assert (a["pill-coc"].users, a["pill-coc"].need) == (1, 12)
    assert (a["pill-coc"].consumption, a["pill-coc"].on_hand) == (6, 4)
    assert a["pill-coc"].basis == 12 and a["pill-coc"].planned == 8  # need − stock
    assert (a["dmpa"].users, a["dmpa"].need, a["dmpa"].planned) == (1, 4, 4)
    assert (a["condom-10"].users, a["condom-10"].need) == (1, 12)
    b = rows_of(plan, tree.village_b)
    # Consumption (30) above the registry's need (12): the plan uses it.
    assert (b["pill-coc"].need, b["pill-coc"].consumption, b["pill-coc"].on_hand) == (12, 30, 10)
    assert b["pill-coc"].basis == 30 and b["pill-coc"].planned == 20
    assert b["condom-10"].users == 0 and b["condom-10"].planned == 0
    c = rows_of(plan, tree.community)
    assert c["condom-10"].users == 1 and c["pill-coc"].users == 0


def test_plan_never_below_zero_when_stock_covers_the_need(tree, stores, products, registry):
    receive(stores.village_a, products.dmpa, "D1", quantity=50, day=D(2026, 3, 2))
    plan = planning.demand_plan(tree.village_a, 2026, as_of=AS_OF)
    row = rows_of(plan, tree.village_a)["dmpa"]
    assert (row.need, row.on_hand, row.planned) == (4, 50, 0)


def test_roll_up_village_township_county_adds_up(tree, stores, products, ledger):
    plan = planning.demand_plan(tree.county, 2026, as_of=AS_OF)
    town = subtotal_of(plan, tree.town)
    members = {m.unit: m for g in plan.groups if g.unit == tree.town for m in g.members}
    assert set(members) == {tree.town, tree.village_a, tree.village_b}
    assert members[tree.town].own_stores and not members[tree.village_a].own_stores
    own = {r.product.code: r for r in members[tree.town].rows}
    assert own["pill-coc"].on_hand == 100 and own["pill-coc"].consumption == 0
    for code in ("pill-coc", "condom-10", "dmpa"):
        parts = [rows_of(plan, u)[code] for u in (tree.village_a, tree.village_b)] + [own[code]]
        for figure in ("users", "need", "consumption", "on_hand"):
            assert getattr(town[code], figure) == sum(getattr(p, figure) for p in parts)
    pill = town["pill-coc"]
    assert (pill.users, pill.need, pill.consumption, pill.on_hand) == (2, 24, 36, 114)
    assert pill.planned == 0  # the warehouse's stock covers the township
    assert (town["dmpa"].users, town["dmpa"].need, town["dmpa"].planned) == (2, 8, 8)
    total = {r.product.code: r for r in plan.total}
    street = subtotal_of(plan, tree.street)
    for code in total:
        for figure in ("users", "need", "consumption", "on_hand"):
            assert getattr(total[code], figure) == sum(
                getattr(g.subtotal[i], figure)
                for g in plan.groups
                for i, p in enumerate(plan.products)
                if p.code == code
            )
    assert total["condom-10"].users == 2 and street["condom-10"].users == 1
    assert total["pill-coc"].planned == max(0, max(24, 36) - 114)
    levels = [level for level, _h, _r in plan.lines()]
    assert levels.count("total") == 3 and levels[-1] == "total"


def test_plan_of_a_township_groups_its_villages_under_it(tree, stores, products, ledger):
    plan = planning.demand_plan(tree.town, 2026, as_of=AS_OF)
    assert [g.unit for g in plan.groups] == [tree.town]
    assert {m.unit for m in plan.groups[0].members} == {tree.town, tree.village_a, tree.village_b}
    assert {r.product.code: r.users for r in plan.total}["pill-coc"] == 2


def test_a_village_with_a_cabinet_but_no_users_still_has_rows(tree, stores, products):
    plan = planning.demand_plan(tree.county, 2026, as_of=AS_OF)
    units = {m.unit for g in plan.groups for m in g.members if not m.own_stores}
    assert units == {tree.village_a, tree.village_b, tree.community}
    assert all(r.planned == 0 for r in plan.total)


@pytest.mark.parametrize("year", [1999, 2028, "abc", "", None, "2026.5"])
def test_plan_refuses_a_year_out_of_range(tree, products, year):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        planning.demand_plan(tree.county, year, as_of=AS_OF)
    assert "year" in exc.value.message_dict
    assert "is not a year from 2000 to 2027" in exc.value.message_dict["year"][0]


def test_plan_accepts_next_year(tree, products):
    assert planning.demand_plan(tree.county, "2027", as_of=AS_OF).year == 2027


def test_plan_of_a_unit_outside_scope_is_denied_and_audited(tree, users, products):
    with pytest.raises(PermissionDenied):
        planning.demand_plan(tree.town, 2026, as_of=AS_OF, user=users.field_a)
    assert AuditEvent.objects.filter(action="denied", object_id=str(tree.town.pk)).exists()
    plan = planning.demand_plan(tree.village_a, 2026, as_of=AS_OF, user=users.field_a)
    assert plan.unit == tree.village_a


# --------------------------------------------------------------------------- transfers


def bands(*stores, low="1", high="3"):
    for store in stores:
        store.min_months, store.max_months = Decimal(low), Decimal(high)
        store.save()


@pytest.fixture
def client_person(tree):
    return woman(tree.village_a, 20, "pill")


def monthly(store, person, product, quantity, days=MONTHS):
    for day in days:
        give(store, person, product, quantity, day)


def test_stocked_out_village_gets_a_transfer_from_its_township_up_to_max(
    stores, products, client_person
):
    bands(stores.village_a, stores.town, stores.county)
    receive(stores.town, products.pill, "T1", quantity=1000, day=EARLY)
    receive(stores.village_a, products.pill, "V1", quantity=120, day=EARLY)
    monthly(stores.village_a, client_person, products.pill, 30)
    give(stores.village_a, client_person, products.pill, 30, D(2026, 6, 10))
    review = planning.transfer_review([stores.village_a, stores.town], AS_OF)
    [s] = review.suggestions
    assert (s.from_store, s.to_store, s.product, s.quantity) == (
        stores.town, stores.village_a, products.pill, 90
    )  # fmt: skip
    assert s.kind == "supply" and s.level.status == StockStatus.STOCK_OUT
    with translation.override("en"):
        review = planning.transfer_review([stores.village_a], AS_OF)
        assert "Stocked out" in review.suggestions[0].reason
    assert planning.suggested_transfers([stores.village_a], AS_OF)[0].quantity == 90


def test_under_stocked_village_is_topped_up_to_max(stores, products, client_person):
    bands(stores.village_a, stores.town)
    receive(stores.town, products.pill, "T1", quantity=1000, day=EARLY)
    receive(stores.village_a, products.pill, "V1", quantity=110, day=EARLY)
    monthly(stores.village_a, client_person, products.pill, 30)  # AMC 30, on hand 20
    [s] = planning.suggested_transfers([stores.village_a], AS_OF)
    assert s.quantity == 90 - 20 and s.level.status == StockStatus.UNDER


def test_supplier_with_too_little_stock_gives_only_what_it_holds_above_its_min(
    stores, products, client_person
):
    bands(stores.village_a, stores.town, low="2", high="3")
    receive(stores.town, products.pill, "T1", quantity=100, day=EARLY)
    monthly(stores.town, client_person, products.pill, 10)  # AMC 10, on hand 70, min 20
    receive(stores.village_a, products.pill, "V1", quantity=120, day=EARLY)
    monthly(stores.village_a, client_person, products.pill, 30)
    give(stores.village_a, client_person, products.pill, 30, D(2026, 6, 10))  # out, wants 90
    [s] = planning.suggested_transfers([stores.village_a, stores.village_b], AS_OF)
    assert s.from_store == stores.town and s.quantity == 50
    with translation.override("en"):
        [s] = planning.suggested_transfers([stores.village_a], AS_OF)
        assert "Limited to what 东城镇药具库 holds above its minimum (90 wanted)" in s.reason


def test_two_villages_share_what_the_supplier_can_spare(stores, products, client_person):
    bands(stores.village_a, stores.village_b, stores.town, low="2", high="3")
    receive(stores.town, products.pill, "T1", quantity=100, day=EARLY)
    monthly(stores.town, client_person, products.pill, 10)  # spare 50
    for store in (stores.village_a, stores.village_b):
        receive(store, products.pill, "V1", quantity=40, day=EARLY)
        monthly(store, client_person, products.pill, 10)
        give(store, client_person, products.pill, 10, D(2026, 6, 10))  # out, wants 30 each
    review = planning.transfer_review([stores.village_a, stores.village_b], AS_OF)
    assert [(s.to_store, s.quantity) for s in review.suggestions] == [
        (stores.village_a, 30),
        (stores.village_b, 20),
    ]


def test_supplier_with_nothing_above_its_min_gives_nothing_and_says_why(
    stores, products, client_person
):
    bands(stores.village_a, stores.town, low="3", high="3")
    receive(stores.town, products.pill, "T1", quantity=60, day=EARLY)
    monthly(stores.town, client_person, products.pill, 10)  # 30 left = its minimum
    receive(stores.village_a, products.pill, "V1", quantity=40, day=EARLY)
    monthly(stores.village_a, client_person, products.pill, 10)
    give(stores.village_a, client_person, products.pill, 10, D(2026, 6, 10))
    review = planning.transfer_review([stores.village_a], AS_OF)
    assert review.suggestions == []
    with translation.override("en"):
        review = planning.transfer_review([stores.village_a], AS_OF)
    assert "holds nothing above its own minimum" in review.skipped[0].reason


def test_over_stocked_village_returns_the_surplus(stores, products, client_person):
    bands(stores.village_b, stores.town)
    receive(stores.village_b, products.pill, "V1", quantity=500, day=EARLY)
    monthly(stores.village_b, client_person, products.pill, 10)  # AMC 10, on hand 470
    [s] = planning.suggested_transfers([stores.village_b], AS_OF)
    assert (s.from_store, s.to_store, s.quantity, s.kind) == (
        stores.village_b, stores.town, 440, "return"
    )  # fmt: skip
    assert s.level.status == StockStatus.OVER


def test_store_without_consumption_history_gets_no_suggestion(stores, products, client_person):
    bands(stores.community, stores.county)
    receive(stores.county, products.pill, "C1", quantity=500, day=D(2026, 1, 2))
    receive(stores.community, products.pill, "V1", quantity=10, day=D(2026, 1, 5))
    give(stores.community, client_person, products.pill, 10, D(2026, 1, 10))  # before window
    receive(stores.community, products.condom, "K1", quantity=5, day=EARLY)  # unknown
    with translation.override("en"):
        review = planning.transfer_review([stores.community], AS_OF)
    assert review.suggestions == []
    [skipped] = review.skipped
    assert skipped.product == products.pill and skipped.status == StockStatus.STOCK_OUT
    assert "No consumption history" in skipped.reason


def test_county_station_has_no_supplier(stores, products, client_person):
    bands(stores.county, low="2")
    receive(stores.county, products.pill, "C1", quantity=40, day=EARLY)
    monthly(stores.county, client_person, products.pill, 10)  # 10 left: 1 month, under 2
    with translation.override("en"):
        review = planning.transfer_review([stores.county], AS_OF)
    assert review.suggestions == []
    assert "order from the higher level" in review.skipped[0].reason


def test_supplying_stores_walk_up_the_tree(tree, stores):
    from jisheng.commodities.choices import StoreKind
    from jisheng.commodities.models import Store

    point = Store.objects.create(
        unit=tree.town, code="town-point", name="镇发放点", kind=StoreKind.HOSPITAL
    )
    suppliers = planning.supplying_stores(
        [stores.village_a, stores.town, stores.community, stores.county, point]
    )
    assert suppliers[stores.village_a.pk] == stores.town
    assert suppliers[stores.town.pk] == stores.county
    assert suppliers[stores.community.pk] == stores.county  # the street holds no store
    assert suppliers[stores.county.pk] is None
    assert suppliers[point.pk] == stores.town
