"""People away (流出, issue 17): the record and its states (away → returned / transferred),
a move between two villages while away, contacts, the service agreement and the §0 rule
on its clauses, the 婚育证明 issued to her, teams working away, both worklist sources and
their deadlines, and ``out_migrant_certificate_rate`` on hand-built data.

The tree of ``tests/conftest.py``: 东城镇 (town) with 甲村 (village A) and 乙村 (village B);
西城街道 (street) with 丙社区 (community). Today is ``timezone.localdate()``.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jisheng.certificates.services import issue_now
from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.floating import selectors_outflows as selectors
from jisheng.floating import services_outflows as services
from jisheng.floating import worklist_outflows as worklist
from jisheng.floating.choices import ContactChannel, OutflowStatus
from jisheng.floating.models import ContactRecord, Outflow, ServiceAgreement
from jisheng.indicators import catalogue, engine
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind, PersonStatus, TransferStatus
from jisheng.people.models import LifeEvent, Transfer
from jisheng.policy.services import PACKS_DIR, pack_load
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
INDICATOR = "out_migrant_certificate_rate"


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the Chinese ones in the API and page tests)."""
    with translation.override("en"):
        yield


def away(person, left_on=None, actor=None, **extra):
    extra.setdefault("destination", "广东省广州市天河区")
    return services.outflow_record(
        actor=actor, person=person, left_on=left_on or today() - 100 * DAY, **extra
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --------------------------------------------------------------------------- the record


def test_a_person_away_is_recorded_with_the_flow_out_event(person, users):
    outflow = away(
        person,
        D(2026, 3, 1),
        actor=users.field_a,
        destination_region="440106",
        phone="13800000001",
        employer="某电子厂",
        expected_return=D(2027, 2, 1),
    )
    person.refresh_from_db()
    assert (outflow.status, outflow.unit, outflow.recorded_on) == ("away", person.unit, today())
    assert person.status == PersonStatus.OUT_MIGRANT
    event = LifeEvent.objects.get(person=person, kind=EventKind.FLOW_OUT)
    assert event.date == D(2026, 3, 1) and event.data["to"] == "广东省广州市天河区"
    audit = AuditEvent.objects.get(
        action="create", object_type="floating.outflow", object_id=str(outflow.pk)
    )
    assert audit.changes["destination_region"] == [None, "440106"]
    assert audit.user == users.field_a


def test_an_out_migrant_already_gets_a_record_without_a_second_event(make_person):
    her = make_person(name="外出甲", status=PersonStatus.OUT_MIGRANT)
    outflow = away(her, D(2026, 2, 1), destination_code="BJ-110105-01")
    assert outflow.destination_code == "BJ-110105-01"
    assert not LifeEvent.objects.filter(person=her, kind=EventKind.FLOW_OUT).exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"left_on": D(2999, 1, 1)}, "left_on", "The date is in the future."),
        ({"left_on": D(1980, 1, 1)}, "left_on", "The date is before the person's birth."),
        ({"destination": "  "}, "destination", "Give the place where she lives now."),
        ({"destination_region": "44010"}, "destination_region", "The region code has 6 digits."),
        ({"destination_region": "990100"}, "destination_region", "990100 is not a known region"),
        ({"phone": "call me"}, "phone", "Give a phone number"),
        ({"expected_return": D(2025, 1, 1), "left_on": D(2026, 1, 1)}, "expected_return",
         "The expected return is before she left."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_by_field(person, kwargs, field, message):
    with pytest.raises(ValidationError) as excinfo:
        away(person, **kwargs)
    assert message in " ".join(errors_of(excinfo)[field])
    assert not Outflow.objects.exists()


def test_a_second_open_record_is_refused(person):
    away(person)
    with pytest.raises(ValidationError) as excinfo:
        away(person)
    assert "already has an open out-migrant record" in errors_of(excinfo)["person"][0]


@pytest.mark.parametrize("kind", [EventKind.DEATH, EventKind.MOVE_OUT])
def test_a_person_deceased_or_moved_out_is_refused(person, kind):
    people_services.event_record(actor=None, person=person, kind=kind, date=D(2026, 1, 5))
    person.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        away(person, D(2026, 2, 1))
    assert "no out-migrant record" in errors_of(excinfo)["person"][0]


def test_another_units_person_is_refused_and_audited(person, users):
    with pytest.raises(PermissionDenied):
        away(person, actor=users.field_b)
    assert AuditEvent.objects.filter(action="denied", user=users.field_b).exists()
    assert not Outflow.objects.exists()


def test_contact_details_change_with_before_and_after(person, users, tree):
    outflow = away(person, phone="13800000001")
    services.outflow_update(
        actor=users.field_a,
        outflow=outflow,
        data={"phone": "13900000002", "employer": "某服装厂", "destination_unit": tree.community},
    )
    outflow.refresh_from_db()
    assert (outflow.phone, outflow.employer) == ("13900000002", "某服装厂")
    audit = AuditEvent.objects.get(action="update", object_type="floating.outflow")
    assert audit.changes["phone"] == ["13800000001", "13900000002"]
    with pytest.raises(ValidationError) as excinfo:
        services.outflow_update(actor=users.field_a, outflow=outflow, data={"left_on": today()})
    assert "cannot be changed" in errors_of(excinfo)["left_on"][0]
    with pytest.raises(PermissionDenied):
        services.outflow_update(actor=users.field_b, outflow=outflow, data={"phone": "123456"})


# --------------------------------------------------------------------------- states


def test_a_return_home_closes_the_record_and_records_the_return(person, users):
    outflow = away(person, D(2026, 3, 1))
    services.outflow_return(actor=users.field_a, outflow=outflow, returned_on=D(2026, 9, 1))
    person.refresh_from_db()
    assert (outflow.status, outflow.returned_on) == (OutflowStatus.RETURNED, D(2026, 9, 1))
    assert person.status == PersonStatus.REGISTERED
    assert LifeEvent.objects.filter(person=person, kind=EventKind.RETURN).count() == 1
    # closed: no second return, no agreement; she may leave again later
    with pytest.raises(ValidationError):
        services.outflow_return(actor=None, outflow=outflow, returned_on=D(2026, 9, 2))
    with pytest.raises(ValidationError):
        services.agreement_sign(actor=None, outflow=outflow, signed_on=D(2026, 9, 2))
    again = away(person, D(2026, 10, 1))
    assert again.status == OutflowStatus.AWAY


def test_a_return_before_she_left_is_refused(person):
    outflow = away(person, D(2026, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.outflow_return(actor=None, outflow=outflow, returned_on=D(2026, 2, 1))
    assert "before she left" in errors_of(excinfo)["returned_on"][0]


def test_a_transfer_hands_her_management_over_through_the_people_app(person, users):
    outflow = away(person, D(2026, 3, 1))
    transfer = services.outflow_transfer(
        actor=users.field_a,
        outflow=outflow,
        transferred_on=D(2026, 10, 1),
        receiving="天河区某街道",
    )
    person.refresh_from_db()
    assert outflow.status == OutflowStatus.TRANSFERRED
    assert person.status == PersonStatus.TRANSFERRED_OUT
    assert isinstance(transfer, Transfer) and transfer.status == TransferStatus.OPEN
    assert transfer.receiving_name == "天河区某街道"
    assert services.transfer_of(outflow) == transfer


def test_a_move_between_two_villages_while_away(person, users, tree):
    outflow = away(person, D(2026, 3, 1))
    people_services.event_record(
        actor=None,
        person=person,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 6, 1),
        data={"unit": tree.village_b},
    )
    person.refresh_from_db()
    outflow.refresh_from_db()
    assert (person.unit, person.status) == (tree.village_b, PersonStatus.OUT_MIGRANT)
    assert outflow.unit == tree.village_b and outflow.status == OutflowStatus.AWAY
    # the new village's office finds and works it; the old one no longer does
    assert list(selectors.outflows(users.field_b, today=today())) == [outflow]
    assert not selectors.outflows(users.field_a, today=today()).exists()
    contact = services.contact_record(
        actor=users.field_b, outflow=outflow, contacted_on=D(2026, 7, 1), channel="phone"
    )
    assert contact.unit == tree.village_b
    with pytest.raises(PermissionDenied):
        services.contact_record(
            actor=users.field_a, outflow=outflow, contacted_on=D(2026, 7, 2), channel="phone"
        )
    # the return is recorded by her new village
    services.outflow_return(actor=users.field_b, outflow=outflow, returned_on=D(2026, 8, 1))
    assert outflow.status == OutflowStatus.RETURNED


# --------------------------------------------------------------------------- contacts


def test_contacts_and_the_destinations_visit_from_the_exchange(person, users):
    outflow = away(person, D(2026, 3, 1))
    first = services.contact_record(
        actor=users.field_a, outflow=outflow, contacted_on=D(2026, 4, 1), channel="message"
    )
    uid = "7d6c5b4a-0000-4000-8000-000000000001"
    visit = services.contact_record(
        actor=None,
        outflow=outflow,
        contacted_on=D(2026, 5, 1),
        channel=ContactChannel.DESTINATION_VISIT,
        note="现居住地上门随访",
        message_uid=uid,
    )
    again = services.contact_record(
        actor=None,
        outflow=outflow,
        contacted_on=D(2026, 5, 1),
        channel=ContactChannel.DESTINATION_VISIT,
        message_uid=uid,
    )
    assert again == visit and ContactRecord.objects.count() == 2
    assert list(selectors.contacts_of(outflow)) == [visit, first]
    with pytest.raises(ValidationError) as excinfo:
        services.contact_record(
            actor=None, outflow=outflow, contacted_on=D(2026, 2, 1), channel="pigeon"
        )
    assert set(errors_of(excinfo)) == {"channel", "contacted_on"}


def test_contact_due_each_quarter_on_the_worklist(person, make_person, users):
    outflow = away(person, D(2026, 1, 10))
    fresh = away(make_person(name="新近"), D(2026, 11, 1))
    Outflow.objects.filter(pk=outflow.pk).update(recorded_on=D(2026, 2, 1))
    day = D(2026, 5, 1)  # 2026-02-01 + 3 months
    assert services.contact_due(D(2026, 2, 1)) == day
    count, items = worklist.collect_contact_due(users.field_a, today=day - DAY)
    assert count == 0
    count, items = worklist.collect_contact_due(users.field_a, today=day)
    assert count == 1 and (items[0].person_id, items[0].date) == (person.pk, day)
    # a contact resets the quarter
    services.contact_record(actor=None, outflow=outflow, contacted_on=D(2026, 4, 20),
                            channel="phone")  # fmt: skip
    assert worklist.collect_contact_due(users.field_a, today=day)[0] == 0
    count, items = worklist.collect_contact_due(users.field_a, today=D(2026, 7, 25))
    assert (count, items[0].date, items[0].late_days) == (1, D(2026, 7, 20), 5)
    assert fresh.pk not in [i.person_id for i in items]
    # the other village sees nothing
    assert worklist.collect_contact_due(users.field_b, today=D(2026, 7, 25))[0] == 0
    assert list(selectors.outflows(users.field_a, overdue=True, today=D(2026, 7, 25))) == [outflow]


# --------------------------------------------------------------------------- agreement


def test_the_agreement_is_the_packs_with_the_services_she_chose(person, users):
    outflow = away(person, D(2026, 3, 1), phone="13800000001")
    signed = services.agreement_sign(
        actor=users.field_a,
        outflow=outflow,
        signed_on=D(2026, 3, 5),
        services=["contraception", "prenatal"],
    )
    assert signed.services == ["contraception", "prenatal"]
    assert signed.pack_version is not None and signed.phone == "13800000001"
    assert signed.text.startswith("流出人员计划生育服务协议")
    assert "避孕节育咨询与药具、孕产期保健" in signed.text
    assert "选择与否不影响其享有的任何权利和服务" in signed.text
    assert "2026年3月1日" in signed.text
    with pytest.raises(ValidationError) as excinfo:
        services.agreement_sign(actor=None, outflow=outflow, signed_on=D(2026, 3, 6))
    assert "signed already" in errors_of(excinfo)["outflow"][0]


def test_declining_every_service_is_an_agreement_too(person):
    outflow = away(person, D(2026, 3, 1))
    signed = services.agreement_sign(actor=None, outflow=outflow, signed_on=D(2026, 3, 2))
    assert signed.services == [] and "暂不选择" in signed.text


def test_unknown_services_and_bad_dates_are_refused(person, users):
    outflow = away(person, D(2026, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.agreement_sign(
            actor=None, outflow=outflow, signed_on=D(2026, 2, 1), services=["fine", "checkup"]
        )
    assert set(errors_of(excinfo)) == {"signed_on", "services"}
    assert "fine" in errors_of(excinfo)["services"][0]
    with pytest.raises(PermissionDenied):
        services.agreement_sign(actor=users.field_b, outflow=outflow, signed_on=D(2026, 3, 2))
    assert not ServiceAgreement.objects.exists()


# --------------------------------------------------------------------------- the deadlines


def test_records_and_agreements_due_on_the_worklist(person, make_person, users, tree):
    # (a) an out-migrant of the registry (an import) with no record
    imported = make_person(name="导入", registered_on=D(2025, 1, 1))
    people_services.event_record(
        actor=None, person=imported, kind=EventKind.FLOW_OUT, date=D(2026, 4, 10)
    )
    # (b) a record without an agreement
    outflow = away(person, D(2026, 3, 1))
    count, items = worklist.collect_outflow_due(users.field_a, today=D(2026, 6, 5))
    assert count == 2
    assert [(i.person_id, i.date, i.late_days) for i in items] == [
        (person.pk, D(2026, 6, 1), 4),  # the default pack: 3 months after she left
        (imported.pk, D(2026, 7, 10), 0),
    ]
    assert items[0].url == f"/floating/outflows/{outflow.pk}/agreement/"
    assert items[1].url == f"/floating/outflows/record/?person={imported.pk}"
    # done: the record made, the agreement signed
    away(imported, D(2026, 4, 10))
    services.agreement_sign(actor=None, outflow=outflow, signed_on=D(2026, 3, 2))
    new = selectors.without_agreement(users.field_a, unit=None).get()
    assert new.person == imported
    services.agreement_sign(actor=None, outflow=new, signed_on=D(2026, 4, 11))
    assert worklist.collect_outflow_due(users.field_a, today=D(2026, 6, 5)) == (0, [])
    # the other village and the street see nothing of it
    assert worklist.collect_outflow_due(users.field_b, today=D(2026, 6, 5))[0] == 0


def test_the_packs_out_migrant_contract_deadline_wins(person, users, tree):
    text = (PACKS_DIR / "default-2026.yaml").read_text("utf-8")
    text = text.replace("id: default-2026", "id: town-2026").replace(
        "deadlines:\n",
        "deadlines:\n  out_migrant_contract:\n    kind: days_after\n    days: 30\n"
        "    label: 流出 30 日内签订服务协议\n",
        1,
    )
    pack_load(actor=None, text=text, unit=tree.town)
    assert services.agreement_due(tree.village_a, D(2026, 3, 1)) == D(2026, 3, 31)
    assert services.agreement_due(tree.street, D(2026, 3, 1)) == D(2026, 6, 1)
    away(person, D(2026, 3, 1))
    count, items = worklist.collect_outflow_due(users.field_a, today=D(2026, 4, 2))
    assert (count, items[0].date, items[0].late_days) == (1, D(2026, 3, 31), 2)


def test_without_a_pack_the_months_are_three(tree):
    assert services.out_migrant_months(None) == 3
    assert services.agreement_due(tree.village_a, D(2019, 1, 31)) == D(2019, 4, 30)


# --------------------------------------------------------------------------- certificate


def test_issue_now_links_the_certificate(person, users, tree):
    outflow = away(person, D(2026, 3, 1))
    certificate = services.certificate_issue_now(
        actor=users.town_office, outflow=outflow, issuer=tree.town
    )
    outflow.refresh_from_db()
    assert outflow.certificate == certificate and certificate.kind == "migrant_marriage"
    assert certificate.status == "issued" and certificate.number
    # field staff may not issue certificates
    other = away(factories.person(tree.village_a, "李二", seq=9), D(2026, 3, 1))
    with pytest.raises(PermissionDenied):
        services.certificate_issue_now(actor=users.field_a, outflow=other, issuer=tree.town)


def test_her_valid_certificate_is_linked(person, users, tree):
    certificate = issue_now(
        actor=users.office, kind="migrant_marriage", issuer=tree.town, person=person,
        issued_on=D(2026, 2, 1),
    )  # fmt: skip
    outflow = away(person, D(2026, 3, 1))
    services.certificate_link(actor=users.field_a, outflow=outflow)
    assert outflow.certificate == certificate
    nobody = away(factories.person(tree.village_a, "李三", seq=8), D(2026, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.certificate_link(actor=None, outflow=nobody)
    assert "no valid" in errors_of(excinfo)["certificate"][0]
    with pytest.raises(ValidationError):
        services.certificate_link(actor=None, outflow=nobody, certificate=certificate)


# --------------------------------------------------------------------------- teams


def test_a_team_names_its_leader_and_propagandist(person, users, tree):
    with pytest.raises(ValidationError) as excinfo:
        services.team_create(
            actor=users.field_a, unit=tree.village_a, name="甲村建筑队", destination="上海",
            leader_name="", leader_phone="", propagandist_name="", propagandist_phone="",
            formed_on=D(2026, 2, 1),
        )  # fmt: skip
    assert set(errors_of(excinfo)) == {
        "leader_name",
        "leader_phone",
        "propagandist_name",
        "propagandist_phone",
    }
    team = services.team_create(
        actor=users.field_a, unit=tree.village_a, name="甲村建筑队", destination="上海市浦东新区",
        leader_name="张队长", leader_phone="13800000010", propagandist_name="李宣传",
        propagandist_phone="13800000011", formed_on=D(2026, 2, 1),
    )  # fmt: skip
    outflow = away(person, D(2026, 3, 1), team=team)
    assert list(team.members.all()) == [outflow]
    services.team_update(actor=users.field_a, team=team, data={"leader_name": "王队长"})
    assert AuditEvent.objects.filter(action="update", object_type="floating.awayteam").exists()
    with pytest.raises(PermissionDenied):
        services.team_update(actor=users.field_b, team=team, data={"leader_name": "赵"})
    services.team_dissolve(actor=users.field_a, team=team, dissolved_on=D(2026, 11, 1))
    outflow.refresh_from_db()
    assert outflow.team is None and team.dissolved_on == D(2026, 11, 1)
    with pytest.raises(ValidationError):
        away(factories.person(tree.village_a, "李四", seq=7), D(2026, 3, 1), team=team)


# --------------------------------------------------------------------------- indicator


def values(root, period, level=engine.CHILDREN):
    rows = engine.compute(catalogue.select([INDICATOR]), root, period, level)
    return {r.unit.code: r.values[INDICATOR] for r in rows}


def test_out_migrant_certificate_rate(make_person, users, tree):
    holder = make_person(name="持证", birth_date=D(1995, 1, 1))
    without = make_person(name="无证", birth_date=D(1996, 1, 1))
    home = make_person(name="返乡", birth_date=D(1994, 1, 1))
    old = make_person(name="年长", birth_date=D(1970, 1, 1))
    man = make_person(name="男性", sex="M", birth_date=D(1990, 1, 1))
    issue_now(actor=users.office, kind="migrant_marriage", issuer=tree.town, person=holder,
              issued_on=D(2026, 2, 1))  # fmt: skip
    issue_now(actor=users.office, kind="migrant_marriage", issuer=tree.town, person=home,
              issued_on=D(2026, 2, 1))  # fmt: skip
    for someone in (holder, without, home, old, man):
        away(someone, D(2026, 3, 1))
    back = Outflow.objects.get(person=home)
    services.outflow_return(actor=None, outflow=back, returned_on=D(2026, 8, 1))
    q3 = values(tree.town, parse("2026Q3"))
    a = q3[tree.village_a.code]
    # out-migrant women 15–49 of A on 30 September: the holder and the one without; the
    # one who came home in August is out of the denominator, the old one is 56
    assert (a.numerator, a.denominator, a.value) == (1, 2, 50.0)
    b = q3[tree.village_b.code]  # an empty unit
    assert (b.numerator, b.denominator, b.value) == (0, 0, None)
    # before she came home, she counted (Q2: three women, two with a certificate)
    q2 = values(tree.town, parse("2026Q2"))[tree.village_a.code]
    assert (q2.numerator, q2.denominator) == (2, 3)
    indicator = catalogue.get(INDICATOR)
    assert indicator.semantics == engine.AS_OF_END and "流出" in indicator.definition_zh


# --------------------------------------------------------------------------- §0


def _pack_with_clause(clause: str) -> str:
    text = (PACKS_DIR / "default-2026.yaml").read_text("utf-8")
    old = "      - 流出人员外出期间保持联系方式畅通，联系方式变化时告知户籍地计生办。"
    assert old in text
    return text.replace(old, f"      - {clause}")


@pytest.mark.parametrize(
    ("clause", "words"),
    [
        ("违反协议者处以罚款。", "罚"),
        ("未按期查验者扣发其奖励扶助金。", "扣发"),
        ("不签订协议的，取消其享受的计划生育奖励扶助待遇。", "取消"),
        ("逾期不返回查验的，给予处分。", "处分"),
    ],
)
def test_a_penalty_clause_is_refused_by_the_pack_loader(clause, words):
    from jisheng.policy.loader import PackInvalid, parse_pack

    with translation.override("zh-hans"), pytest.raises(PackInvalid) as excinfo:
        parse_pack(_pack_with_clause(clause))
    message = str(excinfo.value)
    assert "floating.agreement.clauses[0]" in message
    assert words in message and "SPEC 第 0 节" in message


def test_a_service_clause_is_accepted():
    from jisheng.policy.loader import parse_pack

    parsed = parse_pack(_pack_with_clause("户籍地计生办每季度与流出人员联系一次，提供政策咨询。"))
    assert parsed.pack.floating is not None


def test_nothing_is_computed_against_her():
    """SPEC §0: the people-away code records services and contacts; no function of it
    computes a fine, a penalty, a sanction or an escalation, and a missed contact or an
    agreement not signed is work for the office (the worklist), nothing else."""
    import inspect

    from jisheng.floating import (
        api_outflows,
        indicators_outflows,
        selectors_outflows,
        services_outflows,
        views_outflows,
        worklist_outflows,
    )

    words = ("fine", "penalt", "sanction", "escalat", "punish", "罚", "处分", "扣发")
    for module in (services_outflows, selectors_outflows, worklist_outflows,
                   indicators_outflows, api_outflows, views_outflows):  # fmt: skip
        names = [n.lower() for n, _ in inspect.getmembers(module, inspect.isfunction)]
        assert not [n for n in names for w in words if w in n], module.__name__
    indicator = catalogue.get(INDICATOR)
    assert indicator.measures == "service"
    assert worklist.OUTFLOW_DUE_SOURCE.permission == "floating.add_outflow"


def test_the_record_follows_events_recorded_in_the_people_app(person, make_person):
    outflow = away(person, D(2026, 3, 1))
    people_services.event_record(actor=None, person=person, kind=EventKind.RETURN,
                                 date=D(2026, 7, 1))  # fmt: skip
    outflow.refresh_from_db()
    assert (outflow.status, outflow.returned_on) == (OutflowStatus.RETURNED, D(2026, 7, 1))
    assert AuditEvent.objects.filter(
        action="update", object_type="floating.outflow", object_id=str(outflow.pk)
    ).exists()
    died = away(make_person(name="周敏"), D(2026, 3, 1))
    people_services.event_record(actor=None, person=died.person, kind=EventKind.DEATH,
                                 date=D(2026, 8, 1))  # fmt: skip
    died.refresh_from_db()
    assert died.status == OutflowStatus.CANCELLED
    wrong = away(make_person(name="吴丽"), D(2026, 3, 1))
    flow_out = LifeEvent.objects.get(person=wrong.person, kind=EventKind.FLOW_OUT)
    people_services.event_correct(actor=None, event=flow_out, reason="录错")
    wrong.refresh_from_db()
    assert wrong.status == OutflowStatus.CANCELLED
