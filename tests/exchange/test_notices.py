"""Two-way notification inside one system (issue 17): each event of an in-migrant makes
its notice in the event's transaction (and nothing for a resident who is not one); the
inbox and outbox; the reply; the visit notified to her home office; a notice waiting for
its receiver; scope (denied and audited); the worklist; the indicators 通报率 and 反馈率."""

from __future__ import annotations

import datetime
import sys
import types

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.exchange import selectors, services, worklist
from jisheng.exchange.models import Direction, Notice, NoticeKind, NoticeStatus
from jisheng.floating.choices import ArrivalStatus, OutflowStatus
from jisheng.floating.models import Outflow
from jisheng.indicators import catalogue, engine
from jisheng.migrants.services import check_record
from jisheng.people import family
from jisheng.services import followup
from tests.exchange.conftest import OUTSIDE_CODE, TODAY

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def kinds(person) -> list[str]:
    return list(Notice.objects.filter(person=person).order_by("id").values_list("kind", flat=True))


def test_registration_is_notified_to_the_home_township(world):
    notice = Notice.objects.get(person=world.liu)
    assert notice.kind == NoticeKind.REGISTRATION
    assert notice.direction == Direction.INTERNAL
    assert notice.sender_unit == world.tree.town  # the township office over 甲村
    assert notice.receiver_unit == world.tree.street
    assert notice.status == NoticeStatus.SENT
    assert notice.reply_due == TODAY + datetime.timedelta(days=30)  # the pack's default
    assert notice.event_on == world.liu_arrival.registered_on
    assert notice.payload["residence"] == "甲村"
    assert notice.id_hash == world.liu.id_hash and notice.person_name == "流芳"
    # elsewhere: outgoing, to the other system's code; unknown home: waiting to be addressed
    wai = Notice.objects.get(person=world.wai)
    assert (wai.direction, wai.receiver_code, wai.reply_due) == (
        Direction.OUTGOING, OUTSIDE_CODE, None,
    )  # fmt: skip
    wu = Notice.objects.get(person=world.wu)
    assert (wu.receiver_unit, wu.receiver_code) == (None, "")


def test_each_event_of_an_in_migrant_is_notified_and_a_resident_gets_nothing(world):
    liu, local = world.liu, world.local
    day = TODAY - 10 * DAY
    check_record(
        actor=None, person=liu, checked_on=day, result="valid",
        certificate_number="B-2026-001", issuing_place="西城街道",
    )  # fmt: skip
    followup.visit_record(actor=None, person=liu, visited_on=day, way="home")
    followup.method_start(actor=None, person=liu, method="iud", started_on=day)
    pregnancy = family.pregnancy_register(actor=None, woman=liu, registered_on=day - 40 * DAY)
    family.pregnancy_close(actor=None, pregnancy=pregnancy, outcome="miscarriage", outcome_on=day)
    family.birth_record(actor=None, mother=liu, date=day, sex="M", register_child=False)
    assert kinds(liu) == [
        NoticeKind.REGISTRATION, NoticeKind.VERIFICATION, NoticeKind.SERVICE,
        NoticeKind.METHOD, NoticeKind.PREGNANCY_OUTCOME, NoticeKind.BIRTH,
    ]  # fmt: skip
    method = Notice.objects.get(person=liu, kind=NoticeKind.METHOD)
    assert method.payload == {"method": "iud", "reason": "first"}
    assert method.event_on == day
    outcome = Notice.objects.get(person=liu, kind=NoticeKind.PREGNANCY_OUTCOME)
    assert outcome.payload == {"outcome": "miscarriage"}
    # the resident: the same records, no notice
    followup.visit_record(actor=None, person=local, visited_on=day, way="home")
    followup.method_start(actor=None, person=local, method="iud", started_on=day)
    assert kinds(local) == []
    # departure: the arrival → left
    arrival = world.liu_arrival
    arrival.status, arrival.left_on = ArrivalStatus.LEFT, TODAY - DAY
    arrival.save()
    assert kinds(liu)[-1] == NoticeKind.DEPARTURE
    # after she left, a service is not hers to notify any more
    followup.visit_record(actor=None, person=liu, visited_on=TODAY, way="home")
    assert kinds(liu)[-1] == NoticeKind.DEPARTURE


def test_an_event_before_she_arrived_is_not_notified(world):
    followup.visit_record(
        actor=None, person=world.liu, visited_on=world.liu_arrival.arrived_on - DAY, way="home"
    )
    assert kinds(world.liu) == [NoticeKind.REGISTRATION]


def test_a_live_birth_is_one_notice(world):
    liu, day = world.liu, TODAY - 5 * DAY
    family.pregnancy_register(actor=None, woman=liu, registered_on=day - 60 * DAY)
    family.birth_record(actor=None, mother=liu, date=day, sex="F", register_child=False)
    assert kinds(liu) == [NoticeKind.REGISTRATION, NoticeKind.BIRTH]
    assert Notice.objects.get(kind=NoticeKind.BIRTH).payload == {"sex": "F"}


