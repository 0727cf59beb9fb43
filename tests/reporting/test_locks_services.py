"""The period lock in every dated write (issue 15): each service that writes a record
dated by the day it happened refuses a day inside a closed period without a reason
(补报/更正原因), and with one saves the record and stores ONE late entry naming it.

The closed period is October 2026, closed for the township 东城镇 (so for its villages
甲村 and 乙村 too); 丙社区 of the street stays open.
"""

from __future__ import annotations

import ast
import datetime
import pathlib

import pytest
from django.core.exceptions import ValidationError

from jisheng.core import locks
from jisheng.core.models import LateEntry
from jisheng.migrants.models import MigrantCheck
from jisheng.migrants.services import check_record
from jisheng.people import family
from jisheng.people.choices import CoupleEnd, EventKind, PersonStatus, PregnancyOutcome
from jisheng.people.events import event_correct, event_record
from jisheng.people.models import Birth, Couple, LifeEvent, Person, Pregnancy
from jisheng.people.services import person_register
from jisheng.services import followup
from jisheng.services.choices import Method, VisitWay
from jisheng.services.models import ContraceptionRecord, FollowUpVisit
from tests import factories

FIRST = datetime.date(2026, 10, 1)
LAST = datetime.date(2026, 10, 31)
INSIDE = datetime.date(2026, 10, 15)
BEFORE = datetime.date(2026, 9, 30)
AFTER = datetime.date(2026, 11, 1)
REASON = "村委会10月底才报来"


@pytest.fixture
def closed(tree):
    return locks.close(unit=tree.town, first=FIRST, last=LAST, source=tree.town, actor=None)


def refused(call, **kwargs):
    """``call`` refuses the closed day; the message (Chinese) names 补报."""
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    text = " ".join(caught.value.messages)
    assert "补报" in text, text
    return caught.value


def man(make_person, **fields):
    return make_person(sex="M", birth_date=datetime.date(1988, 3, 2), name="赵建国", **fields)


# --------------------------------------------------------------------------- the edges


@pytest.mark.parametrize(
    ("day", "late"),
    [(BEFORE, False), (FIRST, True), (INSIDE, True), (LAST, True), (AFTER, False)],
)
def test_first_and_last_day_are_closed_the_days_around_open(closed, person, day, late):
    if late:
        refused(event_record, actor=None, person=person, kind=EventKind.FLOW_OUT, date=day)
        assert not LifeEvent.objects.filter(person=person, kind=EventKind.FLOW_OUT).exists()
    event = event_record(
        actor=None,
        person=person,
        kind=EventKind.FLOW_OUT,
        date=day,
        late_reason=REASON if late else "",
    )
    entries = list(LateEntry.objects.all())
    if not late:
        assert entries == []
        return
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.day, entry.first, entry.last, entry.reason) == (day, FIRST, LAST, REASON)
    assert entry.object_id == event.pk and entry.unit_id == person.unit_id
    assert entry.what == "李秀英：流出"


def test_the_refusal_is_on_the_date_field_in_chinese(closed, person):
    error = refused(event_record, actor=None, person=person, kind=EventKind.DEATH, date=INSIDE)
    assert list(error.error_dict) == ["date"]
    assert error.messages == [
        "2026年10月15日在2026年10月1日–2026年10月31日内，东城镇的报表已审核通过，"
        "该期间已关闭。补报/更正须填写原因。"
    ]


def test_a_reason_of_only_spaces_is_no_reason(closed, person):
    refused(
        event_record,
        actor=None,
        person=person,
        kind=EventKind.FLOW_OUT,
        date=INSIDE,
        late_reason="   \u3000 ",
    )
    assert not LateEntry.objects.exists()


def test_an_over_long_reason_is_refused(closed, person):
    with pytest.raises(ValidationError) as caught:
        event_record(
            actor=None,
            person=person,
            kind=EventKind.FLOW_OUT,
            date=INSIDE,
            late_reason="补" * (locks.REASON_MAX + 1),
        )
    assert "500" in " ".join(caught.value.messages)
    assert not LifeEvent.objects.filter(kind=EventKind.FLOW_OUT).exists()
    assert not LateEntry.objects.exists()


def test_a_reason_at_the_limit_is_kept(closed, person):
    event_record(
        actor=None,
        person=person,
        kind=EventKind.FLOW_OUT,
        date=INSIDE,
        late_reason="补" * locks.REASON_MAX,
    )
    assert LateEntry.objects.get().reason == "补" * locks.REASON_MAX


