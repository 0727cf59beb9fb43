"""services.selectors: the worklist of a village and of a township on the same data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from jisheng.people import family
from jisheng.people import services as people_services
from jisheng.services import followup, selectors
from jisheng.services.models import FollowUpDue
from jisheng.services.selectors import WorkKind
from tests import factories

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


def married_woman(unit, name, seq, today):
    return factories.person(
        unit,
        name,
        "F",
        D(today.year - 33, 4, 4),
        seq=seq,
        registered_on=D(today.year - 8, 1, 1),
        marital_status="first_marriage",
    )


def group(worklist, kind):
    return next(g for g in worklist.groups if g.kind == kind)


def test_village_and_township_worklists_on_the_same_data(tree, users, today):
    a = married_woman(tree.village_a, "王芳", 1, today)
    b = married_woman(tree.village_b, "李丽", 2, today)
    for person in (a, b):
        followup.method_start(
            actor=None, person=person, method="pill", started_on=D(today.year - 2, 1, 1)
        )
    village = selectors.worklist(users.field_a, today=today)
    town = selectors.worklist(users.town_office, today=today)
    assert group(village, WorkKind.DUE).count == 1  # this month's visit of 王芳
    assert {i.person_name for i in group(village, WorkKind.DUE).items} == {"王芳"}
    assert group(town, WorkKind.DUE).count == 2
    overdue = group(town, WorkKind.OVERDUE)
    assert overdue.count == 2 * 3  # the three months before this one, both women
    assert all(i.late_days > 0 for i in overdue.items)
    assert [i.date for i in overdue.items] == sorted(i.date for i in overdue.items)
    # another village's staff see nothing of 王芳
    assert group(selectors.worklist(users.field_b, today=today), WorkKind.DUE).count == 1
    # a visit clears the item for both
    followup.visit_record(actor=users.field_a, person=a, visited_on=today, way="home")
    assert group(selectors.worklist(users.field_a, today=today), WorkKind.DUE).count == 0
    assert group(selectors.worklist(users.town_office, today=today), WorkKind.DUE).count == 1


def test_the_worklist_reads_the_stored_schedule_not_the_registry(tree, users, today):
    married_woman(tree.village_a, "王芳", 1, today)
    before = selectors.worklist(users.field_a, today=today).total
    assert before > 0
    FollowUpDue.objects.all().delete()  # nothing stored: nothing to do
    assert group(selectors.worklist(users.field_a, today=today), WorkKind.DUE).count == 0


def test_open_transfers_pregnancies_and_newlyweds(tree, users, today):
    worker = factories.person(tree.village_a, "赵强", "M", D(1980, 1, 1), seq=3)
    people_services.event_record(
        actor=None, person=worker, kind="leave_employment", date=today - dt.timedelta(days=3)
    )
    woman = married_woman(tree.village_a, "王芳", 1, today)
    family.pregnancy_register(
        actor=None,
        woman=woman,
        registered_on=today - dt.timedelta(days=200),
        expected_on=today + dt.timedelta(days=10),
    )
    bride = factories.person(
        tree.village_a, "孙梅", "F", D(today.year - 25, 1, 1), seq=4, registered_on=D(2020, 1, 1)
    )
    groom = factories.person(
        tree.village_a, "周军", "M", D(today.year - 27, 1, 1), seq=5, registered_on=D(2020, 1, 1)
    )
    family.couple_create(
        actor=None, married_on=today - dt.timedelta(days=5), wife=bride, husband=groom
    )
    work = selectors.worklist(users.field_a, today=today)
    assert [i.person_name for i in group(work, WorkKind.TRANSFER).items] == ["赵强"]
    assert [i.person_name for i in group(work, WorkKind.PREGNANCY).items] == ["王芳"]
    assert {i.person_name for i in group(work, WorkKind.NEWLYWED).items} == {"孙梅", "周军"}
    # guidance given: the newlywed leaves the list
    followup.visit_record(actor=None, person=bride, visited_on=today, way="home")
    work = selectors.worklist(users.field_a, today=today)
    assert {i.person_name for i in group(work, WorkKind.NEWLYWED).items} == {"周军"}
    assert group(selectors.worklist(users.field_b, today=today), WorkKind.TRANSFER).count == 0


def followup_rate(unit, year: int) -> tuple[float, float]:
    """The catalogue's 随访率 of ``unit`` for ``year`` (the one definition: issue 14 removed
    the selector that computed it a second way)."""
    from jisheng.core.periods import parse
    from jisheng.indicators import catalogue, engine

    (row,) = engine.compute([catalogue.get("followup_rate")], unit, parse(str(year)), engine.SELF)
    value = row.values["followup_rate"]
    return value.numerator, value.denominator


def test_followup_rate_counts_on_time_visits(tree, users, today):
    woman = married_woman(tree.village_a, "王芳", 1, today)
    followup.method_start(
        actor=None, person=woman, method="pill", started_on=D(today.year - 2, 1, 1)
    )
    last_year = today.year - 1
    assert followup_rate(tree.county, last_year) == (0, 12)
    followup.visit_record(actor=None, person=woman, visited_on=D(today.year - 1, 3, 9), way="home")
    followup.visit_record(actor=None, person=woman, visited_on=D(today.year - 1, 5, 2), way="phone")
    assert followup_rate(tree.county, last_year) == (2, 12)
    assert followup_rate(tree.village_b, last_year) == (0, 0)
    assert not hasattr(selectors, "followup_rate")


def test_newborns_past_their_registration_deadline(tree, users, today, client):
    from django.urls import reverse

    mother = married_woman(tree.village_a, "王芳", 1, today)
    late = family.birth_record(
        actor=None,
        mother=mother,
        date=today - dt.timedelta(days=45),
        sex="F",
        child_name="小芳",
        register_child=False,
    )
    family.birth_record(
        actor=None,
        mother=married_woman(tree.village_a, "李丽", 2, today),
        date=today - dt.timedelta(days=10),  # not yet due
        sex="M",
        child_name="小明",
        register_child=False,
    )
    work = selectors.worklist(users.field_a, today=today)
    items = group(work, WorkKind.REGISTRATION).items
    assert [(i.person_name, i.late_days) for i in items] == [("王芳", 15)]
    assert items[0].url == reverse("people:birth_detail", args=[late.pk])
    assert group(selectors.worklist(users.field_b, today=today), WorkKind.REGISTRATION).count == 0
    # registering the child clears it (through the birth page)
    client.force_login(users.field_a)
    url = reverse("people:birth_register_child", args=[late.pk])
    assert "小芳" in client.get(url).content.decode()
    response = client.post(url, {"child_name": "小芳", "child_id_number": ""})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.child is not None and late.child.unit == mother.unit
    assert group(selectors.worklist(users.field_a, today=today), WorkKind.REGISTRATION).count == 0
    with pytest.raises(ValidationError):
        family.birth_register_child(actor=None, birth=late)
    # out of scope: 404
    client.force_login(users.field_b)
    assert client.get(url).status_code == 404


def test_register_child_bad_input(tree, today):
    mother = married_woman(tree.village_a, "王芳", 1, today)
    birth = family.birth_record(
        actor=None, mother=mother, date=today - dt.timedelta(days=40), sex="F",
        child_name="小芳", register_child=False,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        family.birth_register_child(actor=None, birth=birth, child_id_number="110105201501010000")
    assert "child_id_number" in exc.value.message_dict
    birth.refresh_from_db()
    assert birth.child_id is None
