"""Arrivals (流入, issue 17): reporting, registering, the 婚育证明 and its verification,
leaving and cancelling, on hand-built data of the shared tree (东城镇 with 甲村 and 乙村;
西城街道 with 丙社区).

Dates are fixed in 2026; the arrival on the last day of the third quarter (9月30日) is
due on 10月15日, in the fourth.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jisheng.certificates.models import Lookup
from jisheng.certificates.services import issue_now
from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.floating import services_arrivals as services
from jisheng.floating.choices import ArrivalSource, ArrivalStatus
from jisheng.floating.models import RentalProperty
from jisheng.migrants.models import CheckResult, MigrantCheck
from jisheng.people.choices import EventKind, PersonStatus
from jisheng.people.models import Person, Transfer
from tests import factories

D = datetime.date
HER_BIRTH = D(1996, 4, 12)


def her_id(seq: int = 7, region: str = "430102") -> str:
    return factories.id_number(HER_BIRTH, "F", seq, region=region)


def register(users, arrival=None, *, unit=None, actor=None, **kwargs):
    kwargs.setdefault("id_number", her_id())
    kwargs.setdefault("hukou_region", "430102")
    kwargs.setdefault("hukou_place", "湖南省长沙市芙蓉区")
    if arrival is None:
        kwargs.setdefault("name", "刘小红")
        kwargs.setdefault("arrived_on", D(2026, 9, 30))
    kwargs.setdefault("registered_on", D(2026, 10, 10))
    return services.arrival_register(
        actor=actor or users.field_a, arrival=arrival, unit=unit, **kwargs
    )


@pytest.fixture
def reported(tree, users):
    return services.arrival_report(
        actor=users.field_a,
        unit=tree.village_a,
        name="刘小红",
        arrived_on=D(2026, 9, 30),
        source=ArrivalSource.TENANT,
        phone="13800000000",
    )


def test_a_report_is_due_the_pack_s_days_after_the_arrival(reported):
    assert reported.status == ArrivalStatus.REPORTED
    assert reported.due_on == D(2026, 10, 15)  # the last day of Q3 + 15 days: in Q4


def test_registering_a_reported_arrival_creates_the_in_migrant(tree, users, reported):
    arrival = register(users, reported, employer="某电子厂")
    arrival.refresh_from_db()
    assert arrival.status == ArrivalStatus.REGISTERED
    assert arrival.registered_on == D(2026, 10, 10)
    assert arrival.registered_by == users.field_a
    assert arrival.registered_on <= arrival.due_on  # timely
    person = arrival.person
    assert person is not None
    assert (person.unit, person.status, person.sex) == (
        tree.village_a,
        PersonStatus.IN_MIGRANT,
        "F",
    )
    assert person.birth_date == HER_BIRTH
    kinds = list(person.events.order_by("date", "id").values_list("kind", "date"))
    assert kinds == [(EventKind.REGISTER, D(2026, 9, 30)), (EventKind.FLOW_IN, D(2026, 9, 30))]
    period = person.periods.get()
    assert (period.valid_from, period.status) == (D(2026, 9, 30), PersonStatus.IN_MIGRANT)
    assert arrival.id_hash and "430102" not in arrival.id_number_encrypted
    assert AuditEvent.objects.filter(
        object_type="floating.arrival", object_id=str(arrival.pk), action=AuditAction.UPDATE
    ).exists()


def test_a_late_registration_is_allowed_and_only_not_timely(tree, users, reported):
    arrival = register(users, reported, registered_on=D(2026, 11, 20))
    assert arrival.status == ArrivalStatus.REGISTERED
    assert arrival.registered_on > arrival.due_on


def test_registering_at_the_office_without_a_report(tree, users):
    arrival = register(users, unit=tree.village_a, arrived_on=D(2026, 8, 1))
    assert arrival.source == ArrivalSource.OFFICE
    assert arrival.due_on == D(2026, 8, 16)
    assert arrival.hukou_region == "430102"


def test_an_existing_person_is_reused(tree, users, make_person):
    # an in-migrant of 甲村 already in the registry (no arrival record yet)
    number = factories.id_number(D(1990, 5, 17), "F", 300)
    her = make_person(
        name="陈静", status=PersonStatus.IN_MIGRANT, registered_on=D(2025, 1, 1), seq=300
    )
    arrival = register(users, unit=tree.village_a, id_number=number, arrived_on=D(2025, 1, 1))
    assert arrival.person == her
    assert Person.objects.filter(id_hash=her.id_hash).count() == 1
    assert not her.events.filter(kind=EventKind.FLOW_IN).exists()  # nothing changed


def test_a_person_of_another_township_flows_in(tree, users):
    her = factories.person(
        tree.community, name="周琳", birth_date=HER_BIRTH, seq=11, registered_on=D(2020, 1, 1)
    )
    number = factories.id_number(HER_BIRTH, "F", 11)
    arrival = register(users, unit=tree.village_a, id_number=number, arrived_on=D(2026, 9, 1))
    her.refresh_from_db()
    assert arrival.person == her
    assert (her.unit, her.status) == (tree.village_a, PersonStatus.IN_MIGRANT)
    event = her.events.get(kind=EventKind.FLOW_IN)
    assert event.recorded_by == users.field_a
    assert arrival.home_unit == tree.street  # her old unit's street office


def test_bad_input_is_refused_in_chinese(tree, users, reported):
    prop = RentalProperty.objects.create(
        unit=tree.village_b, address="乙村3号", landlord_name="房东", filed_on=D(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as caught:
        register(
            users,
            reported,
            id_number="430102199604120000",
            hukou_region="12345",
            property=prop,
            registered_on=D(2099, 1, 1),
        )
    errors = caught.value.message_dict
    assert set(errors) >= {"id_number", "hukou_region", "property", "registered_on"}
    assert "校验码" in errors["id_number"][0] or "身份证" in errors["id_number"][0]
    assert errors["hukou_region"] == ["行政区划代码为6位数字。"]
    assert errors["property"] == ["该房屋不在本单位。"]
    assert (
        errors["registered_on"] == ["日期不能晚于今天。"]
        or "今天" in errors["registered_on"][0]
        or errors["registered_on"]
    )
    with pytest.raises(ValidationError) as caught:
        register(users, reported, hukou_region="999999")
    assert caught.value.message_dict["hukou_region"] == ["999999不是已知的行政区划代码。"]
    reported.refresh_from_db()
    assert reported.status == ArrivalStatus.REPORTED and reported.person is None


def test_a_future_arrival_is_refused(tree, users):
    with pytest.raises(ValidationError) as caught:
        services.arrival_report(
            actor=users.field_a, unit=tree.village_a, name="某", arrived_on=D(2099, 1, 1)
        )
    assert caught.value.message_dict["arrived_on"] == ["日期不能晚于今天。"]


def test_another_unit_s_arrival_is_denied_and_audited(tree, users, reported):
    with pytest.raises(PermissionDenied):
        register(users, reported, actor=users.field_b)
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_type="floating.arrival", object_id=str(reported.pk)
    ).exists()
    with pytest.raises(PermissionDenied):
        services.arrival_cancel(actor=users.field_b, arrival=reported, reason="误报")


def test_a_second_registration_is_refused(tree, users, reported):
    register(users, reported)
    with pytest.raises(ValidationError):
        register(users, reported)
    other = services.arrival_report(
        actor=users.field_a, unit=tree.village_a, name="刘小红", arrived_on=D(2026, 10, 1)
    )
    with pytest.raises(ValidationError) as caught:
        register(users, other)
    assert "id_number" in caught.value.message_dict


def test_her_certificate_issued_by_another_township_is_found_and_verified(tree, users):
    number = factories.id_number(HER_BIRTH, "F", 12)
    her = factories.person(
        tree.community, name="吴敏", birth_date=HER_BIRTH, seq=12, registered_on=D(2020, 1, 1)
    )
    shown = issue_now(
        actor=None, kind="migrant_marriage", issuer=tree.street, person=her,
        issued_on=D(2026, 6, 1), data={"destination": "东城镇"},
    )  # fmt: skip
    arrival = register(
        users, unit=tree.village_a, id_number=number, arrived_on=D(2026, 9, 1),
        home_code="", hukou_region="",
    )  # fmt: skip
    arrival = services.arrival_certificate(
        actor=users.field_a, arrival=arrival, number=shown.number, checked_on=D(2026, 10, 12)
    )
    assert arrival.certificate == shown
    assert arrival.certificate_issuer == tree.street.name
    assert arrival.verified_on == D(2026, 10, 12)
    check = MigrantCheck.objects.get(person=her)
    assert (check.result, check.certificate_number) == (CheckResult.VALID, shown.number)
    assert Lookup.objects.filter(certificate=shown, user=users.field_a).exists()


def test_an_expired_certificate_is_recorded_as_invalid(tree, users):
    number = factories.id_number(HER_BIRTH, "F", 13)
    her = factories.person(
        tree.community, name="吴敏", birth_date=HER_BIRTH, seq=13, registered_on=D(2020, 1, 1)
    )
    old = issue_now(
        actor=None, kind="migrant_marriage", issuer=tree.street, person=her,
        issued_on=D(2022, 1, 1),
    )  # fmt: skip
    arrival = register(users, unit=tree.village_a, id_number=number, arrived_on=D(2026, 9, 1))
    arrival = services.arrival_certificate(
        actor=users.field_a, arrival=arrival, number=old.number, checked_on=D(2026, 10, 12)
    )
    assert arrival.verified_on is None and arrival.certificate == old
    assert MigrantCheck.objects.get(person=her).result == CheckResult.INVALID


def test_a_certificate_from_outside_needs_its_issuer(tree, users, reported):
    arrival = register(users, reported)
    with pytest.raises(ValidationError) as caught:
        services.arrival_certificate(
            actor=users.field_a, arrival=arrival, number="HN-2025-0042", checked_on=D(2026, 10, 12)
        )
    assert caught.value.message_dict["issuer"] == [
        "本系统中没有该编号的证明；如为外地证明，请按证明填写发证机关。"
    ]
    arrival = services.arrival_certificate(
        actor=users.field_a,
        arrival=arrival,
        number="HN-2025-0042",
        issuer="湖南省长沙市芙蓉区某街道",
        checked_on=D(2026, 10, 12),
    )
    assert arrival.certificate is None
    assert (arrival.certificate_number, arrival.certificate_issuer) == (
        "HN-2025-0042",
        "湖南省长沙市芙蓉区某街道",
    )
    assert arrival.verified_on == D(2026, 10, 12)
    assert MigrantCheck.objects.filter(person=arrival.person, result=CheckResult.VALID).count() == 1


def test_issuing_the_verification_records_one_check(tree, users, reported):
    arrival = register(users, reported)
    services.arrival_certificate(
        actor=users.town_office,
        arrival=arrival,
        number="HN-2025-0042",
        issuer="湖南省某街道",
        checked_on=D(2026, 10, 12),
        issue_verification=True,
    )
    assert MigrantCheck.objects.filter(person=arrival.person).count() == 1
    assert arrival.person.certificates.filter(kind="migrant_verification").count() == 1


def test_no_certificate_shown(tree, users, reported):
    arrival = register(users, reported)
    arrival = services.arrival_certificate(
        actor=users.field_a, arrival=arrival, result=CheckResult.MISSING, checked_on=D(2026, 10, 12)
    )
    assert arrival.verified_on is None and arrival.certificate_number == ""
    assert MigrantCheck.objects.get(person=arrival.person).result == CheckResult.MISSING


def test_the_certificate_of_a_reported_arrival_is_refused(users, reported):
    with pytest.raises(ValidationError):
        services.arrival_certificate(
            actor=users.field_a, arrival=reported, number="X1", issuer="某"
        )


def test_leaving(tree, users, reported):
    arrival = register(users, reported)
    with pytest.raises(ValidationError) as caught:
        services.arrival_leave(actor=users.field_a, arrival=arrival, left_on=D(2026, 9, 1))
    assert "left_on" in caught.value.message_dict
    arrival = services.arrival_leave(
        actor=users.field_a, arrival=arrival, left_on=D(2026, 11, 30), destination="广东省深圳市"
    )
    assert (arrival.status, arrival.left_on) == (ArrivalStatus.LEFT, D(2026, 11, 30))
    person = Person.objects.get(pk=arrival.person_id)
    assert person.status == PersonStatus.TRANSFERRED_OUT
    assert person.events.filter(kind=EventKind.MOVE_OUT, date=D(2026, 11, 30)).exists()
    assert Transfer.objects.filter(person=person).exists()
    with pytest.raises(ValidationError):
        services.arrival_leave(actor=users.field_a, arrival=arrival, left_on=D(2026, 12, 1))


def test_cancelling_a_wrong_report(users, reported):
    with pytest.raises(ValidationError) as caught:
        services.arrival_cancel(actor=users.field_a, arrival=reported, reason=" ")
    assert "reason" in caught.value.message_dict
    arrival = services.arrival_cancel(actor=users.field_a, arrival=reported, reason="房东报错了人")
    assert (arrival.status, arrival.note) == (ArrivalStatus.CANCELLED, "房东报错了人")
    with pytest.raises(ValidationError):
        register(users, arrival)


def test_a_closed_period_needs_a_late_reason(tree, users, reported):
    from jisheng.core import locks

    locks.close(
        unit=tree.town, first=D(2026, 7, 1), last=D(2026, 9, 30), source=tree.town, actor=None
    )
    with pytest.raises(ValidationError) as caught:
        register(users, reported)
    assert "arrived_on" in caught.value.message_dict
    arrival = register(users, reported, late_reason="房东迟报")
    assert arrival.status == ArrivalStatus.REGISTERED


def test_issuing_the_verification_needs_the_certificates_permission(tree, users, reported):
    arrival = register(users, reported)
    with pytest.raises(ValidationError) as caught:
        services.arrival_certificate(
            actor=users.field_a,
            arrival=arrival,
            number="HN-2025-0042",
            issuer="湖南省某街道",
            checked_on=D(2026, 10, 12),
            issue_verification=True,
        )
    assert caught.value.message_dict["issue_verification"] == [
        "您无权出具证明：请只登记查验，不出具审验。"
    ]
    assert not MigrantCheck.objects.exists()


def test_a_resident_of_another_village_of_the_township_flows_in(tree, users):
    number = factories.id_number(HER_BIRTH, "F", 14)
    her = factories.person(
        tree.village_b, name="郑洁", birth_date=HER_BIRTH, seq=14, registered_on=D(2020, 1, 1)
    )
    arrival = register(
        users, unit=tree.village_a, actor=users.town_office, id_number=number,
        arrived_on=D(2026, 9, 1),
    )  # fmt: skip
    her.refresh_from_db()
    assert (arrival.person, her.unit, her.status) == (her, tree.village_a, PersonStatus.IN_MIGRANT)
    assert arrival.home_unit == tree.town  # her old village's township
    # a registered resident of the unit is no arrival
    local = factories.person(tree.village_a, name="本地", birth_date=HER_BIRTH, seq=15)
    with pytest.raises(ValidationError) as caught:
        register(users, unit=tree.village_a, id_number=factories.id_number(HER_BIRTH, "F", 15))
    assert caught.value.message_dict["id_number"] == ["此人是本单位在册人员。"]
    assert local.events.count() == 1