def test_an_open_unit_needs_no_reason(closed, make_person, tree):
    other = make_person(unit=tree.community, name="周敏")
    event_record(actor=None, person=other, kind=EventKind.FLOW_OUT, date=INSIDE)
    assert not LateEntry.objects.exists()


def test_a_move_is_checked_for_the_unit_joined_too(tree, person):
    locks.close(unit=tree.community, first=FIRST, last=LAST, source=tree.community, actor=None)
    refused(
        event_record,
        actor=None,
        person=person,
        kind=EventKind.INTERNAL_TRANSFER,
        date=INSIDE,
        data={"unit": tree.community},
    )
    event_record(
        actor=None,
        person=person,
        kind=EventKind.INTERNAL_TRANSFER,
        date=INSIDE,
        data={"unit": tree.community},
        late_reason=REASON,
    )
    entry = LateEntry.objects.get()
    assert entry.unit_id == tree.community.pk


def test_a_reopened_period_is_open_again(closed, person, tree):
    assert locks.reopen(source=tree.town) == 1
    event_record(actor=None, person=person, kind=EventKind.FLOW_OUT, date=INSIDE)
    assert not LateEntry.objects.exists()


# --------------------------------------------------------------------------- every service


def test_registration(closed, tree):
    kwargs = {
        "actor": None,
        "name": "钱丽",
        "sex": "F",
        "birth_date": datetime.date(1995, 1, 1),
        "unit": tree.village_a,
        "id_number": factories.id_number(datetime.date(1995, 1, 1), "F", 7),
        "registered_on": INSIDE,
    }
    error = refused(person_register, **kwargs)
    assert "registered_on" in error.error_dict
    assert not Person.objects.filter(name="钱丽").exists()
    person_register(**kwargs, late_reason=REASON)
    entry = LateEntry.objects.get()
    assert entry.what == "钱丽：建档"


@pytest.mark.parametrize(
    "kind", [EventKind.DEATH, EventKind.MOVE_OUT, EventKind.FLOW_OUT, EventKind.CONTRACEPTION]
)
def test_life_events(closed, person, kind):
    refused(event_record, actor=None, person=person, kind=kind, date=INSIDE)
    assert not LifeEvent.objects.filter(person=person, kind=kind).exists()
    event = event_record(actor=None, person=person, kind=kind, date=INSIDE, late_reason=REASON)
    assert LateEntry.objects.get().object_id == event.pk


def test_correcting_an_event_of_a_closed_period_is_a_late_entry(person, tree):
    event = event_record(actor=None, person=person, kind=EventKind.FLOW_OUT, date=INSIDE)
    locks.close(unit=tree.town, first=FIRST, last=LAST, source=tree.town, actor=None)
    event_correct(actor=None, event=event, reason="误录，实际未外出")
    entry = LateEntry.objects.get()
    assert (entry.day, entry.reason, entry.object_id) == (INSIDE, "误录，实际未外出", event.pk)


def test_marriage_couple_and_divorce(closed, person, make_person):
    husband = man(make_person)
    refused(family.couple_create, actor=None, married_on=INSIDE, wife=person, husband=husband)
    assert not Couple.objects.exists()
    refused(family.marriage_record, actor=None, person=person, date=INSIDE, spouse=husband)
    assert not Couple.objects.exists()
    family.marriage_record(
        actor=None, person=person, date=INSIDE, spouse=husband, late_reason=REASON
    )
    # one unit, one day: one late entry for the couple and the two events
    assert LateEntry.objects.count() == 1
    day = datetime.date(2026, 10, 20)
    refused(family.divorce_record, actor=None, person=person, date=day)
    couple = Couple.objects.get()
    refused(family.couple_end, actor=None, couple=couple, ended_on=day, reason=CoupleEnd.DIVORCE)
    family.divorce_record(actor=None, person=person, date=day, late_reason=REASON)
    assert LateEntry.objects.count() == 2


def test_ending_a_marriage_without_events_is_checked_too(closed, person, make_person):
    husband = man(make_person)
    couple = family.couple_create(
        actor=None, married_on=datetime.date(2015, 5, 1), wife=person, husband=husband
    )
    kwargs = {
        "actor": None,
        "couple": couple,
        "ended_on": INSIDE,
        "reason": CoupleEnd.DIVORCE,
        "record_events": False,
    }
    error = refused(family.couple_end, **kwargs)
    assert "ended_on" in error.error_dict
    family.couple_end(**kwargs, late_reason=REASON)
    entry = LateEntry.objects.get()
    assert entry.object_id == couple.pk and entry.what == "赵建国 — 李秀英：婚姻终止"


