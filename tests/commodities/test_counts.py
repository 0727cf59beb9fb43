"""Physical counts (盘点): the sheet, entering counts, approval posting one adjustment,
frozen counts, movements after the count day, and 账物相符率."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jisheng.commodities import counts, ledger, selectors, services
from jisheng.commodities.choices import CountStatus, DocumentKind
from jisheng.commodities.models import CountLine, Document, LedgerLine, Lot, StockCard
from jisheng.core.models import AuditEvent
from tests.commodities.conftest import DAY, receive

D = datetime.date
COUNT_DAY = D(2026, 3, 10)


def messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def card(store, number):
    return StockCard.objects.get(store=store, lot__number=number)


@pytest.fixture
def stocked(stores, products, keepers):
    """The township warehouse holds pill lot P1 (100), condom lot C1 (50) and dmpa lot
    M1 (20)."""
    receive(stores.town, products.pill, "P1", "2028-06-30", 100, actor=keepers.town)
    receive(stores.town, products.condom, "C1", "2028-12-31", 50, actor=keepers.town)
    receive(stores.town, products.dmpa, "M1", "2027-12-31", 20, actor=keepers.town)
    return stores.town


def lines_by_lot(count):
    return {line.card.lot.number: line for line in counts.count_lines(count)}


def test_open_builds_the_sheet_with_book_balances(stocked, stores, products, keepers):
    receive(stores.town, products.pill, "P0", "2027-06-30", 5, actor=keepers.town)
    services.write_off(
        actor=keepers.town, store=stores.town, occurred_on=DAY, reason="expired",
        lines=[services.Item(products.pill, 5, Lot.objects.get(number="P0"))],
    )  # fmt: skip
    receive(stores.town, products.pill, "LATE", "2028-06-30", 9, day=D(2026, 3, 12))
    receive(stores.village_a, products.pill, "V", "2028-06-30", 9)
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY, counted_by="张三")
    assert count.status == CountStatus.OPEN
    books = {n: line.book for n, line in lines_by_lot(count).items()}
    # P0 is empty, LATE came after the count day, V is another store's.
    assert books == {"P1": 100, "C1": 50, "M1": 20}
    assert AuditEvent.objects.filter(object_id=str(count.pk), action="create").exists()


def test_one_count_in_progress_per_store(stocked, stores, keepers):
    counts.count_open(keepers.town, stores.town, COUNT_DAY)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        counts.count_open(keepers.town, stores.town, COUNT_DAY)
    assert "store" in exc.value.message_dict
    assert "in progress" in messages(exc.value)
    counts.count_open(keepers.town, stores.village_a, COUNT_DAY)  # another store: fine


def test_open_refuses_future_date_and_store_out_of_scope(stocked, stores, keepers):
    future = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        counts.count_open(keepers.town, stores.town, future)
    assert "counted_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        counts.count_open(keepers.town, stores.town, "2026-13-40")
    assert "counted_on" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        counts.count_open(keepers.town, stores.community, COUNT_DAY)
    assert AuditEvent.objects.filter(action="denied", user=keepers.town).exists()
    assert not counts.PhysicalCount.objects.exists()


def test_count_with_surplus_and_shortage_posts_one_adjustment(stocked, stores, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    lines = lines_by_lot(count)
    counts.count_enter(
        keepers.town,
        count,
        {lines["P1"].pk: 97, lines["C1"].pk: "52", lines["M1"].pk: 20},
        {lines["P1"].pk: "3 板破损未登记", lines["C1"].pk: "上次少登"},
    )
    counts.count_submit(keepers.town, count)
    count.refresh_from_db()
    assert count.status == CountStatus.SUBMITTED
    counts.count_approve(keepers.county, count)
    count.refresh_from_db()
    assert count.status == CountStatus.APPROVED
    assert count.approved_by == keepers.county and count.approved_at is not None
    documents = Document.objects.filter(kind=DocumentKind.ADJUSTMENT)
    assert documents.count() == 1
    document = documents.get()
    assert document.count == count and document.occurred_on == COUNT_DAY
    assert document.number == "dongcheng-TZ-2026-00001"
    posted = {line.lot.number: line.quantity for line in document.lines.all()}
    assert posted == {"P1": -3, "C1": 2}
    for number, counted in (("P1", 97), ("C1", 52), ("M1", 20)):
        assert card(stores.town, number).on_hand == counted
        assert ledger.balance_on(card(stores.town, number), COUNT_DAY) == counted
    assert selectors.ledger_check() == []
    events = AuditEvent.objects.filter(object_id=str(count.pk), action="update")
    assert events.count() == 3  # entered, submitted, approved


def test_count_without_differences_posts_nothing(stocked, stores, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    counts.count_enter(keepers.town, count, {line.pk: line.book for line in count.lines.all()})
    counts.count_approve(keepers.town, count)  # straight from open
    count.refresh_from_db()
    assert count.status == CountStatus.APPROVED
    assert not Document.objects.filter(kind=DocumentKind.ADJUSTMENT).exists()
    assert counts.adjustment_of(count) is None
    assert selectors.ledger_check() == []


def test_approving_with_an_uncounted_line_is_refused(stocked, stores, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    lines = lines_by_lot(count)
    counts.count_enter(keepers.town, count, {lines["P1"].pk: 90, lines["C1"].pk: 50})
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        counts.count_approve(keepers.town, count)
    assert "not counted" in messages(exc.value) and "M1" in messages(exc.value)
    with pytest.raises(ValidationError):
        counts.count_submit(keepers.town, count)
    count.refresh_from_db()
    assert count.status == CountStatus.OPEN
    assert not LedgerLine.objects.filter(kind=DocumentKind.ADJUSTMENT).exists()
    assert card(stores.town, "P1").on_hand == 100


@pytest.mark.parametrize("value", [-1, "-3", "abc", "1.5", True, "2e3"])
def test_bad_counted_values_are_refused_naming_the_line(stocked, stores, keepers, value):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    lines = lines_by_lot(count)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        counts.count_enter(keepers.town, count, {lines["C1"].pk: 49, lines["P1"].pk: value})
    assert f"line_{lines['P1'].pk}" in exc.value.message_dict
    assert "lot P1" in messages(exc.value) and "whole number" in messages(exc.value)
    # nothing half-written
    assert not CountLine.objects.filter(count=count, counted__isnull=False).exists()


def test_unknown_line_and_blank_values(stocked, stores, products, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    lines = lines_by_lot(count)
    other = counts.count_open(keepers.town, stores.village_a, COUNT_DAY)
    receive(stores.village_a, products.pill, "VA", "2028-06-30", 3, day=D(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        counts.count_enter(keepers.town, count, {999999: 1})
    assert "line_999999" in exc.value.message_dict
    assert other.lines.count() == 0
    counts.count_enter(keepers.town, count, {lines["P1"].pk: 5})
    counts.count_enter(keepers.town, count, {lines["P1"].pk: ""})  # blank = uncounted again
    assert CountLine.objects.get(pk=lines["P1"].pk).counted is None


def test_approved_and_cancelled_counts_are_frozen(stocked, stores, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    line_ids = list(count.lines.values_list("pk", flat=True))
    counts.count_enter(keepers.town, count, {pk: 1 for pk in line_ids})
    counts.count_approve(keepers.town, count)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        counts.count_enter(keepers.town, count, {line_ids[0]: 100})
    assert "approved" in messages(exc.value)
    for call in (counts.count_submit, counts.count_approve, counts.count_cancel):
        with pytest.raises(ValidationError):
            call(keepers.town, count)
    assert Document.objects.filter(kind=DocumentKind.ADJUSTMENT).count() == 1

    second = counts.count_open(keepers.town, stores.town, D(2026, 3, 11))
    counts.count_cancel(keepers.town, second, "重新盘点")
    second.refresh_from_db()
    assert second.status == CountStatus.CANCELLED and "重新盘点" in second.note
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        counts.count_enter(keepers.town, second, {second.lines.first().pk: 1})
    assert "cancelled" in messages(exc.value)
    # a cancelled count frees the store for a new one
    counts.count_open(keepers.town, stores.town, D(2026, 3, 11))


def test_movements_between_count_day_and_approval(stocked, stores, products, keepers, tree):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    lines = lines_by_lot(count)
    assert lines["P1"].book == 100
    # after the count day: sent 30 to a village (does not change the book as of the day)
    services.transfer_send(
        actor=keepers.town, store=stores.town, to_store=stores.village_a,
        occurred_on=D(2026, 3, 12), lines=[services.Item(products.pill, 30)],
    )  # fmt: skip
    # back-dated before the count day, entered after the sheet was made: 10 more condoms
    receive(stores.town, products.condom, "C1", "2028-12-31", 10, day=D(2026, 3, 5))
    counts.count_enter(
        keepers.town, count, {lines["P1"].pk: 98, lines["C1"].pk: 60, lines["M1"].pk: 20}
    )
    counts.count_approve(keepers.town, count)
    lines = lines_by_lot(count)
    assert lines["P1"].book == 100 and lines["C1"].book == 60  # recomputed as of the day
    document = counts.adjustment_of(count)
    assert {ln.lot.number: ln.quantity for ln in document.lines.all()} == {"P1": -2}
    assert ledger.balance_on(card(stores.town, "P1"), COUNT_DAY) == 98
    assert card(stores.town, "P1").on_hand == 68  # 98 counted − 30 sent after
    assert card(stores.town, "C1").on_hand == 60
    assert selectors.ledger_check() == []


def test_shortage_that_later_movements_cannot_bear_is_refused(stocked, stores, products, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    lines = lines_by_lot(count)
    services.transfer_send(
        actor=keepers.town, store=stores.town, to_store=stores.village_a,
        occurred_on=D(2026, 3, 12), lines=[services.Item(products.dmpa, 20)],
    )  # fmt: skip
    counts.count_enter(
        keepers.town, count, {lines["P1"].pk: 100, lines["C1"].pk: 50, lines["M1"].pk: 15}
    )
    with pytest.raises(ValidationError):
        counts.count_approve(keepers.town, count)
    count.refresh_from_db()
    assert count.status == CountStatus.OPEN
    assert not Document.objects.filter(kind=DocumentKind.ADJUSTMENT).exists()
    assert selectors.ledger_check() == []


def test_writes_out_of_scope_are_denied_and_audited(stocked, stores, keepers, users):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    line = count.lines.first()
    for call, args in (
        (counts.count_enter, ({line.pk: 1},)),
        (counts.count_submit, ()),
        (counts.count_approve, ()),
        (counts.count_cancel, ()),
    ):
        with pytest.raises(PermissionDenied):
            call(keepers.village_a, count, *args)
    assert AuditEvent.objects.filter(action="denied", user=keepers.village_a).count() == 4
    assert CountLine.objects.get(pk=line.pk).counted is None


def _approved_count(store, actor, book_counted, approved_on):
    """A hand-built approved count: lines with the given (book, counted) figures."""
    count = counts.PhysicalCount.objects.create(
        store=store,
        counted_on=approved_on,
        status=CountStatus.APPROVED,
        approved_at=timezone.make_aware(
            datetime.datetime.combine(approved_on, datetime.time(10, 0))
        ),
    )
    cards = list(StockCard.objects.filter(store=store))
    for (book, counted), c in zip(book_counted, cards, strict=False):
        CountLine.objects.create(count=count, card=c, book=book, counted=counted)
    return count


def test_count_accuracy(stocked, stores, products, keepers):
    receive(stores.village_a, products.pill, "V1", "2028-06-30", 10)
    receive(stores.village_a, products.condom, "V2", "2028-06-30", 10)
    _approved_count(stores.town, None, [(100, 100), (50, 48), (20, 20)], D(2026, 3, 10))
    _approved_count(stores.village_a, None, [(10, 10), (10, 10)], D(2026, 3, 20))
    _approved_count(stores.village_a, None, [(10, 9), (10, 9)], D(2026, 5, 1))  # outside
    open_count = counts.PhysicalCount.objects.create(
        store=stores.town, counted_on=D(2026, 3, 15), status=CountStatus.OPEN
    )
    CountLine.objects.create(
        count=open_count, card=StockCard.objects.filter(store=stores.town).first(), book=1,
        counted=0,
    )  # fmt: skip
    from jisheng.commodities.models import Store

    march = (D(2026, 3, 1), D(2026, 3, 31))
    result = counts.count_accuracy(Store.objects.all(), *march)
    assert (result.agreeing, result.lines) == (4, 5)
    assert result.rate == pytest.approx(80)
    result = counts.count_accuracy([stores.town], *march)
    assert (result.agreeing, result.lines, str(result.rate)) == (2, 3, "66.7")
    result = counts.count_accuracy(Store.objects.filter(pk=stores.village_a.pk), *march)
    assert (result.agreeing, result.lines, result.rate) == (2, 2, 100)
    none = counts.count_accuracy([stores.community], *march)
    assert (none.agreeing, none.lines, none.rate) == (0, 0, None)
    assert counts.count_accuracy(Store.objects.all(), D(2025, 1, 1), D(2025, 12, 31)).rate is None


def test_count_accuracy_of_real_approvals(stocked, stores, keepers):
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    lines = lines_by_lot(count)
    counts.count_enter(
        keepers.town, count, {lines["P1"].pk: 100, lines["C1"].pk: 49, lines["M1"].pk: 20}
    )
    counts.count_approve(keepers.town, count)
    # dated by the count day (the catalogue's definition), not by the approval (issue 14)
    result = counts.count_accuracy([stores.town], COUNT_DAY, COUNT_DAY)
    assert (result.agreeing, result.lines, str(result.rate)) == (2, 3, "66.7")
    today = timezone.localdate()
    if today != COUNT_DAY:
        assert counts.count_accuracy([stores.town], today, today).lines == 0


def test_count_accuracy_is_the_catalogue_s_figure(stocked, stores, products, keepers):
    """One definition (issue 14): a count counted in March and approved in April is
    March's, for counts.count_accuracy and for the catalogue's indicator alike."""
    from jisheng.core.periods import parse
    from jisheng.indicators import catalogue, engine

    late = _approved_count(stores.town, None, [(100, 100), (50, 48), (20, 20)], D(2026, 3, 28))
    late.approved_at = timezone.make_aware(datetime.datetime(2026, 4, 2, 10, 0))
    late.save(update_fields=["approved_at"])
    march, april = (D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 4, 30))
    by_function = counts.count_accuracy([stores.town], *march)
    assert (by_function.agreeing, by_function.lines) == (2, 3)
    assert counts.count_accuracy([stores.town], *april).lines == 0
    indicator = catalogue.get("count_accuracy")
    for code, expected in (("2026-03", (2, 3)), ("2026-04", (0, 0))):
        rows = engine.compute([indicator], stores.town.unit, parse(code), engine.SELF)
        value = rows[0].values["count_accuracy"]
        assert (value.numerator, value.denominator) == expected
