"""The commodity reports on hand-built data: the stock status balances and each column is
what was posted; the three statistics forms count what the registry holds."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from jisheng.commodities import ledger, reports, services
from jisheng.commodities.choices import DocumentKind, Severity, WriteOffReason
from jisheng.commodities.models import AdverseReaction, Lot, Store
from jisheng.core import periods
from jisheng.people.choices import MaritalStatus
from jisheng.services import followup as registry
from jisheng.services.choices import ChangeReason
from tests import factories
from tests.commodities.conftest import give, receive, send

D = datetime.date
Q1 = periods.parse("2026Q1")
Q2 = periods.parse("2026Q2")
Q3 = periods.parse("2026Q3")


def adjust(store, lot, quantity, day):
    with ledger.serialised():
        doc = ledger.open_document(
            store=store, kind=DocumentKind.ADJUSTMENT, occurred_on=day, actor=None
        )
        card = ledger.card_for(store, lot, day, create=False)
        ledger.post_line(doc, card, quantity)
    return doc


@pytest.fixture
def women(tree):
    def woman(unit, name, born, seq, married=True):
        status = MaritalStatus.FIRST_MARRIAGE if married else MaritalStatus.SINGLE
        return factories.person(
            unit, name=name, sex="F", birth_date=born, seq=seq, marital_status=status
        )

    def start(person, method, day, reason=ChangeReason.FIRST):
        return registry.method_start(
            actor=None, person=person, method=method, started_on=day, reason=reason
        )

    w = SimpleNamespace(
        w1=woman(tree.village_a, "李一", D(1990, 1, 1), 1),
        w2=woman(tree.village_a, "李二", D(1976, 6, 15), 2),  # 50 on 2026-06-15
        w3=woman(tree.village_a, "李三", D(1985, 1, 1), 3),
        w4=woman(tree.village_a, "李四", D(1992, 1, 1), 4),
        w5=woman(tree.village_a, "李五", D(1988, 1, 1), 5),
        w6=woman(tree.village_a, "李六", D(1991, 1, 1), 6),
        w7=woman(tree.village_b, "王七", D(1995, 1, 1), 7, married=False),
        m1=factories.person(tree.village_a, name="张八", sex="M", seq=8),
        c1=woman(tree.community, "赵九", D(1990, 1, 1), 9),
    )
    start(w.w1, "pill", D(2025, 1, 1))
    start(w.w2, "condom", D(2025, 1, 1))
    start(w.w3, "iud", D(2024, 1, 1))
    start(w.w4, "injectable", D(2025, 1, 1))
    start(w.w4, "none", D(2026, 5, 1), ChangeReason.WANTS_PREGNANCY)  # ended before the day
    voided = start(w.w5, "condom", D(2025, 1, 1))
    voided.voided_at = timezone.now()
    voided.void_reason = "录错"
    voided.save()
    start(w.w6, "pill", D(2025, 1, 1))
    start(w.w6, "iud", D(2026, 5, 10), ChangeReason.FAILURE)  # a failure of the pill
    start(w.w7, "condom", D(2025, 6, 1))
    start(w.c1, "condom", D(2025, 6, 1))  # another township
    return w


@pytest.fixture
def ledger_data(stores, products, women):
    """Q1: 200 pills and 50 condoms into the township warehouse. Q2: every kind."""
    s, p = stores, products
    receive(s.town, p.pill, "L1", quantity=200, day=D(2026, 3, 2))
    receive(s.town, p.condom, "C1", quantity=50, day=D(2026, 3, 2))
    receive(s.town, p.pill, "L2", expires="2029-06-30", quantity=100, day=D(2026, 4, 5))
    t1 = send(s.town, s.village_a, p.pill, 60, D(2026, 4, 10))
    services.transfer_receive(actor=None, transfer=t1, occurred_on=D(2026, 4, 12))
    t2 = send(s.town, s.village_b, p.pill, 40, D(2026, 5, 10))
    line = t2.lines.get()
    services.transfer_receive(
        actor=None, transfer=t2, occurred_on=D(2026, 5, 15), received={line.pk: (30, 5)}
    )
    t3 = send(s.town, s.village_a, p.pill, 20, D(2026, 6, 25))  # arrives in Q3
    give(s.village_a, women.w1, p.pill, 5, D(2026, 5, 20))
    wrong = give(s.village_a, women.w6, p.pill, 3, D(2026, 5, 21))
    services.reverse(actor=None, document=wrong, reason="发错人")
    give(s.town, women.w7, p.condom, 2, D(2026, 5, 22))
    services.write_off(
        actor=None,
        store=s.village_a,
        occurred_on=D(2026, 6, 1),
        reason=WriteOffReason.LOST,
        note="柜门损坏",
        lines=[services.Item(p.pill, 2, Lot.objects.get(number="L1"))],
    )
    adjust(s.village_b, Lot.objects.get(number="L1"), -1, D(2026, 6, 10))
    adjust(s.town, Lot.objects.get(number="C1"), 2, D(2026, 6, 10))
    return SimpleNamespace(t3=t3)


def figures(row):
    return {name: getattr(row, name) for name in reports.FIGURES}


def by_store(status):
    return {(r.store.code, r.product.code): figures(r) for r in status.rows}


def zero(**given):
    out = dict.fromkeys(reports.FIGURES, 0)
    out.update(given)
    return out


def test_stock_status_of_a_township_quarter(stores, ledger_data):
    town_stores = Store.objects.filter(unit__path__startswith=stores.town.unit.path)
    status = reports.stock_status(town_stores, Q2.first, Q2.last)
    rows = by_store(status)
    assert rows == {
        ("dongcheng", "pill-coc"): zero(opening=200, receipts=100, transfers_out=120, closing=180),
        ("dongcheng", "condom-10"): zero(opening=50, issues=2, adjustments=2, closing=50),
        ("jiacun", "pill-coc"): zero(
            transfers_in=60, issues=5, write_offs=2, closing=53, in_transit=20
        ),
        ("yicun", "pill-coc"): zero(transfers_in=30, adjustments=-1, closing=29),
    }
    assert all(r.balanced for r in status.rows + status.totals)
    assert status.unbalanced == []
    totals = {r.product.code: figures(r) for r in status.totals}
    assert totals["pill-coc"] == zero(
        opening=200,
        receipts=100,
        transfers_in=90,
        issues=5,
        transfers_out=120,
        write_offs=2,
        adjustments=-1,
        closing=262,
        in_transit=20,
    )
    assert totals["condom-10"]["closing"] == 50


def test_stock_status_of_one_store_and_the_next_period(stores, ledger_data):
    q2 = reports.stock_status([stores.village_a], Q2.first, Q2.last)
    q3 = reports.stock_status([stores.village_a], Q3.first, Q3.last)
    assert by_store(q2)[("jiacun", "pill-coc")]["in_transit"] == 20
    # received on 3 July: in transit at the end of June, not at the end of September
    services.transfer_receive(actor=None, transfer=ledger_data.t3, occurred_on=D(2026, 7, 3))
    q2 = reports.stock_status([stores.village_a], Q2.first, Q2.last)
    q3 = reports.stock_status([stores.village_a], Q3.first, Q3.last)
    assert by_store(q2)[("jiacun", "pill-coc")]["in_transit"] == 20
    assert by_store(q3)[("jiacun", "pill-coc")] == zero(opening=53, transfers_in=20, closing=73)
    for first, second in ((Q1, Q2), (Q2, Q3)):
        a = reports.stock_status(Store.objects.all(), first.first, first.last)
        b = reports.stock_status(Store.objects.all(), second.first, second.last)
        closing = {(r.store.pk, r.product.pk): r.closing for r in a.rows}
        opening = {(r.store.pk, r.product.pk): r.opening for r in b.rows}
        assert {k: v for k, v in closing.items() if v} == {k: v for k, v in opening.items() if v}
        assert all(r.balanced for r in a.rows + b.rows)


def test_stock_status_of_a_reversed_transfer_and_a_bad_range(stores, products, ledger_data):
    out = send(stores.town, stores.village_b, products.pill, 10, D(2026, 6, 26))
    services.reverse(actor=None, document=out, reason="发错")
    status = reports.stock_status([stores.village_b, stores.town], Q2.first, Q2.last)
    rows = by_store(status)
    assert rows[("yicun", "pill-coc")]["in_transit"] == 0
    assert rows[("dongcheng", "pill-coc")]["transfers_out"] == 120
    with translation.override("en"), pytest.raises(ValueError, match="ends before it starts"):
        reports.stock_status([stores.town], Q2.last, Q2.first)


def test_an_unbalanced_row_is_flagged(products):
    row = reports.StockRow(store=None, product=products.pill, opening=5, issues=1, closing=5)
    assert not row.balanced and row.expected_closing == 4


def cells(form, unit=None):
    for row in form.rows:
        if row.unit == unit:
            return row.cells
    raise AssertionError(unit)


def test_users_form(tree, women, ledger_data):
    form = reports.users_form(tree.town, Q2)
    assert [r.unit for r in form.rows] == [tree.village_a, tree.village_b, None]
    a, b, total = cells(form, tree.village_a), cells(form, tree.village_b), cells(form)
    # w1 uses the pill; w6 switched to an IUD; w2 turned 50; w4 ended; w5's is voided
    assert a["method:pill"] == 1 and a["method:condom"] == 0 and a["method:injectable"] == 0
    assert b["method:condom"] == 1  # unmarried women of reproductive age count here
    assert total["users"] == 2
    # persons supplied: w1 (w6's issue was reversed); w7 got condoms at the warehouse
    assert a["persons:oral"] == 1 and a["persons"] == 1
    assert b["persons:condom"] == 1 and total["persons"] == 2
    q1 = reports.users_form(tree.town, Q1)
    assert cells(q1, tree.village_a)["method:condom"] == 1  # w2 was 49 on 31 March
    assert cells(q1, tree.village_a)["method:injectable"] == 1
    assert cells(q1)["persons"] == 0
    village = reports.users_form(tree.village_a, Q2)
    assert [r.unit for r in village.rows] == [tree.village_a, None]


def test_effect_form(tree, products, women, ledger_data):
    AdverseReaction.objects.create(
        person=women.w1,
        unit=tree.village_a,
        product=products.pill,
        started_on=D(2026, 5, 25),
        reported_on=D(2026, 6, 1),
        description="恶心",
        severity=Severity.MILD,
        reporter="村专干",
    )
    form = reports.effect_form(tree.town, Q2)
    a, b, total = cells(form, tree.village_a), cells(form, tree.village_b), cells(form)
    assert (a["persons:oral"], a["quantity:oral"], a["failures:oral"]) == (1, 5, 1)
    assert a["reactions:oral"] == 1 and a["rate:oral"] == 0.0
    assert (b["persons:condom"], b["quantity:condom"], b["rate:condom"]) == (1, 2, 100.0)
    assert total["rate:injectable"] is None  # no users: "—"
    assert total["quantity:oral"] == 5
    # a failure outside the period does not count
    assert cells(reports.effect_form(tree.town, Q3))["failures:oral"] == 0
    products.condom.free = False
    products.condom.save()
    form = reports.effect_form(tree.town, Q2)
    assert "persons:condom" not in dict(form.columns)
    assert reports.effective_rate(0, 0) is None and reports.effective_rate(4, 1) == 75.0


def test_methods_form_agrees_with_the_engine(tree, women):
    form = reports.methods_form(tree.town, Q2)
    a, b, total = cells(form, tree.village_a), cells(form, tree.village_b), cells(form)
    # married WRA in 甲村: w1, w3, w4, w5, w6 (w2 is 50; the man does not count)
    assert a["married_wra"] == 5
    assert (a["method:pill"], a["method:iud"], a["none"]) == (1, 2, 2)
    assert a["prevalence"] == 60.0 and a["long_acting"] == 66.67
    assert b["married_wra"] == 0 and b["prevalence"] is None
    assert total["married_wra"] == 5 and total["method:iud"] == 2
    for row in form.rows:
        methods = sum(row.cells[f"method:{m}"] for m in reports.FORM_METHODS)
        assert row.cells["married_wra"] == methods + row.cells["none"]
    county = reports.methods_form(tree.county, Q2)
    assert cells(county, tree.street)["method:condom"] == 1
    assert [r.unit for r in county.rows] == [tree.town, tree.street, tree.mine, None]
    assert cells(county)["married_wra"] == 6


def test_few_queries_whatever_the_number_of_stores(
    tree, stores, ledger_data, django_assert_max_num_queries
):
    every = list(Store.objects.select_related("unit"))
    with django_assert_max_num_queries(5):
        reports.stock_status(every, Q2.first, Q2.last)
    with django_assert_max_num_queries(6):
        reports.users_form(tree.county, Q2)
    with django_assert_max_num_queries(8):
        reports.effect_form(tree.county, Q2)
    with django_assert_max_num_queries(8):
        reports.methods_form(tree.county, Q2)