def test_a_death_ends_the_marriage_with_one_late_entry(closed, make_person):
    wife = make_person(name="郑丽", marital_status="first_marriage")
    husband = man(make_person, marital_status="first_marriage")
    family.couple_create(
        actor=None,
        married_on=datetime.date(2015, 5, 1),
        wife=wife,
        husband=husband,
        record_events=False,
    )
    refused(event_record, actor=None, person=husband, kind=EventKind.DEATH, date=INSIDE)
    event_record(actor=None, person=husband, kind=EventKind.DEATH, date=INSIDE, late_reason=REASON)
    assert LateEntry.objects.count() == 1
    assert Couple.objects.get().ended_on == INSIDE


def test_birth_and_its_order_override(closed, person, make_person):
    kwargs = {"actor": None, "mother": person, "date": INSIDE, "sex": "M", "register_child": False}
    error = refused(family.birth_record, **kwargs)
    assert "date" in error.error_dict
    assert not Birth.objects.exists()
    birth = family.birth_record(**kwargs, late_reason=REASON)
    entry = LateEntry.objects.get()
    assert entry.object_id == birth.pk and entry.what == "李秀英：出生"
    family.birth_override_order(actor=None, birth=birth, order=2, reason="前一孩在外地出生")
    assert LateEntry.objects.count() == 2


def test_pregnancy_and_its_outcome(closed, person):
    refused(family.pregnancy_register, actor=None, woman=person, registered_on=INSIDE)
    assert not Pregnancy.objects.exists()
    pregnancy = family.pregnancy_register(
        actor=None, woman=person, registered_on=INSIDE, late_reason=REASON
    )
    day = datetime.date(2026, 10, 25)
    refused(
        family.pregnancy_close,
        actor=None,
        pregnancy=pregnancy,
        outcome=PregnancyOutcome.MISCARRIAGE,
        outcome_on=day,
    )
    pregnancy.refresh_from_db()
    assert pregnancy.outcome == ""
    family.pregnancy_close(
        actor=None,
        pregnancy=pregnancy,
        outcome=PregnancyOutcome.MISCARRIAGE,
        outcome_on=day,
        late_reason=REASON,
    )
    assert LateEntry.objects.count() == 2


def test_methods_start_stop_and_void(closed, person):
    kwargs = {"actor": None, "person": person, "method": Method.IUD, "started_on": INSIDE}
    error = refused(followup.method_start, **kwargs)
    assert "started_on" in error.error_dict
    assert not ContraceptionRecord.objects.exists()
    record = followup.method_start(**kwargs, late_reason=REASON)
    stop = {"actor": None, "person": person, "method": Method.NONE, "started_on": LAST}
    refused(followup.method_start, **stop)
    followup.method_start(**stop, late_reason=REASON)
    assert LateEntry.objects.count() == 2
    latest = ContraceptionRecord.objects.get(method=Method.NONE)
    followup.method_void(actor=None, record=latest, reason="录入错误")
    assert LateEntry.objects.count() == 3
    assert LateEntry.objects.latest("pk").reason == "录入错误"
    assert record.pk


def test_visits_and_void(closed, person):
    kwargs = {"actor": None, "person": person, "visited_on": INSIDE, "way": VisitWay.HOME}
    error = refused(followup.visit_record, **kwargs)
    assert "visited_on" in error.error_dict
    assert not FollowUpVisit.objects.exists()
    visit = followup.visit_record(**kwargs, late_reason=REASON)
    assert LateEntry.objects.get().object_id == visit.pk
    followup.visit_void(actor=None, visit=visit, reason="重复录入")
    assert LateEntry.objects.count() == 2


def test_a_void_of_an_open_day_is_no_late_entry(closed, person):
    visit = followup.visit_record(actor=None, person=person, visited_on=AFTER, way="home")
    followup.visit_void(actor=None, visit=visit, reason="重复录入")
    assert not LateEntry.objects.exists()


def test_migrant_checks(closed, make_person):
    migrant = make_person(name="孙红", status=PersonStatus.IN_MIGRANT)
    kwargs = {"actor": None, "person": migrant, "checked_on": INSIDE, "result": "missing"}
    error = refused(check_record, **kwargs)
    assert "checked_on" in error.error_dict
    assert not MigrantCheck.objects.exists()
    check_record(**kwargs, late_reason=REASON)
    assert LateEntry.objects.get().what == "孙红：婚育证明查验"