def test_the_event_and_its_notice_are_one_transaction(world, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("notice failed")

    monkeypatch.setattr(services, "notice_for_arrival", boom)
    with pytest.raises(RuntimeError):
        followup.visit_record(actor=None, person=world.liu, visited_on=TODAY, way="home")
    assert not world.liu.visits.exists()


def test_inbox_outbox_and_reply(world):
    town, street = world.town_office, world.street_office
    notice = Notice.objects.get(person=world.liu)
    assert list(selectors.inbox(street)) == [notice]
    assert notice in selectors.outbox(town)
    assert list(selectors.inbox(town)) == []
    assert list(selectors.inbox(street, awaiting=True)) == [notice]
    assert list(selectors.inbox(street, overdue=True, today=TODAY + 31 * DAY)) == [notice]
    assert list(selectors.inbox(street, overdue=True, today=TODAY)) == []
    count, items = worklist.collect_reply_due(street, today=TODAY)
    assert count == 1 and items[0].date == notice.reply_due and items[0].person_name == "流芳"
    reply = services.notice_reply(
        actor=street, notice=notice, text="已登记到台账", reply_kind="updated"
    )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED and notice.replied_at is not None
    assert (reply.kind, reply.direction, reply.status) == (
        NoticeKind.REPLY, Direction.INTERNAL, NoticeStatus.CLOSED,
    )  # fmt: skip
    assert reply.receiver_unit == world.tree.town and reply.in_reply_to == notice
    assert reply in selectors.inbox(town)
    assert worklist.collect_reply_due(street, today=TODAY)[0] == 0
    assert AuditEvent.objects.filter(
        object_type="exchange.notice", object_id=str(notice.pk), action="update"
    ).exists()


def test_bad_replies_are_refused_in_chinese(world):
    notice = Notice.objects.get(person=world.liu)
    with pytest.raises(ValidationError) as exc:
        services.notice_reply(actor=world.street_office, notice=notice, text="  ")
    assert exc.value.message_dict["text"] == ["请填写反馈内容。"]
    with pytest.raises(ValidationError) as exc:
        services.notice_reply(actor=world.street_office, notice=notice, text="好", reply_kind="x")
    assert exc.value.message_dict["reply_kind"] == ["请从列表中选择反馈类别。"]
    services.notice_reply(actor=world.street_office, notice=notice, text="已知悉")
    with pytest.raises(ValidationError) as exc:
        services.notice_reply(actor=world.street_office, notice=notice, text="再次")
    assert exc.value.message_dict["notice"] == ["该通报已反馈。"]


def test_another_office_is_denied_and_audited(world):
    notice = Notice.objects.get(person=world.liu)
    mine = world.mine_office
    with pytest.raises(Http404):
        selectors.notice_get(mine, notice.pk)
    assert AuditEvent.objects.filter(user=mine, action="denied", object_id=str(notice.pk)).exists()
    assert list(selectors.inbox(mine)) == [] and list(selectors.outbox(mine)) == []
    # the sender may read it but not reply to it (not addressed to it)
    assert selectors.notice_get(world.town_office, notice.pk) == notice
    before = AuditEvent.objects.filter(user=world.town_office, action="denied").count()
    with pytest.raises(PermissionDenied):
        services.notice_reply(actor=world.town_office, notice=notice, text="我来反馈")
    assert AuditEvent.objects.filter(user=world.town_office, action="denied").count() == before + 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT


def test_a_notice_without_a_home_waits_to_be_addressed(world):
    notice = Notice.objects.get(person=world.wu)
    count, items = worklist.collect_unaddressed(world.town_office)
    assert count == 1 and items[0].person_name == "无籍"
    assert worklist.collect_unaddressed(world.street_office)[0] == 0
    with pytest.raises(ValidationError) as exc:
        services.notice_address(actor=world.town_office, notice=notice)
    assert exc.value.message_dict["home_code"] == [
        "请选择户籍地乡镇，或填写户籍地单位在其他系统中的代码。"
    ]
    with pytest.raises(ValidationError) as exc:
        services.notice_address(
            actor=world.town_office, notice=notice, home_code=world.tree.street.code
        )
    assert "本系统" in exc.value.message_dict["home_code"][0]
    with pytest.raises(PermissionDenied):
        services.notice_address(
            actor=world.street_office, notice=notice, home_unit=world.tree.street
        )
    services.notice_address(actor=world.town_office, notice=notice, home_unit=world.tree.street)
    notice.refresh_from_db()
    assert notice.direction == Direction.INTERNAL and notice.receiver_unit == world.tree.street
    assert notice.reply_due == TODAY + 30 * DAY
    assert worklist.collect_unaddressed(world.town_office)[0] == 0


@pytest.fixture
def contact_calls(monkeypatch):
    """The outflows part's ``contact_record`` (its own module when present, else a
    stand-in with its signature): the calls made."""
    calls: list[dict] = []
    try:
        from jisheng.floating import services_outflows

        module = services_outflows
    except ImportError:
        module = types.ModuleType("jisheng.floating.services_outflows")
        monkeypatch.setitem(sys.modules, "jisheng.floating.services_outflows", module)

    def contact_record(*, actor, outflow, contacted_on, channel, note="", message_uid=""):
        calls.append({"outflow": outflow, "on": contacted_on, "channel": channel,
                      "note": note, "uid": message_uid})  # fmt: skip

    monkeypatch.setattr(module, "contact_record", contact_record, raising=False)
    return calls


def test_a_visit_where_she_lives_is_a_contact_at_home(world, contact_calls):
    away = Outflow.objects.create(
        person=world.liu, unit=world.tree.street, status=OutflowStatus.AWAY,
        left_on=TODAY - 120 * DAY, recorded_on=TODAY - 100 * DAY, destination="东城镇甲村",
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.notice_contact(
            actor=world.town_office, arrival=world.liu_arrival, contacted_on=TODAY + DAY
        )
    assert exc.value.message_dict["contacted_on"] == ["日期不能晚于今天。"]
    with pytest.raises(PermissionDenied):
        services.notice_contact(
            actor=world.street_office, arrival=world.liu_arrival, contacted_on=TODAY
        )
    notice = services.notice_contact(
        actor=world.town_office,
        arrival=world.liu_arrival,
        contacted_on=TODAY,
        note="上门走访，身体健康",
    )
    assert notice.kind == NoticeKind.CONTACT and notice.receiver_unit == world.tree.street
    assert contact_calls == [
        {"outflow": away, "on": TODAY, "channel": "destination_visit",
         "note": "上门走访，身体健康", "uid": str(notice.uid)},
    ]  # fmt: skip


def _compute(indicator: str, root, period: str, level: str = "self"):
    rows = engine.compute(catalogue.select([indicator]), root, parse(period), level)
    return {
        r.unit.code: (r.values[indicator].numerator, r.values[indicator].denominator) for r in rows
    }


def test_indicators_on_hand_built_notices(world):
    """2026Q1 (whatever today is): 东城镇 sent three notices of events in the quarter —
    one delivered the same day, one 8 days after (late: 7 days), one outgoing exported
    on the 7th day — and one outside the quarter; 西城街道 received two (one replied by
    its due day, one after it)."""
    Notice.objects.all().delete()
    town, street = world.tree.town, world.tree.street
    tz = timezone.get_current_timezone()

    def at(day):
        return datetime.datetime.combine(day, datetime.time(10), tzinfo=tz)

    def notice(event_on, created, *, direction=Direction.INTERNAL, exported=None,
               replied=None, due=None):  # fmt: skip
        row = Notice.objects.create(
            uid=__import__("uuid").uuid4(), kind=NoticeKind.SERVICE, direction=direction,
            instance="jisheng", sender_unit=town, sender_code=town.code,
            receiver_unit=street if direction == Direction.INTERNAL else None,
            receiver_code=street.code if direction == Direction.INTERNAL else OUTSIDE_CODE,
            person_name="流芳", event_on=event_on, reply_due=due,
            exported_at=at(exported) if exported else None,
            replied_at=at(replied) if replied else None,
            status=NoticeStatus.REPLIED if replied else NoticeStatus.SENT,
        )  # fmt: skip
        Notice.objects.filter(pk=row.pk).update(created_at=at(created))
        return row

    d = datetime.date
    notice(d(2026, 2, 1), d(2026, 2, 1), replied=d(2026, 3, 3), due=d(2026, 3, 3))
    notice(d(2026, 2, 10), d(2026, 2, 18), replied=d(2026, 3, 25), due=d(2026, 3, 20))
    notice(d(2026, 3, 1), d(2026, 3, 1), direction=Direction.OUTGOING, exported=d(2026, 3, 8))
    notice(d(2025, 12, 30), d(2026, 1, 2))  # event in the quarter before: not counted
    sent = _compute("notification_rate", world.tree.county, "2026Q1", "children")
    # two of three in time (the 8-day one is late); the outgoing one counts at export
    assert sent["990100001000"] == (2, 3)
    received = _compute("reply_rate", world.tree.county, "2026Q1", "children")
    # received in the quarter: three internal (the one of 2026-01-02 too), one replied in time
    assert received["990100002000"] == (1, 3)


def test_a_correction_by_the_sender_replaces_the_content_and_keeps_the_link(world):
    notice = Notice.objects.get(person=world.liu)
    with pytest.raises(PermissionDenied):
        services.notice_correct(actor=world.street_office, notice=notice, event_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.notice_correct(actor=world.town_office, notice=notice, event_on=None)
    assert exc.value.message_dict["event_on"] == ["请填写事项日期。"]
    day = TODAY - 2 * DAY
    correction = services.notice_correct(
        actor=world.town_office, notice=notice, event_on=day, payload={"residence": "乙村"}
    )
    notice.refresh_from_db()
    assert notice.event_on == day and notice.payload == {"residence": "乙村"}
    assert notice.corrected_by_uid == correction.uid and correction.corrects_uid == notice.uid
    assert notice.status == NoticeStatus.SENT  # still awaiting its reply
    assert selectors.chain(notice) == [correction]
