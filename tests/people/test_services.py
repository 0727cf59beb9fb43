import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jisheng.core import crypto
from jisheng.core.models import AuditEvent
from jisheng.people import selectors, services
from jisheng.people.models import LifeEvent, Person, PersonPeriod, Transfer
from tests import factories

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_register_stores_encrypted_id_hash_and_mask(tree):
    number = factories.id_number(D(1990, 5, 17), "F", 7)
    person = services.person_register(
        actor=None,
        name="张丽",
        sex="F",
        birth_date=D(1990, 5, 17),
        unit=tree.village_a,
        id_number=number,
        registered_on=D(2020, 1, 1),
    )
    person.refresh_from_db()
    assert number not in person.id_number_encrypted
    assert crypto.decrypt(person.id_number_encrypted) == number
    assert person.id_masked == number[:6] + "*" * 12
    assert (person.name_pinyin, person.name_initials) == ("zhangli", "zl")
    assert services.find_by_id_number(number.lower()) == person
    assert person.periods.count() == 1
    assert AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)).exists()
    assert number not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


@pytest.mark.parametrize(
    ("number", "birth", "sex", "field", "text"),
    [
        ("11010519900517002", D(1990, 5, 17), "F", "id_number", "18 characters"),
        ("110105199005170021", D(1990, 5, 17), "F", "id_number", "check character"),
        ("110105199002310020", D(1990, 2, 28), "F", "id_number", "not a real date"),
        ("990100199005170024", D(1990, 5, 17), "F", "id_number", "region"),
    ],
)
def test_bad_id_numbers(tree, number, birth, sex, field, text):
    from stdnum.cn import ric

    if text != "check character":  # give every other case a right check digit
        number = (
            number[:17] + ric.calc_check_digit(number[:17] + "0") if len(number) == 18 else number
        )
    with pytest.raises(ValidationError) as exc:
        services.person_register(
            actor=None, name="甲", sex=sex, birth_date=birth, unit=tree.village_a, id_number=number
        )
    assert text in " ".join(exc.value.message_dict[field])
    assert Person.objects.count() == 0


def test_id_must_agree_with_birth_date_and_sex(tree):
    number = factories.id_number(D(1990, 5, 17), "F")
    with pytest.raises(ValidationError) as exc:
        services.person_register(
            actor=None,
            name="甲",
            sex="M",
            birth_date=D(1990, 5, 18),
            unit=tree.village_a,
            id_number=number,
        )
    assert "1990-05-17" in exc.value.message_dict["birth_date"][0]
    assert "female" in exc.value.message_dict["sex"][0]


def test_duplicate_id_refused_and_no_id_allowed_with_flag(tree):
    factories.person(tree.village_a)
    with pytest.raises(ValidationError) as exc:
        factories.person(tree.village_b)
    assert "already registered" in exc.value.message_dict["id_number"][0]
    baby = services.person_register(
        actor=None,
        name="小宝",
        sex="M",
        birth_date=D(2026, 1, 2),
        unit=tree.village_a,
        id_status="newborn",
        registered_on=D(2026, 1, 5),
    )
    assert baby.id_hash == "" and baby.id_masked == ""


def test_register_outside_scope_is_denied(tree, users):
    with pytest.raises(PermissionDenied):
        services.person_register(
            actor=users.field_a,
            name="甲",
            sex="F",
            birth_date=D(1990, 1, 1),
            unit=tree.village_b,
            id_status="other",
        )
    assert AuditEvent.objects.filter(action="denied", username="field_a").exists()


def test_as_of_across_a_move_and_a_marriage(tree, users):
    woman = factories.person(tree.village_a, birth_date=D(1990, 5, 17), registered_on=D(2010, 1, 1))
    services.event_record(actor=users.office, person=woman, kind="marriage", date=D(2015, 3, 1))
    services.event_record(
        actor=users.office,
        person=woman,
        kind="internal_transfer",
        date=D(2018, 7, 1),
        data={"unit": tree.community},
    )

    def married_in(unit, day):
        return selectors.wra_as_of(user=users.office, day=day, unit=unit, married=True).count()

    assert married_in(tree.village_a, D(2015, 2, 28)) == 0  # not yet married
    assert married_in(tree.village_a, D(2015, 3, 1)) == 1
    assert married_in(tree.village_a, D(2018, 6, 30)) == 1
    assert married_in(tree.village_a, D(2018, 7, 1)) == 0  # moved away
    assert married_in(tree.community, D(2018, 7, 1)) == 1
    assert married_in(tree.county, D(2040, 5, 16)) == 1  # aged 49
    assert married_in(tree.county, D(2040, 5, 17)) == 0  # turned 50
    woman.refresh_from_db()
    assert woman.unit == tree.community and woman.marital_status == "first_marriage"


