"""Stops from registry events, overpayments, arrears, the amount audit (issue 18).

The benefit kinds come from the test pack of :mod:`tests.benefits.factories_changes`
(keys ``special_assistance``, ``childcare_subsidy``, ``only_child_health_fee`` …)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jisheng.benefits import services_changes as services
from jisheng.benefits import worklist_changes
from jisheng.benefits.amounts import compute
from jisheng.benefits.choices import (
    CaseSource,
    EntitlementStatus,
    OverpaymentStatus,
    StopReason,
)
from jisheng.benefits.models import Case, Entitlement, Overpayment
from jisheng.benefits.selectors_changes import arrears_due, kind_of
from jisheng.core.models import AuditEvent
from jisheng.people import events
from jisheng.people.choices import EventKind
from tests.benefits import factories_changes as f

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(tree):
    f.load_pack(tree.county)


def y(year: int) -> dict[str, dt.date]:
    return {"period_start": D(year, 1, 1), "period_end": D(year, 12, 31)}


def test_a_death_mid_month_stops_from_the_next_month_and_pays_the_month_of_death(pack, make_person):
    parent = make_person(name="张桂兰", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance", starts_on=D(2025, 1, 1))
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 3, 15))
    ent.refresh_from_db()
    assert ent.status == EntitlementStatus.STOPPED
    assert ent.stop_reason == StopReason.DEATH
    assert ent.stopped_on == D(2026, 4, 1)
    assert ent.stop_seen is False
    kind = kind_of("special_assistance", parent.unit, D(2026, 1, 1))
    got = compute(kind, start=ent.starts_on, until=ent.stopped_on, **y(2026))
    assert (got.month_count, got.amount) == (3, Decimal("1500.00"))  # March is paid
    assert got.months[-1] == D(2026, 3, 1)


def test_a_child_turning_three_stops_on_the_birthday_may_not_paid(pack, make_person):
    mother = make_person(name="王丽", birth_date=D(1995, 1, 1))
    child = make_person(
        name="王小宝", birth_date=D(2023, 5, 20), seq=300, registered_on=D(2023, 5, 20)
    )
    ent = f.entitlement(
        child, kind="childcare_subsidy", beneficiary=mother, starts_on=D(2025, 1, 1)
    )
    assert services.scan_stops(today=D(2026, 5, 19)) == []  # not yet three
    stopped = services.scan_stops(today=D(2026, 6, 1))
    assert [e.pk for e in stopped] == [ent.pk]
    ent.refresh_from_db()
    assert (ent.stop_reason, ent.stopped_on) == (StopReason.ELIGIBILITY_ENDED, D(2026, 5, 20))
    kind = kind_of("childcare_subsidy", child.unit, D(2026, 1, 1))
    got = compute(kind, start=ent.starts_on, until=ent.stopped_on, **y(2026))
    assert (got.month_count, got.amount) == (4, Decimal("1200.00"))
    assert D(2026, 5, 1) not in got.months
    # the scan again stops nothing more
    assert services.scan_stops(today=D(2026, 6, 2)) == []


def test_a_move_away_stops_from_the_next_month(pack, make_person):
    parent = make_person(name="赵敏", birth_date=D(1962, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance")
    events.event_record(
        actor=None, person=parent, kind=EventKind.MOVE_OUT, date=D(2026, 2, 10), data={"to": "外省"}
    )
    ent.refresh_from_db()
    assert (ent.status, ent.stop_reason) == (EntitlementStatus.STOPPED, StopReason.MOVED_AWAY)
    assert ent.stopped_on == D(2026, 3, 1)


def test_other_events_stop_nothing(pack, make_person):
    parent = make_person(name="钱芳", birth_date=D(1962, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance")
    events.event_record(actor=None, person=parent, kind=EventKind.FLOW_OUT, date=D(2026, 2, 10))
    ent.refresh_from_db()
    assert ent.status == EntitlementStatus.ACTIVE


def test_a_death_found_late_after_payment_is_an_overpayment_never_deducted(pack, make_person, tree):
    parent = make_person(name="孙梅", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance", starts_on=D(2025, 1, 1))
    husband = make_person(name="孙强", sex="M", birth_date=D(1958, 3, 1), seq=320)
    his = f.entitlement(husband, kind="special_assistance", starts_on=D(2025, 1, 1))
    first = f.batch(tree.county, start=D(2026, 1, 1), end=D(2026, 6, 30))
    paid_case = f.case(
        first, ent, covers_from=D(2026, 1, 1), covers_to=D(2026, 6, 30), amount="3000", months=6
    )
    f.paid(paid_case)
    services.mark_paid_through(case=paid_case)
    ent.refresh_from_db()
    assert ent.paid_through == D(2026, 6, 30)
    # the later batch of the family's benefit, already built
    later = f.batch(tree.county, start=D(2026, 7, 1), end=D(2026, 12, 31))
    later_case = f.case(
        later, his, covers_from=D(2026, 7, 1), covers_to=D(2026, 12, 31), amount="3000", months=6
    )
    # the death (15 March) is recorded in June
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 3, 15))
    over = Overpayment.objects.get(entitlement=ent)
    assert (over.covers_from, over.covers_to) == (D(2026, 4, 1), D(2026, 6, 30))
    assert (over.months, over.amount) == (3, Decimal("1500.00"))
    assert over.status == OverpaymentStatus.OPEN
    # never deducted: the later batch and its case keep their amounts
    later_case.refresh_from_db()
    later.refresh_from_db()
    assert later_case.amount == Decimal("3000.00")
    assert later.total_amount == Decimal("3000.00")
    assert not Overpayment.objects.filter(entitlement=his).exists()
    # the payment already made is what it was
    paid_case.refresh_from_db()
    assert paid_case.amount == Decimal("3000.00")


def test_a_payment_confirmed_after_the_stop_makes_the_overpayment(pack, make_person, tree):
    parent = make_person(name="周兰", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance", starts_on=D(2025, 1, 1))
    batch = f.batch(tree.county, start=D(2026, 1, 1), end=D(2026, 3, 31))
    case = f.case(
        batch, ent, covers_from=D(2026, 1, 1), covers_to=D(2026, 3, 31), amount="1500", months=3
    )
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 1, 20))
    assert not Overpayment.objects.exists()
    f.paid(case)
    services.mark_paid_through(case=case)
    over = Overpayment.objects.get(entitlement=ent)
    assert (over.months, over.amount) == (2, Decimal("1000.00"))
    services.mark_paid_through(case=case)  # again: nothing new
    assert Overpayment.objects.count() == 1


def test_open_cases_beyond_a_stop_are_cut_back_with_the_audit(pack, make_person, tree):
    parent = make_person(name="吴霞", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance", starts_on=D(2025, 1, 1))
    batch = f.batch(tree.county, start=D(2026, 1, 1), end=D(2026, 6, 30))
    case = f.case(
        batch, ent, covers_from=D(2026, 1, 1), covers_to=D(2026, 6, 30), amount="3000", months=6
    )
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 2, 3))
    case.refresh_from_db()
    batch.refresh_from_db()
    assert (case.months, case.amount) == (2, Decimal("1000.00"))
    assert batch.total_amount == Decimal("1000.00")
    row = (
        AuditEvent.objects.filter(object_type="benefits.case", object_id=str(case.pk))
        .order_by("-id")
        .first()
    )
    assert row.changes["amount"] == ["3000.00", "1000.00"]


def test_the_office_confirms_a_stop_in_its_scope_only(pack, make_person, users):
    parent = make_person(name="郑红", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance")
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 3, 15))
    ent.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.confirm_stop(actor=users.field_b, entitlement=ent)
    with pytest.raises(PermissionDenied):
        services.confirm_stop(actor=users.leader, entitlement=ent)  # reads only
    services.confirm_stop(actor=users.field_a, entitlement=ent, note="已核实")
    ent.refresh_from_db()
    assert ent.stop_seen is True
    row = AuditEvent.objects.filter(object_type="benefits.entitlement").order_by("-id").first()
    assert row.changes == {"stop_seen": [False, True]}
    with pytest.raises(ValidationError):
        services.confirm_stop(actor=users.field_a, entitlement=ent)


def test_the_worklist_shows_the_stop_to_the_right_office_only(pack, make_person, users):
    parent = make_person(name="冯英", birth_date=D(1960, 3, 1))
    f.entitlement(parent, kind="special_assistance")
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 3, 15))
    today = D(2026, 4, 1)
    count_a, items = worklist_changes.collect_stops(users.field_a, today=today)
    assert count_a == 1 and items[0].person_name == "冯英"
    assert "/benefits/" in items[0].url
    assert worklist_changes.collect_stops(users.town_office, today=today)[0] == 1
    assert worklist_changes.collect_stops(users.field_b, today=today) == (0, [])
    assert worklist_changes.STOPS_SOURCE.order == 93


def test_arrears_for_months_found_late(pack, make_person, tree, users):
    mother = make_person(name="何静", birth_date=D(1995, 1, 1))
    child = make_person(
        name="何小雨", birth_date=D(2025, 3, 10), seq=310, registered_on=D(2025, 3, 10)
    )
    ent = f.entitlement(
        child, kind="childcare_subsidy", beneficiary=mother, starts_on=D(2025, 3, 10)
    )
    due = arrears_due(users.field_a, today=D(2026, 2, 15))
    assert [(o.entitlement.pk, o.owed_from, o.owed_through) for o in due] == [
        (ent.pk, D(2025, 3, 10), D(2026, 1, 31))
    ]
    assert arrears_due(users.field_b, today=D(2026, 2, 15)) == []
    with pytest.raises(ValidationError):  # no open batch of the kind yet
        services.arrears(actor=users.field_a, entitlement=ent, through=D(2025, 12, 31))
    batch = f.batch(tree.town, kind="childcare_subsidy")
    case = services.arrears(actor=users.town_office, entitlement=ent, through=D(2025, 12, 31))
    assert case.batch == batch and case.source == CaseSource.ARREARS
    assert (case.covers_from, case.covers_to) == (D(2025, 3, 1), D(2025, 12, 31))
    assert (case.months, case.amount) == (10, Decimal("3000.00"))
    assert "2025" in case.explanation[0]["text"]
    assert sorted(s.amount for s in case.shares.all()) == [Decimal("300.00"), Decimal("2700.00")]
    batch.refresh_from_db()
    assert (batch.case_count, batch.total_amount) == (1, Decimal("3000.00"))
    with pytest.raises(ValidationError):  # the months are in a case now
        services.arrears(actor=users.town_office, entitlement=ent, through=D(2025, 12, 31))
    assert arrears_due(users.field_a, today=D(2026, 2, 15)) == []
    with pytest.raises(PermissionDenied):
        services.arrears(actor=users.field_b, entitlement=ent, through=D(2025, 12, 31))


def test_arrears_stop_at_the_stop(pack, make_person, tree, users):
    parent = make_person(name="许兰", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance", starts_on=D(2025, 10, 1))
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2025, 11, 5))
    f.batch(tree.county)
    case = services.arrears(actor=users.office, entitlement=ent, through=D(2026, 6, 30))
    assert (case.months, case.amount) == (2, Decimal("1000.00"))


def test_the_amount_change_is_audited_with_before_and_after(pack, make_person, tree, users):
    parent = make_person(name="曹敏", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance")
    batch = f.batch(tree.county)
    case = f.case(
        batch, ent, covers_from=D(2026, 1, 1), covers_to=D(2026, 6, 30), amount="3000", months=6
    )
    for bad in (2999.5, "abc", "-1", "10.001"):
        with pytest.raises(ValidationError):
            services.change_amount(actor=users.office, case=case, amount=bad, reason="更正")
    with pytest.raises(ValidationError):
        services.change_amount(actor=users.office, case=case, amount="2500", reason=" ")
    with pytest.raises(PermissionDenied):
        services.change_amount(actor=users.field_b, case=case, amount="2500", reason="更正")
    services.change_amount(actor=users.office, case=case, amount="2500.00", reason="核减一个月")
    case.refresh_from_db()
    batch.refresh_from_db()
    assert case.amount == Decimal("2500.00") and batch.total_amount == Decimal("2500.00")
    row = (
        AuditEvent.objects.filter(object_type="benefits.case", object_id=str(case.pk))
        .order_by("-id")
        .first()
    )
    assert row.changes["amount"] == ["3000.00", "2500.00"]
    assert row.message == "核减一个月"
    f.paid(case)
    with pytest.raises(ValidationError):
        services.change_amount(actor=users.office, case=case, amount="1", reason="x")


def test_an_overpayment_is_resolved_with_a_note_audited(pack, make_person, tree, users):
    parent = make_person(name="严芳", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance", paid_through=D(2026, 6, 30))
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 4, 2))
    over = Overpayment.objects.get(entitlement=ent)
    assert (over.months, over.amount) == (2, Decimal("1000.00"))
    with pytest.raises(ValidationError):
        services.overpayment_resolve(actor=users.office, overpayment=over, outcome="x", note="n")
    with pytest.raises(ValidationError):
        services.overpayment_resolve(
            actor=users.office, overpayment=over, outcome="repaid", note=""
        )
    with pytest.raises(PermissionDenied):
        services.overpayment_resolve(
            actor=users.field_b, overpayment=over, outcome="repaid", note="已退回"
        )
    services.overpayment_resolve(
        actor=users.field_a, overpayment=over, outcome="repaid", note="家属已退回"
    )
    over.refresh_from_db()
    assert over.status == OverpaymentStatus.RESOLVED and "家属已退回" in over.resolution
    row = AuditEvent.objects.filter(object_type="benefits.overpayment").order_by("-id").first()
    assert row.changes["status"] == ["open", "resolved"]
    with pytest.raises(ValidationError):
        services.overpayment_resolve(
            actor=users.field_a, overpayment=over, outcome="repaid", note="again"
        )


def test_the_entitlements_of_a_person_without_any_cost_one_query(pack, make_person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parent = make_person(name="陶红", birth_date=D(1960, 3, 1))
    with CaptureQueriesContext(connection) as ctx:
        assert services.apply_stops(person=parent) == []
    assert len(ctx.captured_queries) == 1
    assert Entitlement.objects.count() == 0 and Case.objects.count() == 0


def test_the_nightly_scan_reads_only_the_rows_concerned(pack, make_person):
    """The scan's queries do not grow with the persons or entitlements that have no stop
    due: a fixed number of indexed reads, then the rows concerned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for k in range(3):
        f.entitlement(make_person(name="钟华", birth_date=D(1960, 3, 1), seq=400 + k))
    with CaptureQueriesContext(connection) as few:
        assert services.scan_stops(today=D(2026, 6, 1)) == []
    for k in range(20):
        f.entitlement(make_person(name="钟华", birth_date=D(1960, 3, 1), seq=500 + k))
    with CaptureQueriesContext(connection) as many:
        assert services.scan_stops(today=D(2026, 6, 1)) == []
    assert len(many.captured_queries) == len(few.captured_queries)
    # a death loaded in bulk (no signal) is found by the scan
    dead = make_person(name="钟敏", birth_date=D(1960, 3, 1), seq=600)
    ent = f.entitlement(dead, kind="special_assistance")
    from jisheng.people.models import LifeEvent, Person

    LifeEvent.objects.create(person=dead, kind=EventKind.DEATH, date=D(2026, 2, 1), unit=dead.unit)
    Person.objects.filter(pk=dead.pk).update(status="deceased")
    assert [e.pk for e in services.scan_stops(today=D(2026, 6, 1))] == [ent.pk]
    ent.refresh_from_db()
    assert ent.stopped_on == D(2026, 3, 1)


