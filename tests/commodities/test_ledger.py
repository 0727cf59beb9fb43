"""The ledger: every movement kind, bad input, stock as of a date, reversals, and
concurrent issues that never take stock below zero."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from jisheng.commodities import selectors, services
from jisheng.commodities.choices import DocumentKind, TransferStatus
from jisheng.commodities.models import CalculatedStock, Document, LedgerLine, Lot, StockCard
from jisheng.core.models import AuditEvent
from tests import factories
from tests.commodities.conftest import DAY, receive

D = datetime.date


def on_hand(store, product):
    return sum(
        StockCard.objects.filter(store=store, product=product).values_list("on_hand", flat=True)
    )


def messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def test_receipt_creates_lot_card_line_and_number(stores, products, keepers):
    doc = receive(stores.town, products.pill, "A1", "2028-06-30", 120, actor=keepers.town)
    assert doc.number == "dongcheng-RK-2026-00001"
    assert doc.kind == DocumentKind.RECEIPT
    lot = Lot.objects.get(product=products.pill, number="A1")
    assert lot.expires_on == D(2028, 6, 30)
    assert on_hand(stores.town, products.pill) == 120
    assert list(doc.lines.values_list("quantity", flat=True)) == [120]
    second = receive(stores.town, products.pill, "A1", "2028-06-30", 30)
    assert second.number == "dongcheng-RK-2026-00002"
    assert on_hand(stores.town, products.pill) == 150
    assert AuditEvent.objects.filter(object_id=str(doc.pk), action="create").exists()
    assert selectors.ledger_check() == []


@pytest.mark.parametrize("quantity", [0, -5, "abc", "1.5", None, True])
def test_receipt_refuses_a_bad_quantity(stores, products, quantity):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        receive(stores.town, products.pill, quantity=quantity)
    assert "lines.1.quantity" in exc.value.message_dict
    assert "greater than zero" in messages(exc.value)
    assert not LedgerLine.objects.exists() and not Document.objects.exists()


def test_receipt_refuses_expired_lot_wrong_expiry_future_date_and_no_supplier(stores, products):
    receive(stores.town, products.pill, "A1", "2028-06-30", 10)
    with pytest.raises(ValidationError) as exc:
        receive(stores.town, products.pill, "A1", "2029-01-31", 10)
    assert "lines.1.expires_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        receive(stores.town, products.pill, "OLD", "2025-01-31", 10)
    assert "lines.1.expires_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        receive(stores.town, products.pill, "B", "2028-01-31", 10, day=D(2999, 1, 1))
    assert "occurred_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.receive(
            actor=None, store=stores.town, occurred_on=DAY, supplier=" ",
            lines=[services.NewLot(products.pill, "B", "2028-01-31", 5)],
        )  # fmt: skip
    assert "supplier" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        receive(stores.town, products.pill, "B", "2028-02-30", 10)
    assert "lines.1.expires_on" in exc.value.message_dict
    assert on_hand(stores.town, products.pill) == 10


def test_receipt_outside_scope_is_denied_and_audited(stores, products, keepers):
    with pytest.raises(PermissionDenied):
        receive(stores.community, products.pill, actor=keepers.town)
    assert AuditEvent.objects.filter(action="denied", user=keepers.town).exists()
    assert not Document.objects.exists()


def test_transfer_is_in_transit_until_received(stores, products, keepers):
    receive(stores.town, products.condom, "C1", "2028-12-31", 50)
    out = services.transfer_send(
        actor=keepers.town, store=stores.town, to_store=stores.village_a,
        occurred_on=DAY, lines=[services.Item(products.condom, 20)],
    )  # fmt: skip
    assert out.number == "dongcheng-CK-2026-00001"
    assert out.transfer_status == TransferStatus.IN_TRANSIT
    assert on_hand(stores.town, products.condom) == 30
    assert on_hand(stores.village_a, products.condom) == 0
    assert list(selectors.in_transit(stores.village_a.__class__.objects.all())) == [out]
    got = services.transfer_receive(
        actor=keepers.village_a, transfer=out, occurred_on=D(2026, 3, 3)
    )
    assert got.kind == DocumentKind.TRANSFER_IN and got.number.startswith("jiacun-DR-2026-")
    out.refresh_from_db()
    assert out.transfer_status == TransferStatus.RECEIVED
    assert on_hand(stores.village_a, products.condom) == 20
    with pytest.raises(ValidationError):
        services.transfer_receive(actor=None, transfer=out, occurred_on=D(2026, 3, 3))
    assert on_hand(stores.village_a, products.condom) == 20


def test_partial_and_damaged_receipt(stores, products):
    receive(stores.town, products.condom, "C1", "2028-12-31", 50)
    out = services.transfer_send(
        actor=None, store=stores.town, to_store=stores.village_a, occurred_on=DAY,
        lines=[services.Item(products.condom, 20)],
    )  # fmt: skip
    line = out.lines.get()
    with pytest.raises(ValidationError):
        services.transfer_receive(
            actor=None, transfer=out, occurred_on=DAY, received={line.pk: (18, 5)}
        )
    with pytest.raises(ValidationError):
        services.transfer_receive(actor=None, transfer=out, occurred_on=D(2026, 3, 1))
    got = services.transfer_receive(
        actor=None, transfer=out, occurred_on=DAY, received={line.pk: (15, 3)}
    )
    in_line = got.lines.get()
    assert (in_line.quantity, in_line.sent, in_line.damaged) == (15, 20, 3)
    out.refresh_from_db()
    assert out.transfer_status == TransferStatus.RECEIVED_SHORT
    assert on_hand(stores.village_a, products.condom) == 15


def test_transfer_to_itself_and_beyond_stock(stores, products):
    receive(stores.town, products.pill, "A1", "2028-12-31", 5)
    with pytest.raises(ValidationError) as exc:
        services.transfer_send(
            actor=None, store=stores.town, to_store=stores.town, occurred_on=DAY,
            lines=[services.Item(products.pill, 1)],
        )  # fmt: skip
    assert "to_store" in exc.value.message_dict
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.transfer_send(
            actor=None, store=stores.town, to_store=stores.village_a, occurred_on=DAY,
            lines=[services.Item(products.pill, 6)],
        )  # fmt: skip
    assert "库存不足" in messages(exc.value) or "不足" in messages(exc.value)
    assert on_hand(stores.town, products.pill) == 5
    assert not Document.objects.filter(kind=DocumentKind.TRANSFER_OUT).exists()


def test_issue_takes_first_expiry_first_and_never_expired(stores, products, person):
    receive(stores.village_a, products.pill, "LATE", "2029-12-31", 10)
    receive(stores.village_a, products.pill, "SOON", "2026-06-30", 3)
    receive(stores.village_a, products.pill, "GONE", "2026-03-01", 4, day=D(2026, 2, 1))
    doc = services.issue(
        actor=None, store=stores.village_a, person=person, occurred_on=DAY,
        lines=[services.Item(products.pill, 5)],
    )  # fmt: skip
    taken = sorted((line.lot.number, line.quantity) for line in doc.lines.all())
    assert taken == [("LATE", -2), ("SOON", -3)]
    assert doc.person == person
    gone = Lot.objects.get(number="GONE")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.issue(
            actor=None, store=stores.village_a, person=person, occurred_on=DAY,
            lines=[services.Item(products.pill, 1, gone)],
        )  # fmt: skip
    assert "expired" in messages(exc.value)
    with pytest.raises(ValidationError):  # 8 usable left: the expired 4 do not count
        services.issue(
            actor=None, store=stores.village_a, person=person, occurred_on=DAY,
            lines=[services.Item(products.pill, 9)],
        )  # fmt: skip
    assert on_hand(stores.village_a, products.pill) == 12


def test_issue_with_unknown_lot_or_a_lot_of_another_product(stores, products, person):
    receive(stores.village_a, products.pill, "P1", "2029-12-31", 10)
    other = Lot.objects.create(product=products.pill, number="NEVER", expires_on=D(2029, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.issue(
            actor=None, store=stores.village_a, person=person, occurred_on=DAY,
            lines=[services.Item(products.pill, 1, other)],
        )  # fmt: skip
    assert "lines.1.lot" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.issue(
            actor=None, store=stores.village_a, person=person, occurred_on=DAY,
            lines=[services.Item(products.condom, 1, Lot.objects.get(number="P1"))],
        )  # fmt: skip
    assert "lines.1.lot" in exc.value.message_dict


def test_write_off_needs_a_reason_and_takes_expired_stock(stores, products):
    receive(stores.town, products.dmpa, "D1", "2026-03-01", 8, day=D(2026, 1, 5))
    lot = Lot.objects.get(number="D1")
    with pytest.raises(ValidationError) as exc:
        services.write_off(
            actor=None, store=stores.town, occurred_on=DAY, reason="whim",
            lines=[services.Item(products.dmpa, 8, lot)],
        )  # fmt: skip
    assert "reason" in exc.value.message_dict
    doc = services.write_off(
        actor=None, store=stores.town, occurred_on=DAY, reason="expired",
        lines=[services.Item(products.dmpa, 8, lot)],
    )  # fmt: skip
    assert doc.number == "dongcheng-BS-2026-00001"
    assert on_hand(stores.town, products.dmpa) == 0


def test_stock_as_of_a_past_date_and_back_dated_lines(stores, products, person):
    receive(stores.village_a, products.pill, "P1", "2029-12-31", 10, day=D(2026, 1, 10))
    services.issue(
        actor=None, store=stores.village_a, person=person, occurred_on=D(2026, 2, 10),
        lines=[services.Item(products.pill, 4)],
    )  # fmt: skip
    receive(stores.village_a, products.pill, "P1", "2029-12-31", 5, day=D(2026, 3, 1))
    key = (stores.village_a.pk, products.pill.pk)
    assert selectors.stock_as_of([stores.village_a], D(2026, 1, 9)).get(key, 0) == 0
    assert selectors.stock_as_of([stores.village_a], D(2026, 1, 10))[key] == 10
    assert selectors.stock_as_of([stores.village_a], D(2026, 2, 28))[key] == 6
    assert selectors.stock_as_of([stores.village_a], D(2026, 3, 1))[key] == 11
    # a back-dated issue moves every later balance …
    services.issue(
        actor=None, store=stores.village_a, person=person, occurred_on=D(2026, 1, 20),
        lines=[services.Item(products.pill, 6)],
    )  # fmt: skip
    assert selectors.stock_as_of([stores.village_a], D(2026, 2, 28)).get(key, 0) == 0
    assert selectors.stock_as_of([stores.village_a], D(2026, 3, 1))[key] == 5
    # … and cannot empty a shelf retroactively (February's balance is 0)
    with pytest.raises(ValidationError):
        services.issue(
            actor=None, store=stores.village_a, person=person, occurred_on=D(2026, 1, 25),
            lines=[services.Item(products.pill, 1, Lot.objects.get(number="P1"))],
        )  # fmt: skip
    assert selectors.ledger_check() == []
    assert not CalculatedStock.objects.filter(on_hand__lt=0).exists()


def test_reversal_and_no_reversal_of_a_reversal(stores, products, person):
    receive(stores.village_a, products.pill, "P1", "2029-12-31", 10)
    doc = services.issue(
        actor=None, store=stores.village_a, person=person, occurred_on=DAY,
        lines=[services.Item(products.pill, 4)],
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.reverse(actor=None, document=doc, reason="  ")
    rev = services.reverse(actor=None, document=doc, reason="登记错人")
    assert rev.kind == DocumentKind.REVERSAL and rev.reverses == doc
    assert on_hand(stores.village_a, products.pill) == 10
    assert list(rev.lines.values_list("quantity", "original_kind")) == [(4, "issue")]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.reverse(actor=None, document=rev, reason="again")
    assert "cannot be reversed" in messages(exc.value)
    with pytest.raises(ValidationError):
        services.reverse(actor=None, document=doc, reason="twice")
    assert selectors.ledger_check() == []


def test_reversing_a_receipt_whose_stock_was_issued_is_refused(stores, products, person):
    receipt = receive(stores.village_a, products.pill, "P1", "2029-12-31", 10)
    services.issue(
        actor=None, store=stores.village_a, person=person, occurred_on=DAY,
        lines=[services.Item(products.pill, 4)],
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.reverse(actor=None, document=receipt, reason="错收")
    assert on_hand(stores.village_a, products.pill) == 6


def test_received_transfer_is_reversed_at_the_receiver_first(stores, products):
    receive(stores.town, products.condom, "C1", "2028-12-31", 50)
    out = services.transfer_send(
        actor=None, store=stores.town, to_store=stores.village_a, occurred_on=DAY,
        lines=[services.Item(products.condom, 20)],
    )  # fmt: skip
    got = services.transfer_receive(actor=None, transfer=out, occurred_on=DAY)
    with pytest.raises(ValidationError):
        services.reverse(actor=None, document=out, reason="发错")
    services.reverse(actor=None, document=got, reason="收错")
    out.refresh_from_db()
    assert out.transfer_status == TransferStatus.IN_TRANSIT
    services.reverse(actor=None, document=out, reason="发错")
    out.refresh_from_db()
    assert out.transfer_status == TransferStatus.REVERSED
    assert on_hand(stores.town, products.condom) == 50
    assert on_hand(stores.village_a, products.condom) == 0


def test_issue_linked_to_a_visit_of_another_person_is_refused(stores, products, person, tree):
    from jisheng.services.models import FollowUpVisit

    other = factories.person(tree.village_a, name="赵丽", seq=2)
    visit = FollowUpVisit.objects.create(
        person=other, unit=tree.village_a, visited_on=DAY, way="home"
    )
    receive(stores.village_a, products.pill, "P1", "2029-12-31", 10)
    with pytest.raises(ValidationError) as exc:
        services.issue(
            actor=None, store=stores.village_a, person=person, occurred_on=DAY, visit=visit,
            lines=[services.Item(products.pill, 1)],
        )  # fmt: skip
    assert "visit" in exc.value.message_dict


def test_issue_to_a_person_outside_scope_is_denied(stores, products, keepers, tree):
    stranger = factories.person(tree.community, name="钱敏", seq=3)
    receive(stores.village_a, products.pill, "P1", "2029-12-31", 10)
    with pytest.raises(PermissionDenied):
        services.issue(
            actor=keepers.village_a, store=stores.village_a, person=stranger, occurred_on=DAY,
            lines=[services.Item(products.pill, 1)],
        )  # fmt: skip
    assert AuditEvent.objects.filter(action="denied", user=keepers.village_a).exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_issues_against_ten_units(tree, stores, products):
    person = factories.person(tree.village_a, name="周梅")
    receive(stores.village_a, products.condom, "C1", "2029-12-31", 10)
    barrier = threading.Barrier(20)
    results: list[str] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            barrier.wait()
            with translation.override("zh-hans"):
                services.issue(
                    actor=None, store=stores.village_a, person=person, occurred_on=DAY,
                    lines=[services.Item(products.condom, 1)],
                )  # fmt: skip
            outcome = "ok"
        except ValidationError as exc:
            outcome = messages(exc)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 10
    refusals = [r for r in results if r != "ok"]
    assert len(refusals) == 10
    assert all("库存不足" in r or "不足" in r for r in refusals), refusals
    assert on_hand(stores.village_a, products.condom) == 0
    assert LedgerLine.objects.filter(kind=DocumentKind.ISSUE).count() == 10
    assert selectors.ledger_check() == []