# --------------------------------------------------------------------------- completeness

# Every function of the source that creates one of the dated records, and the test above
# that shows it refusing a closed day. A new writer must be added here (and checked).
DATED = {"LifeEvent", "Birth", "Pregnancy", "ContraceptionRecord", "FollowUpVisit", "Couple"}
DATED |= {"MigrantCheck"}
COVERED = {
    "people/events.py": {"_event_record", "_event_correct"},
    "people/services.py": {"register_event_build"},  # via person_register
    "people/family.py": {"_couple_create", "_birth_record", "pregnancy_register"},
    "services/followup.py": {"method_start", "visit_record"},
    "migrants/services.py": {"check_record"},
}
# Bulk writers outside the services: generated data, the demo, the bulk loaders (the
# Excel import checks its rows itself: tests/reporting/test_locks_import.py).
SKIPPED = ("synthetic.py", "demo.py", "bulk.py", "importers.py", "management/")


def _creators() -> dict[str, set[str]]:
    root = pathlib.Path(__file__).resolve().parents[2] / "src" / "jisheng"
    found: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        name = path.relative_to(root).as_posix()
        if any(skip in name for skip in SKIPPED) or "/migrations/" in name:
            continue
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Call):
                    continue
                target = node.func
                made = None
                if isinstance(target, ast.Name) and target.id in DATED:
                    made = target.id  # Model(...)
                elif (
                    isinstance(target, ast.Attribute)
                    and target.attr in ("create", "bulk_create", "get_or_create")
                    and isinstance(target.value, ast.Attribute)
                    and isinstance(target.value.value, ast.Name)
                    and target.value.value.id in DATED
                ):
                    made = target.value.value.id
                elif isinstance(target, ast.Name) and target.id == "_create":
                    for keyword in node.keywords:
                        if (
                            keyword.arg == "model"
                            and isinstance(keyword.value, ast.Name)
                            and keyword.value.id in DATED
                        ):
                            made = keyword.value.id
                if made:
                    found.setdefault(name, set()).add(func.name)
    return found


def test_every_writer_of_a_dated_record_is_covered():
    assert _creators() == COVERED


def test_campaign_attendance_in_a_closed_period(tree, users):
    from django.utils import timezone

    from jisheng.services import campaigns
    from jisheng.services.models import CampaignTarget

    today = timezone.localdate()
    a = factories.person(
        tree.village_a, "王芳", "F", datetime.date(1990, 1, 1), seq=1,
        registered_on=datetime.date(2015, 1, 1), marital_status="first_marriage",
    )  # fmt: skip
    b = factories.person(
        tree.village_b, "李丽", "F", datetime.date(1991, 1, 1), seq=2,
        registered_on=datetime.date(2015, 1, 1), marital_status="first_marriage",
    )  # fmt: skip
    round_ = campaigns.round_create(
        actor=None,
        unit=tree.town,
        campaign_id="comprehensive_service",
        period_start=today - datetime.timedelta(days=30),
        period_end=today + datetime.timedelta(days=30),
    )
    ta = CampaignTarget.objects.get(round=round_, person=a)
    tb = CampaignTarget.objects.get(round=round_, person=b)
    day = today - datetime.timedelta(days=15)
    locks.close(
        unit=tree.village_a,
        first=day - datetime.timedelta(days=2),
        last=day + datetime.timedelta(days=2),
        source=tree.village_a,
        actor=None,
    )
    entries = [
        campaigns.AttendanceEntry(ta.pk, attended_on=day, iud_in_place="yes", pregnant="no"),
        campaigns.AttendanceEntry(tb.pk, attended_on=today, iud_in_place="yes", pregnant="no"),
    ]
    with pytest.raises(campaigns.BatchInvalid) as caught:
        campaigns.attendance_record(actor=users.town_office, round_=round_, entries=entries)
    assert list(caught.value.rows) == [0]
    assert "补报" in caught.value.rows[0]["attended_on"]
    tb.refresh_from_db()
    assert tb.attended_on is None  # nothing half-saved
    changed = campaigns.attendance_record(
        actor=users.town_office, round_=round_, entries=entries, late_reason=REASON
    )
    assert len(changed) == 2
    entry = LateEntry.objects.get()
    assert (entry.object_id, entry.what) == (ta.pk, "王芳：集中服务查验")