def test_a_bank_return_marks_the_entitlements_paid_in_bulk(pack, make_person, tree):
    """``mark_cases_paid`` (called by the bank return's import): paid through the latest
    month paid, never back, and an overpayment for a stop found before the payment."""
    living = make_person(name="钱芳", birth_date=D(1960, 3, 1))
    ent = f.entitlement(living, kind="special_assistance", starts_on=D(2025, 1, 1))
    gone = make_person(name="钱国", sex="M", birth_date=D(1958, 3, 1), seq=321)
    his = f.entitlement(gone, kind="special_assistance", starts_on=D(2025, 1, 1))
    batch = f.batch(tree.county, start=D(2026, 1, 1), end=D(2026, 3, 31))
    mine = f.case(
        batch, ent, covers_from=D(2026, 1, 1), covers_to=D(2026, 3, 31), amount="1500", months=3
    )
    theirs = f.case(
        batch, his, covers_from=D(2026, 1, 1), covers_to=D(2026, 3, 31), amount="1500", months=3
    )
    events.event_record(actor=None, person=gone, kind=EventKind.DEATH, date=D(2026, 1, 20))
    assert services.mark_cases_paid(case_ids=[mine.pk, theirs.pk], note="return.xlsx") == 2
    ent.refresh_from_db()
    assert ent.paid_through == D(2026, 3, 31)
    over = Overpayment.objects.get(entitlement=his)
    assert (over.months, over.amount) == (2, Decimal("1000.00"))
    # an older case paid later moves nothing back
    older = f.case(
        f.batch(tree.county, start=D(2025, 10, 1), end=D(2025, 12, 31)),
        ent,
        covers_from=D(2025, 10, 1),
        covers_to=D(2025, 12, 31),
        amount="1500",
        months=3,
    )
    assert services.mark_cases_paid(case_ids=[older.pk]) == 0
    ent.refresh_from_db()
    assert ent.paid_through == D(2026, 3, 31)
