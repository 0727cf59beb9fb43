"""Sample verification (抽查): the reproducible draw, the ledger snapshot, the field
entry and its verdict, closing, the results by unit (信息准确率, 水分), bad input and scope.

Hand-built ledger (married women aged 15–49, resident, today):
甲村 (village A): a1 IUD 1 child, a2 pill 2 children, a3 no method 0 children,
a4 implant 1 child; plus a single woman, a man and an out-migrant (married) woman.
乙村 (village B): b1 condom 0 children, b2 IUD 1 child.
"""

from __future__ import annotations

import datetime
import decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jisheng.core.models import AuditEvent
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind, MaritalStatus, PersonStatus
from jisheng.people.family import birth_record
from jisheng.reports import verification as v
from jisheng.reports.models import Verification, VerificationFrame, VerificationRecord
from jisheng.services.followup import method_start
from tests import factories

D = datetime.date
MARRIED = MaritalStatus.FIRST_MARRIAGE


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (the interface language in tests is zh-hans)."""
    with translation.override("en"):
        yield


@pytest.fixture
def ledger(tree):
    a, b = tree.village_a, tree.village_b
    seq = iter(range(500, 900))

    def woman(unit, name, born=None, **extra):
        extra.setdefault("marital_status", MARRIED)
        born = born or D(1990, 5, 17)
        return factories.person(unit, name=name, sex="F", birth_date=born, seq=next(seq), **extra)

    a1 = woman(a, "甲一")
    a2 = woman(a, "甲二", D(1986, 3, 2))
    a3 = woman(a, "甲三", D(1995, 1, 9))
    a4 = woman(a, "甲四", D(1992, 7, 1))
    single = woman(a, "甲单", D(2000, 1, 1), marital_status=MaritalStatus.SINGLE)
    man = factories.person(a, name="甲男", sex="M", birth_date=D(1988, 4, 4), seq=next(seq))
    away = woman(a, "甲外", status=PersonStatus.OUT_MIGRANT)
    b1 = woman(b, "乙一", D(1993, 2, 2))
    b2 = woman(b, "乙二", D(1989, 9, 9))
    method_start(actor=None, person=a1, method="iud", started_on=D(2021, 3, 1))
    method_start(actor=None, person=a2, method="pill", started_on=D(2024, 1, 1))
    method_start(actor=None, person=a4, method="implant", started_on=D(2023, 6, 1))
    method_start(actor=None, person=b1, method="condom", started_on=D(2025, 1, 1))
    method_start(actor=None, person=b2, method="iud", started_on=D(2019, 1, 1))
    for mother, day in ((a1, D(2018, 1, 1)), (a2, D(2012, 1, 1)), (a2, D(2016, 1, 1))):
        birth_record(actor=None, mother=mother, date=day, sex="F", register_child=False)
    birth_record(actor=None, mother=a4, date=D(2020, 2, 2), sex="M", register_child=False)
    birth_record(actor=None, mother=b2, date=D(2015, 5, 5), sex="M", register_child=False)
    return SimpleNamespace(
        a=a, b=b, a1=a1, a2=a2, a3=a3, a4=a4, single=single, man=man, away=away, b1=b1, b2=b2
    )


def draw(tree, size=6, seed=42, unit=None, actor=None, **kw):
    return v.verification_create(actor=actor, unit=unit or tree.town, size=size, seed=seed, **kw)


def by_person(check):
    return {r.person_id: r for r in check.records.all()}


def enter(record, *, present=True, marital=None, method=None, children=None, **kw):
    return v.record_result(
        actor=kw.pop("actor", None),
        record=record,
        present=present,
        marital_status=record.ledger_marital_status if marital is None else marital,
        method=record.ledger_method if method is None else method,
        children=record.ledger_children if children is None else children,
        **kw,
    )


# --------------------------------------------------------------------------- the draw


def test_frames(ledger, tree):
    today = timezone.localdate()
    married = v.frame_ids(tree.town, VerificationFrame.MARRIED_WRA, today)
    assert set(married) == {
        p.pk for p in (ledger.a1, ledger.a2, ledger.a3, ledger.a4, ledger.b1, ledger.b2)
    }
    assert married == sorted(married)
    wra = v.frame_ids(tree.town, VerificationFrame.WRA, today)
    assert set(wra) == set(married) | {ledger.single.pk}  # not the out-migrant, not the man
    residents = v.frame_ids(ledger.a, VerificationFrame.RESIDENTS, today)
    assert ledger.man.pk in residents and ledger.away.pk not in residents
    assert v.frame_ids(tree.community, VerificationFrame.RESIDENTS, today) == []


def test_sample_ids_depend_on_the_set_the_size_and_the_seed_only():
    ids = [9, 3, 7, 1, 5, 11, 13]
    assert v.sample_ids(ids, 4, 7) == v.sample_ids(sorted(ids), 4, 7)
    assert v.sample_ids(ids, 4, 7) == v.sample_ids(list(reversed(ids)), 4, 7)
    assert len(set(v.sample_ids(ids, 7, 1))) == 7
    assert v.sample_ids(ids, 4, 7) != v.sample_ids(ids, 4, 8)


def test_the_same_seed_gives_the_same_sample(ledger, tree):
    first = draw(tree, size=4, seed=2026)
    again = draw(tree, size=4, seed=2026)
    order = lambda c: list(c.records.order_by("position").values_list("person_id", flat=True))  # noqa: E731
    assert order(first) == order(again)
    assert first.frame_digest == again.frame_digest and first.population == 6
    other = draw(tree, size=4, seed=7)
    assert order(other) != order(first)
    assert v.sample_reproduces(first) is True
    # the frame changes (a new married woman): the same seed would no longer be comparable
    factories.person(
        ledger.a, name="甲新", birth_date=D(1994, 4, 4), seq=901, marital_status=MARRIED
    )
    assert v.sample_reproduces(first) is None


def test_a_random_seed_is_stored_when_none_is_given(ledger, tree):
    check = v.verification_create(actor=None, unit=tree.town, size=3)
    assert 0 <= check.seed < v.SEED_MAX
    assert v.sample_reproduces(check) is True


def test_the_ledger_is_snapshotted_at_the_draw(ledger, tree):
    check = draw(tree, size=6)
    assert check.records.count() == 6
    rows = by_person(check)
    a1, a2, a3, a4, b1 = (
        rows[p.pk] for p in (ledger.a1, ledger.a2, ledger.a3, ledger.a4, ledger.b1)
    )
    assert (a1.ledger_method, a1.ledger_children, a1.unit_id) == ("iud", 1, ledger.a.pk)
    assert (a2.ledger_method, a2.ledger_children) == ("pill", 2)
    assert (a3.ledger_method, a3.ledger_children) == ("none", 0)  # no method recorded: 无
    assert (a4.ledger_method, a4.ledger_children) == ("implant", 1)
    assert b1.unit_id == ledger.b.pk and b1.ledger_marital_status == MARRIED and b1.ledger_wra
    # a change to the registry afterwards does not move the snapshot
    method_start(actor=None, person=ledger.a3, method="condom", started_on=timezone.localdate())
    assert VerificationRecord.objects.get(pk=a3.pk).ledger_method == "none"


def test_a_percentage_is_rounded_up(ledger, tree):
    check = v.verification_create(actor=None, unit=tree.town, percent=decimal.Decimal("30"), seed=1)
    assert check.records.count() == 2  # 30 % of 6 = 1.8 → 2
    assert check.requested_percent == decimal.Decimal("30.00") and check.requested_size is None


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"size": 0}, "size", "at least one"),
        ({"size": -3}, "size", "at least one"),
        ({"size": 7}, "size", "larger than the records"),
        ({"size": None}, "size", "number of records or a percentage"),
        ({"size": 2, "percent": decimal.Decimal(10)}, "size", "not both"),
        ({"size": None, "percent": decimal.Decimal(0)}, "percent", "more than 0"),
        ({"size": None, "percent": decimal.Decimal("100.5")}, "percent", "more than 0"),
        ({"size": 2, "seed": -1}, "seed", "seed"),
        ({"size": 2, "frame": "everyone"}, "frame", "list"),
    ],
)
def test_bad_draws_are_refused(ledger, tree, kwargs, field, text):
    with pytest.raises(ValidationError) as exc:
        v.verification_create(actor=None, unit=tree.town, **kwargs)
    assert field in exc.value.message_dict
    assert text in " ".join(exc.value.message_dict[field])
    assert not Verification.objects.exists()


def test_a_unit_without_records_cannot_be_sampled(ledger, tree):
    with pytest.raises(ValidationError) as exc:
        draw(tree, size=1, unit=tree.community)
    assert "unit" in exc.value.message_dict


def test_a_sample_is_capped(ledger, tree, monkeypatch):
    monkeypatch.setattr(v, "MAX_SAMPLE", 3)
    with pytest.raises(ValidationError) as exc:
        draw(tree, size=4)
    assert "at most 3" in exc.value.message_dict["size"][0]


def test_drawing_outside_the_scope_is_refused_and_audited(ledger, tree, users):
    with pytest.raises(PermissionDenied):
        draw(tree, size=1, unit=tree.street, actor=users.town_office)
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()
    assert not Verification.objects.exists()


def test_the_draw_is_audited(ledger, tree, users):
    check = draw(tree, size=2, seed=99, actor=users.office)
    event = AuditEvent.objects.get(action="create", object_type="reports.verification")
    assert event.object_id == str(check.pk) and event.changes["seed"] == [None, 99]
    assert event.changes["population"] == [None, 6]
    assert check.created_by == users.office


# --------------------------------------------------------------------------- the field check


def test_the_verdict_follows_the_values(ledger, tree, users):
    check = draw(tree, size=6)
    rows = by_person(check)
    same = enter(rows[ledger.a1.pk], actor=users.office)
    assert same.accurate is True and same.checked_by == users.office
    assert same.checked_on == timezone.localdate()
    assert enter(rows[ledger.a2.pk], method="none").accurate is False
    assert enter(rows[ledger.a3.pk], children=1).accurate is False
    assert enter(rows[ledger.a4.pk], marital=MaritalStatus.DIVORCED).accurate is False
    gone = enter(rows[ledger.b1.pk], present=False, note="已搬走")
    assert gone.accurate is False
    assert (gone.field_marital_status, gone.field_method, gone.field_children) == ("", "", None)
    # corrected while the check is open
    assert enter(rows[ledger.a2.pk]).accurate is True
    assert (
        AuditEvent.objects.filter(action="update", object_type="reports.verificationrecord").count()
        == 6
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"present": None}, "field_present"),
        ({"marital": "engaged"}, "field_marital_status"),
        ({"method": ""}, "field_method"),
        ({"children": -1}, "field_children"),
        ({"children": 21}, "field_children"),
        ({"checked_on": D(2999, 1, 1)}, "checked_on"),
        ({"checked_on": D(2000, 1, 1)}, "checked_on"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_bad_results_are_refused(ledger, tree, values, field):
    check = draw(tree, size=1)
    record = check.records.get()
    with pytest.raises(ValidationError) as exc:
        enter(record, **values)
    assert field in exc.value.message_dict
    record.refresh_from_db()
    assert record.checked_on is None and record.accurate is None


def test_children_must_be_given_for_a_person_found(ledger, tree):
    record = draw(tree, size=1).records.get()
    with pytest.raises(ValidationError) as exc:
        v.record_result(
            actor=None, record=record, present=True, marital_status=MARRIED, method="iud"
        )
    assert "field_children" in exc.value.message_dict


def test_closing_freezes_the_results(ledger, tree, users):
    check = draw(tree, size=3)
    first, second, _third = check.records.order_by("position")
    with pytest.raises(ValidationError, match="No record has been checked"):
        v.verification_close(actor=users.office, verification=check)
    enter(first)
    closed = v.verification_close(actor=users.office, verification=check)
    assert closed.status == Verification.Status.CLOSED and closed.closed_by == users.office
    with pytest.raises(ValidationError, match="closed"):
        enter(second)
    with pytest.raises(ValidationError, match="closed"):
        enter(first, method="none")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.accurate is True and second.checked_on is None
    with pytest.raises(ValidationError, match="already closed"):
        v.verification_close(actor=users.office, verification=check)
    assert (
        AuditEvent.objects.filter(
            action="update", object_type="reports.verification", object_id=str(check.pk)
        ).count()
        == 1
    )


def test_results_of_another_unit_cannot_be_entered(ledger, tree, users):
    check = draw(tree, size=1, unit=tree.county)
    with pytest.raises(PermissionDenied):
        enter(check.records.get(), actor=users.town_office)
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()


# --------------------------------------------------------------------------- results


def test_results_by_unit(ledger, tree):
    check = draw(tree, size=6)
    rows = by_person(check)
    enter(rows[ledger.a1.pk])  # accurate
    enter(rows[ledger.a2.pk], method="none", children=1)  # uses no method, 1 child
    enter(rows[ledger.a3.pk])  # accurate
    enter(rows[ledger.a4.pk], present=False)  # not found
    enter(rows[ledger.b1.pk])  # accurate; b2 not checked
    results = v.results_by_unit(check)
    assert [r.unit.code for r in results.rows] == [ledger.a.code, ledger.b.code]
    a, b = results.rows
    assert (a.records, a.checked, a.accurate, a.accuracy) == (4, 4, 2, 50.0)
    assert (b.records, b.checked, b.accurate, b.accuracy) == (2, 1, 1, 100.0)
    total = results.total
    assert (total.records, total.checked, total.accurate, total.accuracy) == (6, 5, 3, 60.0)
    f = a.figures
    assert (f["present"].ledger, f["present"].field, f["present"].gap) == (4, 3, 25.0)
    assert (f["married_wra"].ledger, f["married_wra"].field) == (4, 3)
    # a1 IUD, a2 pill, a4 implant in the ledger; the field finds a1 only (a2 none, a4 gone)
    assert (f["with_method"].ledger, f["with_method"].field) == (3, 1)
    assert f["with_method"].gap == pytest.approx(66.7)
    assert (f["long_acting"].ledger, f["long_acting"].field) == (2, 1)
    assert (f["children"].ledger, f["children"].field, f["children"].gap) == (4, 2, 50.0)
    # rolled up: b1's condom adds to both sides; b2 (unchecked) counts nowhere
    assert (total.figures["with_method"].ledger, total.figures["with_method"].field) == (4, 2)
    assert total.figures["children"].ledger == 4
    # drilled down to village A: its own row
    down = v.results_by_unit(check, ledger.a)
    assert [r.unit for r in down.rows] == [ledger.a] and down.total.accuracy == 50.0
    with pytest.raises(ValueError):
        v.results_by_unit(check, tree.street)


def test_results_without_checks_are_undefined(ledger, tree):
    results = v.results_by_unit(draw(tree, size=2))
    assert results.total.accuracy is None
    assert all(f.gap is None for f in results.total.figure_list)
    assert v.Figure("x", "x", ledger=0, field=3).gap is None
    assert v.Figure("x", "x", ledger=4, field=5).gap == -25.0  # the field finds more


def test_records_of_filters(ledger, tree):
    check = draw(tree, size=6)
    assert v.records_of(check, unit=ledger.b).count() == 2
    enter(check.records.order_by("position").first())
    assert v.records_of(check, unchecked_only=True).count() == 5
    assert list(v.records_of(check, q="乙一").values_list("person_id", flat=True)) == [ledger.b1.pk]


def test_lists_and_gets_are_scoped(ledger, tree, users):
    county = draw(tree, size=1, unit=tree.county)
    town = draw(tree, size=1, unit=tree.town)
    assert list(v.verification_list(users.town_office)) == [town]
    assert set(v.verification_list(users.office)) == {county, town}
    assert v.verification_get(users.town_office, town.pk) == town
    from django.http import Http404

    with pytest.raises(Http404):
        v.verification_get(users.town_office, county.pk)
    with pytest.raises(Http404):
        v.record_get(users.town_office, county.records.get().pk)
    assert AuditEvent.objects.filter(action="denied", username="town_office").count() == 2
    with pytest.raises(Http404):
        v.record_get(users.office, "x")


def test_a_move_after_the_draw_keeps_the_record_in_its_unit(ledger, tree):
    check = draw(tree, size=6)
    people_services.event_record(
        actor=None,
        person=ledger.a1,
        kind=EventKind.INTERNAL_TRANSFER,
        date=timezone.localdate(),
        data={"unit": ledger.b},
    )
    enter(by_person(check)[ledger.a1.pk])
    assert by_person(check)[ledger.a1.pk].unit_id == ledger.a.pk
    a = v.results_by_unit(check).rows[0]
    assert a.unit == ledger.a and a.checked == 1
