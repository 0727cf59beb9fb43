"""services.services: methods, visits and the stored schedule kept in step with history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jisheng.core.models import AuditEvent
from jisheng.people import services as people_services
from jisheng.services import followup
from jisheng.services.choices import DueKind
from jisheng.services.models import ContraceptionRecord, FollowUpDue
from tests import factories

D = dt.date
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def wife(tree):
    """A married woman of 36 in village A, registered ten years ago."""
    return factories.person(
        tree.village_a,
        "王芳",
        "F",
        D(TODAY.year - 36, 3, 1),
        seq=1,
        registered_on=D(TODAY.year - 10, 1, 1),
        marital_status="first_marriage",
    )


def due(person, kind=DueKind.METHOD):
    return list(FollowUpDue.objects.filter(person=person, kind=kind).order_by("due_on"))


def this_year_start():
    return D(TODAY.year, 1, 1)


def test_a_married_woman_without_method_is_due_every_quarter(wife):
    followup.schedule_rebuild(wife)
    items = due(wife)
    assert {i.method for i in items} == {"none"}
    assert len(items) == 8  # last year and this year, a visit a quarter
    assert all(i.unit_id == wife.unit_id for i in items)


def test_registration_builds_the_schedule_through_the_history_signal(wife):
    assert len(due(wife)) == 8


def test_starting_the_pill_changes_the_schedule_to_monthly(wife):
    start = D(TODAY.year - 1, 1, 15)
    followup.method_start(
        actor=None,
        person=wife,
        method="pill",
        started_on=start,
        explained_by="褚海燕",
        options_offered=["pill", "iud", "condom"],
        told_other_methods=True,
        told_side_effects=True,
        told_what_to_do=True,
    )
    items = due(wife)
    pill = [i for i in items if i.method == "pill"]
    assert pill[0].starts_on == D(TODAY.year - 1, 2, 1)
    assert len(pill) == 23
    record = ContraceptionRecord.objects.get(person=wife)
    assert record.mii_complete and record.informed
    assert AuditEvent.objects.filter(action="create", object_type="services.contraceptionrecord")


def test_a_method_change_ends_the_previous_one_and_void_restores_it(wife):
    first = followup.method_start(
        actor=None, person=wife, method="iud", started_on=D(TODAY.year - 3, 5, 1)
    )
    second = followup.method_start(
        actor=None,
        person=wife,
        method="implant",
        started_on=D(TODAY.year - 1, 2, 10),
        reason="side_effects",
    )
    first.refresh_from_db()
    assert first.ended_on == second.started_on
    # an operation: visits after it
    assert due(wife, DueKind.AFTER_SURGERY)
    followup.method_void(actor=None, record=second, reason="录错了")
    first.refresh_from_db()
    assert first.ended_on is None
    assert {i.method for i in due(wife)} == {"iud"}
    assert not due(wife, DueKind.AFTER_SURGERY)  # the IUD was inserted before the horizon


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"method": "magic"}, "method", "from the list"),
        ({"started_on": TODAY + dt.timedelta(days=1)}, "started_on", "future"),
        ({"started_on": D(1900, 1, 1)}, "started_on", "before the person's birth"),
        ({"reason": "whim"}, "reason", "from the list"),
        ({"options_offered": ["pill", "potion"]}, "options_offered", "from the list"),
        ({"method": "none"}, "method", "no method to stop"),
    ],
)
def test_method_bad_input(wife, kwargs, field, text):
    values = {"method": "pill", "started_on": D(TODAY.year, 1, 2), **kwargs}
    with pytest.raises(ValidationError) as exc:
        followup.method_start(actor=None, person=wife, **values)
    assert text in " ".join(exc.value.message_dict[field])
    assert not ContraceptionRecord.objects.exists()


def test_a_new_method_must_start_after_the_current_one(wife):
    followup.method_start(actor=None, person=wife, method="pill", started_on=D(TODAY.year, 1, 10))
    with pytest.raises(ValidationError, match="must start after it"):
        followup.method_start(actor=None, person=wife, method="iud", started_on=D(TODAY.year, 1, 5))
    with pytest.raises(ValidationError, match="already uses"):
        followup.method_start(
            actor=None, person=wife, method="pill", started_on=D(TODAY.year, 1, 20)
        )


def test_only_the_latest_record_can_be_voided(wife):
    first = followup.method_start(
        actor=None, person=wife, method="pill", started_on=D(TODAY.year - 1, 1, 10)
    )
    followup.method_start(actor=None, person=wife, method="iud", started_on=D(TODAY.year, 1, 10))
    with pytest.raises(ValidationError, match="latest"):
        followup.method_void(actor=None, record=first, reason="x")
    with pytest.raises(ValidationError):
        followup.method_void(actor=None, record=first, reason=" ")


def test_a_visit_does_the_item_of_its_period(wife):
    items = due(wife)
    target = items[0]
    visit = followup.visit_record(
        actor=None, person=wife, visited_on=target.starts_on + dt.timedelta(days=3), way="home"
    )
    target.refresh_from_db()
    assert (target.visit_id, target.done_on, target.on_time) == (
        visit.pk,
        visit.visited_on,
        True,
    )
    followup.visit_void(actor=None, visit=visit, reason="重复录入")
    target.refresh_from_db()
    assert target.visit_id is None and target.done_on is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"visited_on": TODAY + dt.timedelta(days=1)}, "visited_on"),
        ({"way": "telepathy"}, "way"),
        ({"method_in_use": "magic"}, "method_in_use"),
        ({"satisfaction": "ecstatic"}, "satisfaction"),
    ],
)
def test_visit_bad_input(wife, kwargs, field):
    values = {"visited_on": TODAY, "way": "phone", **kwargs}
    with pytest.raises(ValidationError) as exc:
        followup.visit_record(actor=None, person=wife, **values)
    assert field in exc.value.message_dict


def test_moving_out_drops_the_items_after_the_move(wife):
    before = len(due(wife))
    moved = D(TODAY.year - 1, 5, 10)
    people_services.event_record(
        actor=None, person=wife, kind="flow_out", date=moved, data={"to": "广东省"}
    )
    items = due(wife)
    assert len(items) < before
    assert all(i.due_on < moved for i in items)


def test_divorce_stops_and_remarriage_restarts(wife):
    people_services.event_record(
        actor=None, person=wife, kind="divorce", date=D(TODAY.year - 1, 2, 10)
    )
    assert all(i.due_on < D(TODAY.year - 1, 2, 10) for i in due(wife))


def test_a_birth_brings_a_post_partum_visit(wife):
    from jisheng.people import family

    day = D(TODAY.year, 1, 3) if D(TODAY.year, 2, 20) <= TODAY else D(TODAY.year - 1, 11, 3)
    family.birth_record(actor=None, mother=wife, date=day, sex="F", child_name="小芳")
    items = due(wife, DueKind.AFTER_DELIVERY)
    assert [i.due_on for i in items] == [day + dt.timedelta(days=42)]


def test_scope(users, wife, tree):
    with pytest.raises(PermissionDenied):
        followup.method_start(
            actor=users.field_b, person=wife, method="pill", started_on=D(TODAY.year, 1, 2)
        )
    with pytest.raises(PermissionDenied):
        followup.visit_record(actor=users.field_b, person=wife, visited_on=TODAY, way="home")
    assert AuditEvent.objects.filter(action="denied").count() == 2


def test_rebuild_all_gives_what_the_incremental_rebuild_gives(tree, wife):
    other = factories.person(
        tree.village_b,
        "李丽",
        "F",
        D(TODAY.year - 30, 6, 1),
        seq=2,
        registered_on=D(TODAY.year - 5, 1, 1),
        marital_status="remarried",
    )
    followup.method_start(actor=None, person=other, method="pill", started_on=D(TODAY.year, 1, 2))
    followup.visit_record(actor=None, person=wife, visited_on=D(TODAY.year, 1, 2), way="home")
    factories.person(tree.village_b, "张强", "M", D(1980, 1, 1), seq=3)

    def snapshot():
        return sorted(
            FollowUpDue.objects.values_list(
                "person_id", "kind", "starts_on", "due_on", "unit_id", "visit_id", "done_on"
            )
        )

    incremental = snapshot()
    FollowUpDue.objects.all().delete()
    assert followup.schedules_rebuild_all() == len(incremental)
    assert snapshot() == incremental


def test_the_bulk_pack_resolver_agrees_with_pack_for(tree, wife):
    from jisheng.policy.services import PACKS_DIR, pack_load
    from jisheng.services.followup import _pack_resolver, pack_for

    text = (PACKS_DIR / "mine-2005.yaml").read_text(encoding="utf-8")
    pack_load(actor=None, text=text, unit=tree.mine)
    miner = factories.person(tree.village_b, "赵刚", "M", D(1985, 1, 1), seq=9, employer=tree.shaft)
    resolve = _pack_resolver(TODAY)
    for person in (wife, miner):
        person.refresh_from_db()
        assert resolve(person.unit_id, person.employer_id) == pack_for(person, TODAY)
    assert pack_for(miner, TODAY).id == "mine-2005"
    assert pack_for(wife, TODAY).id == "default-2026"


def test_a_first_build_without_indexes_gives_the_same_rows(tree, wife, monkeypatch):
    from jisheng.services import followup as module

    factories.person(
        tree.village_b, "李丽", "F", D(TODAY.year - 30, 6, 1), seq=2, marital_status="remarried"
    )
    expected = sorted(FollowUpDue.objects.values_list("person_id", "kind", "starts_on", "due_on"))
    FollowUpDue.objects.all().delete()
    monkeypatch.setattr(module, "FIRST_BUILD_MIN", 1)
    assert followup.schedules_rebuild_all(batch=1) == len(expected)
    got = sorted(FollowUpDue.objects.values_list("person_id", "kind", "starts_on", "due_on"))
    assert got == expected
    # the indexes are back
    from django.db import connection

    with connection.cursor() as cursor:
        names = {
            c["name"] if isinstance(c, dict) else c
            for c in connection.introspection.get_constraints(cursor, "services_followupdue")
        }
    assert {"services_due_unit", "services_due_open", "services_due_unique"} <= names


def test_rebuild_all_keeps_visits_after_a_birth_just_before_the_horizon(tree):
    """Candidates are read by age and by events: a mother outside the target ages whose
    delivery was in the last days before the horizon still has her post-partum visit."""
    from jisheng.people import family

    mother = factories.person(
        tree.village_a, "周红", "F", D(TODAY.year - 52, 1, 1), seq=7,
        registered_on=D(TODAY.year - 10, 1, 1),
    )  # fmt: skip
    family.birth_record(
        actor=None, mother=mother, date=D(TODAY.year - 2, 12, 20), sex="M", child_name="周强"
    )
    expected = sorted(FollowUpDue.objects.filter(person=mother).values_list("kind", "due_on"))
    assert expected == [("after_delivery", D(TODAY.year - 1, 1, 31))]
    FollowUpDue.objects.all().delete()
    followup.schedules_rebuild_all()
    got = sorted(FollowUpDue.objects.filter(person=mother).values_list("kind", "due_on"))
    assert got == expected


# --------------------------------------------------------------------------- issue 14: pack keys


@pytest.fixture
def street_pack(tree):
    from jisheng.policy.services import PACKS_DIR, pack_load

    text = (PACKS_DIR / "street-2025.yaml").read_text(encoding="utf-8")
    pack_load(actor=None, text=text, unit=tree.street)


@pytest.fixture
def pill_user(tree, street_pack):
    """A married woman of 30 in the street's community using the pill (monthly visits,
    face to face under street-2025)."""
    person = factories.person(
        tree.community, "陈静", "F", D(TODAY.year - 30, 3, 1), seq=3,
        registered_on=D(TODAY.year - 10, 1, 1), marital_status="first_marriage",
    )  # fmt: skip
    followup.method_start(
        actor=None, person=person, method="pill", started_on=D(TODAY.year - 3, 1, 1)
    )
    return person


def this_month(person):
    return FollowUpDue.objects.get(
        person=person, kind=DueKind.METHOD, starts_on=TODAY.replace(day=1)
    )


def test_a_phone_call_leaves_a_face_to_face_visit_open(pill_user):
    followup.visit_record(actor=None, person=pill_user, visited_on=TODAY, way="phone")
    assert this_month(pill_user).done_on is None
    followup.visit_record(actor=None, person=pill_user, visited_on=TODAY, way="home")
    assert this_month(pill_user).done_on == TODAY


def test_a_phone_visit_for_a_face_to_face_item_is_refused(pill_user):
    item = this_month(pill_user)
    with pytest.raises(ValidationError) as caught:
        followup.visit_record(
            actor=None, person=pill_user, visited_on=TODAY, way="phone", for_due=item
        )
    assert "face to face" in caught.value.message_dict["way"][0]
    # another day agreed by phone is not a visit: allowed
    followup.visit_record(
        actor=None, person=pill_user, visited_on=TODAY, way="phone", for_due=item,
        appointment_on=TODAY + dt.timedelta(days=3),
    )  # fmt: skip
    followup.visit_record(
        actor=None, person=pill_user, visited_on=TODAY, way="workplace", for_due=item
    )
    assert this_month(pill_user).done_on == TODAY


def test_a_phone_visit_still_does_an_item_that_asks_for_no_particular_way(wife):
    followup.visit_record(actor=None, person=wife, visited_on=TODAY, way="phone")
    assert any(i.done_on == TODAY for i in due(wife))


def test_employees_of_the_mine_are_visited_quarterly_whatever_the_method(tree):
    from jisheng.policy.services import PACKS_DIR, pack_load

    text = (PACKS_DIR / "mine-2005.yaml").read_text(encoding="utf-8")
    monthly = text.replace("pill: {every_months: 3, face_to_face: true}",
                           "pill: {every_months: 1, face_to_face: true}")  # fmt: skip
    assert monthly != text
    pack_load(actor=None, text=monthly, unit=tree.mine)
    born = D(TODAY.year - 30, 3, 1)
    worker = factories.person(
        tree.shaft, "孙丽", "F", born, seq=4, registered_on=D(TODAY.year - 10, 1, 1),
        marital_status="first_marriage", employer=tree.shaft,
    )  # fmt: skip
    followup.method_start(
        actor=None, person=worker, method="pill", started_on=D(TODAY.year - 3, 1, 1)
    )
    items = due(worker)
    assert len(items) == 8 and {i.starts_on.month for i in items} <= {1, 4, 7, 10}
    # the nightly rebuild derives the same
    FollowUpDue.objects.all().delete()
    followup.schedules_rebuild_all()
    assert [(i.starts_on, i.due_on) for i in due(worker)] == [
        (i.starts_on, i.due_on) for i in items
    ]


def test_the_nightly_rebuild_also_leaves_face_to_face_items_open_after_a_call(pill_user):
    followup.visit_record(actor=None, person=pill_user, visited_on=TODAY, way="phone")
    FollowUpDue.objects.all().delete()
    followup.schedules_rebuild_all()
    assert this_month(pill_user).done_on is None


def test_pack_for_and_the_bulk_resolver_are_one_resolver(tree, street_pack):
    """Issue 14 item 9: pack_for is the bulk resolver asked about one person (two small
    queries, then the parsed pack from its cache), and they agree on the cases: a work
    unit with its own pack wins; a work unit without one falls back to where she lives
    (her unit's nearest ancestor with a pack, else the default)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jisheng.policy.services import PACKS_DIR, pack_load
    from jisheng.services.followup import _pack_resolver, pack_for

    pack_load(actor=None, text=(PACKS_DIR / "mine-2005.yaml").read_text("utf-8"), unit=tree.mine)
    cases = {
        "street-2025": factories.person(tree.community, "甲", "F", D(1990, 1, 1), seq=21),
        "mine-2005": factories.person(
            tree.community, "乙", "F", D(1990, 1, 1), seq=22, employer=tree.shaft
        ),
        "default-2026": factories.person(
            tree.village_a, "丙", "F", D(1990, 1, 1), seq=23, employer=tree.town
        ),
    }
    resolve = _pack_resolver(TODAY)
    for expected, person in cases.items():
        person.refresh_from_db()
        assert pack_for(person, TODAY).id == expected
        assert resolve(person.unit_id, person.employer_id).id == expected
    with CaptureQueriesContext(connection) as queries:
        pack_for(cases["mine-2005"], TODAY)
    assert len(queries) <= 2


def test_the_face_to_face_refusal_is_in_chinese(pill_user):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        followup.visit_record(
            actor=None, person=pill_user, visited_on=TODAY, way="phone",
            for_due=this_month(pill_user),
        )  # fmt: skip
    assert "当面" in caught.value.message_dict["way"][0]