def test_wra_age_bounds_and_scope(tree, users):
    factories.person(tree.village_a, birth_date=D(2005, 6, 1), seq=1)  # 15 on 2020-06-01
    factories.person(tree.village_b, birth_date=D(1980, 1, 1), seq=2)
    day = D(2020, 6, 1)
    assert selectors.wra_as_of(user=users.office, day=day).count() == 2
    assert selectors.wra_as_of(user=users.office, day=D(2020, 5, 31)).count() == 1
    assert selectors.wra_as_of(user=users.field_a, day=day).count() == 1


def test_correction_reverses_and_history_is_kept(tree, users):
    woman = factories.person(tree.village_a, registered_on=D(2010, 1, 1))
    marriage = services.event_record(
        actor=users.office, person=woman, kind="marriage", date=D(2015, 3, 1)
    )
    divorce = services.event_record(
        actor=users.office, person=woman, kind="divorce", date=D(2019, 1, 1)
    )
    with pytest.raises(ValidationError):  # the divorce needs the marriage
        services.event_correct(actor=users.office, event=marriage, reason="录入错误")
    with pytest.raises(ValidationError):
        services.event_correct(actor=users.office, event=divorce, reason=" ")
    services.event_correct(actor=users.office, event=divorce, reason="录入错误")
    woman.refresh_from_db()
    assert woman.marital_status == "first_marriage"
    assert LifeEvent.objects.filter(person=woman).count() == 4  # nothing deleted
    with pytest.raises(ValidationError):
        services.event_correct(actor=users.office, event=divorce, reason="again")


def test_impossible_event_writes_nothing(tree, users):
    woman = factories.person(tree.village_a, registered_on=D(2010, 1, 1))
    before = (LifeEvent.objects.count(), PersonPeriod.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        services.event_record(actor=users.office, person=woman, kind="divorce", date=D(2015, 1, 1))
    with pytest.raises(ValidationError):
        services.event_record(actor=users.office, person=woman, kind="marriage", date=D(2009, 1, 1))
    with pytest.raises(ValidationError):
        services.event_record(
            actor=users.office,
            person=woman,
            kind="marriage",
            date=timezone.localdate() + dt.timedelta(days=1),
        )
    assert before == (
        LifeEvent.objects.count(),
        PersonPeriod.objects.count(),
        AuditEvent.objects.count(),
    )


def test_departure_opens_transfer_and_completion_issues_clearance(tree, users):
    from jisheng.people import transfers

    man = factories.person(tree.shaft, name="李强", sex="M", birth_date=D(1970, 3, 3))
    services.event_record(
        actor=users.office, person=man, kind="retirement", date=D(2025, 3, 3), data={"to": "青石镇"}
    )
    transfer = Transfer.objects.get(person=man)
    assert transfer.status == "open" and transfer.receiving_name == "青石镇"
    assert list(selectors.transfers_open(user=users.office)) == [transfer]
    assert list(selectors.transfers_open(user=users.field_a)) == []
    with pytest.raises(ValidationError):
        transfers.transfer_complete(
            actor=users.office, transfer=transfer, completed_on=D(2025, 3, 10), records_handed=""
        )
    transfers.transfer_complete(
        actor=users.office,
        transfer=transfer,
        completed_on=D(2025, 3, 10),
        records_handed="信息卡、随访卡",
    )
    transfer.refresh_from_db()
    assert transfer.status == "completed"
    assert transfer.clearance_number == "YJMINE01-01-2025-0001"
    assert list(selectors.transfers_open(user=users.office)) == []


def test_correcting_a_departure_cancels_its_transfer(tree, users):
    man = factories.person(tree.shaft, name="李强", sex="M", birth_date=D(1970, 3, 3))
    event = services.event_record(
        actor=users.office, person=man, kind="leave_employment", date=D(2025, 3, 3)
    )
    services.event_correct(actor=users.office, event=event, reason="误录")
    transfer = Transfer.objects.get(person=man)
    assert transfer.status == "cancelled"
    assert AuditEvent.objects.filter(
        object_type="people.transfer", object_id=str(transfer.pk), action="update"
    ).exists()
    assert list(selectors.transfers_open(user=users.office)) == []
