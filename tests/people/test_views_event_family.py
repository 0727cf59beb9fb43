"""Marriage and divorce on the one event form (issue 3 item 5): a marriage names the
spouse (registered, or outside the registry) and creates the couple through
``family.couple_create``; a divorce ends the open couple through ``family.couple_end``.
Bad input (no spouse, spouse already married, divorce without a marriage, dates, scope)
is shown on the form with the entered values kept, and writes nothing."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from jisheng.core.models import AuditEvent
from jisheng.people import family
from jisheng.people.models import Couple, LifeEvent, Person
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
REGISTERED = D(2020, 1, 1)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def folk(tree):
    a, b = tree.village_a, tree.village_b
    return SimpleNamespace(
        fang=factories.person(a, "王芳", "F", D(1995, 5, 17), seq=1),
        qiang=factories.person(a, "李强", "M", D(1993, 3, 2), seq=2),
        wei=factories.person(a, "张伟", "M", D(1980, 1, 1), seq=3),
        li=factories.person(a, "陈丽", "F", D(1982, 1, 1), seq=4),
        gang=factories.person(b, "赵刚", "M", D(1990, 1, 1), seq=5),
        hong=factories.person(a, "孙红", "F", D(1996, 1, 1), seq=6),
    )


def event_url(person: Person) -> str:
    return reverse("people:event_create", args=[person.pk])


def snapshot():
    return (
        Couple.objects.count(),
        LifeEvent.objects.count(),
        AuditEvent.objects.filter(action__in=("create", "update")).count(),
    )


def errors_of(response) -> dict[str, list[str]]:
    return response.context["form"].errors


# --------------------------------------------------------------------------- the form


def test_form_shows_the_marriage_and_divorce_fields_for_their_kinds(client, users, folk):
    client.force_login(users.field_a)  # Chinese
    response = client.get(event_url(folk.fang))
    html = response.content.decode()
    assert 'data-event-kinds="marriage"' in html
    assert 'data-event-kinds="divorce"' in html
    # the person picker of the couple form, searching the other sex
    assert reverse("people:family_person_pick") in html
    assert '"field": "spouse", "sex": "M"' in html
    # without JavaScript every field is in the page (the server drops the others)
    for name in ("outside_name", "outside_id_number", "outside_work_unit", "outside_phone"):
        assert f'name="{name}"' in html
    assert "配偶姓名" in html and "结婚" in html and "离婚" in html
    # no open marriage: the divorce would be an event only
    assert 'data-testid="no-open-marriage"' in html


def test_the_picker_finds_the_spouse_in_scope(client, users, folk):
    client.force_login(users.field_a)
    response = client.get(
        reverse("people:family_person_pick"), {"field": "spouse", "spouse_q": "lq", "sex": "M"}
    )
    assert "李强" in response.content.decode()
    response = client.get(
        reverse("people:family_person_pick"), {"field": "spouse", "spouse_q": "zg", "sex": "M"}
    )
    assert "赵刚" not in response.content.decode()  # village B: outside field_a's scope


def test_open_couple_is_offered_and_preselected(client, users, folk):
    couple = family.couple_create(
        actor=None, married_on=D(2021, 1, 1), wife=folk.fang, husband=folk.qiang
    )
    client.force_login(users.field_a)
    form = client.get(event_url(folk.fang)).context["form"]
    assert [pk for pk, _label in form.fields["couple"].choices if pk] == [couple.pk]
    assert form.fields["couple"].initial == couple.pk
    assert "李强" in dict(form.fields["couple"].choices)[couple.pk]


# --------------------------------------------------------------------------- marriage


def test_marriage_with_a_registered_spouse_creates_the_couple(english, users, folk):
    client = english
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.fang),
        {"kind": "marriage", "date": "2024-05-01", "spouse": folk.qiang.pk, "note": "登记结婚"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_detail", args=[folk.fang.pk]) + "#family"
    couple = Couple.objects.get()
    assert (couple.wife, couple.husband, couple.married_on) == (
        folk.fang,
        folk.qiang,
        D(2024, 5, 1),
    )
    assert couple.unit == folk.fang.unit
    for person in (folk.fang, folk.qiang):
        person.refresh_from_db()
        assert person.marital_status == "first_marriage"
        event = person.events.get(kind="marriage")
        assert event.data["couple_id"] == couple.pk
        assert event.note == "登记结婚"
        assert event.recorded_by == users.field_a
    assert AuditEvent.objects.filter(
        action="create", object_type="people.couple", object_id=str(couple.pk), user=users.field_a
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Marriage recorded for 王芳" in page
    assert 'data-testid="couple"' in page


def test_marriage_of_a_man_makes_him_the_husband(english, users, folk):
    client = english
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.qiang), {"kind": "marriage", "date": "2024-05-01", "spouse": folk.fang.pk}
    )
    assert response.status_code == 302
    couple = Couple.objects.get()
    assert (couple.wife, couple.husband) == (folk.fang, folk.qiang)


def test_marriage_with_an_outside_spouse(english, users, folk):
    client = english
    number = factories.id_number(D(1992, 2, 3), "M", 40)
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.fang),
        {
            "kind": "marriage",
            "date": "2024-05-01",
            "outside_name": "外地人",
            "outside_id_number": number,
            "outside_work_unit": "外县机械厂",
            "outside_township": "外县城关镇",
            "outside_phone": "13900001111",
        },
    )
    assert response.status_code == 302
    couple = Couple.objects.get()
    assert couple.wife == folk.fang and couple.husband is None
    assert couple.outside_name == "外地人"
    assert couple.outside_sex == "M"
    assert couple.outside_work_unit == "外县机械厂"
    assert couple.outside_township == "外县城关镇"
    assert couple.outside_phone == "13900001111"
    assert couple.outside_id_masked == number[:6] + "*" * 12
    assert number not in couple.outside_id_encrypted
    folk.fang.refresh_from_db()
    assert folk.fang.marital_status == "first_marriage"
    assert folk.fang.events.get(kind="marriage").data["spouse"] == "外地人"


def test_spouse_fields_of_other_kinds_are_ignored(english, users, folk):
    """Without JavaScript the marriage fields are posted with any kind: they are dropped."""
    client = english
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.fang),
        {
            "kind": "flow_out",
            "date": "2024-05-01",
            "spouse": folk.qiang.pk,
            "outside_name": "外地人",
            "outside_id_number": "bad",
            "couple": "12345",
        },
    )
    assert response.status_code == 302
    assert not Couple.objects.exists()
    assert folk.fang.events.get(kind="flow_out").data == {}


def _married(folk):
    """张伟 and 陈丽: married since 2021 (open couple)."""
    return family.couple_create(
        actor=None, married_on=D(2021, 6, 1), wife=folk.li, husband=folk.wei
    )


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({}, "spouse", "Choose the spouse from the registry"),
        ({"outside_work_unit": "某厂"}, "outside_name", "Give the name"),
        ({"spouse": "wei"}, "spouse", "in another marriage"),
        ({"spouse": "qiang", "outside_name": "外地人"}, "outside_name", "leave the outside"),
        ({"spouse": "gang"}, "spouse", "Choose a person from the search results"),
        ({"spouse": "hong"}, "spouse", "registered as a woman"),
        ({"spouse": "fang"}, "spouse", "not the person"),
        ({"spouse": "qiang", "date": "2019-12-31"}, "date", "before the person's registration"),
        ({"spouse": "qiang", "date": "2099-01-01"}, "date", "future"),
        ({"spouse": "qiang", "date": "2024-02-30"}, "date", "valid date"),
        (
            {"outside_name": "外地人", "outside_id_number": "BADCHECKSUM"},
            "outside_id_number",
            "check character",
        ),
        ({"outside_name": "外地人", "outside_phone": "电话"}, "outside_phone", "only digits"),
        (
            {"outside_name": "外地人", "outside_id_number": "registered"},
            "outside_id_number",
            "in the registry",
        ),
    ],
)
def test_bad_marriage_input_keeps_the_values_and_writes_nothing(
    english, users, folk, data, field, text
):
    client = english
    _married(folk)
    data = dict(data)
    if isinstance(data.get("spouse"), str):
        data["spouse"] = getattr(folk, data["spouse"]).pk
    if data.get("outside_id_number") == "registered":
        data["outside_id_number"] = factories.id_number(D(1993, 3, 2), "M", 2)  # 李强
    if data.get("outside_id_number") == "BADCHECKSUM":
        good = factories.id_number(D(1992, 2, 3), "M", 40)
        data["outside_id_number"] = good[:-1] + ("1" if good[-1] != "1" else "2")
    client.force_login(users.field_a)
    before = snapshot()
    response = client.post(
        event_url(folk.fang),
        {"kind": "marriage", "date": "2024-05-01", "note": "备注保留", **data},
    )
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors, errors
    assert text.lower() in " ".join(errors[field]).lower(), errors[field]
    assert snapshot() == before
    folk.fang.refresh_from_db()
    assert folk.fang.marital_status == "single"
    html = response.content.decode()
    assert "备注保留" in html  # the entered values are kept
    if data.get("outside_name"):
        assert f'value="{data["outside_name"]}"' in html


def test_the_chosen_spouse_is_shown_again_after_an_error(english, users, folk):
    client = english
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.fang), {"kind": "marriage", "date": "2099-01-01", "spouse": folk.qiang.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="spouse" value="{folk.qiang.pk}" checked' in html
    assert "李强" in html


def test_a_spouse_out_of_scope_is_audited(english, users, folk):
    client = english
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.fang), {"kind": "marriage", "date": "2024-05-01", "spouse": folk.gang.pk}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action="denied", object_type="people.person", object_id=str(folk.gang.pk)
    ).exists()
    assert not Couple.objects.exists()


def test_marriage_error_in_chinese(client, users, folk):
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.fang), {"kind": "marriage", "date": "2024-05-01", "spouse": folk.gang.pk}
    )
    assert "请从搜索结果中选择人员" in response.content.decode()


def test_the_person_out_of_scope_is_404_and_audited(english, users, folk):
    client = english
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.gang), {"kind": "marriage", "date": "2024-05-01", "outside_name": "某"}
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", object_type="people.person", object_id=str(folk.gang.pk)
    ).exists()
    assert not Couple.objects.exists()


def test_leader_may_not_record(english, users, folk):
    client = english
    client.force_login(users.leader)
    response = client.post(
        event_url(folk.fang), {"kind": "marriage", "date": "2024-05-01", "spouse": folk.qiang.pk}
    )
    assert response.status_code == 403
    assert not Couple.objects.exists()


# --------------------------------------------------------------------------- divorce


def test_divorce_ends_the_only_open_couple(english, users, folk):
    client = english
    couple = _married(folk)
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.li), {"kind": "divorce", "date": "2024-03-01", "note": "协议离婚"}
    )
    assert response.status_code == 302
    couple.refresh_from_db()
    assert couple.ended_on == D(2024, 3, 1)
    assert couple.end_reason == "divorce"
    for person in (folk.li, folk.wei):
        person.refresh_from_db()
        assert person.marital_status == "divorced"
        event = person.events.get(kind="divorce")
        assert event.data == {"couple_id": couple.pk}
        assert event.note == "协议离婚"
    assert AuditEvent.objects.filter(
        action="update", object_type="people.couple", object_id=str(couple.pk), user=users.field_a
    ).exists()


def test_divorce_of_the_chosen_couple(english, users, folk):
    client = english
    couple = _married(folk)
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.wei), {"kind": "divorce", "date": "2024-03-01", "couple": couple.pk}
    )
    assert response.status_code == 302
    couple.refresh_from_db()
    assert couple.end_reason == "divorce"


def test_several_open_marriages_need_a_choice(english, users, folk, tree):
    """Only possible in data entered around the services; the form asks which one."""
    client = english
    first = _married(folk)
    second = Couple.objects.create(
        unit=tree.village_a, husband=folk.wei, outside_name="另一人", married_on=D(2022, 1, 1)
    )
    client.force_login(users.field_a)
    before = snapshot()
    response = client.post(event_url(folk.wei), {"kind": "divorce", "date": "2024-03-01"})
    assert response.status_code == 200
    assert "more than one marriage" in " ".join(errors_of(response)["couple"])
    assert snapshot() == before
    response = client.post(
        event_url(folk.wei), {"kind": "divorce", "date": "2024-03-01", "couple": first.pk}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.ended_on == D(2024, 3, 1) and second.ended_on is None


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"date": "2021-05-01"}, "date", "before the marriage"),
        ({"date": "2099-01-01"}, "date", "future"),
        ({"date": "2019-06-01"}, "date", "before the person's registration"),
        ({"date": "2024-13-01"}, "date", "valid date"),
        ({"date": "2024-03-01", "couple": "999999"}, "couple", "valid choice"),
    ],
)
def test_bad_divorce_input_writes_nothing(english, users, folk, data, field, text):
    client = english
    couple = _married(folk)
    client.force_login(users.field_a)
    before = snapshot()
    response = client.post(event_url(folk.li), {"kind": "divorce", "note": "留着", **data})
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors, errors
    assert text.lower() in " ".join(errors[field]).lower(), errors[field]
    assert snapshot() == before
    couple.refresh_from_db()
    assert couple.ended_on is None
    assert "留着" in response.content.decode()


def test_divorce_without_a_marriage_is_refused(english, users, folk):
    client = english
    client.force_login(users.field_a)
    before = snapshot()
    response = client.post(event_url(folk.fang), {"kind": "divorce", "date": "2024-03-01"})
    assert response.status_code == 200
    assert "not married" in " ".join(errors_of(response)["date"])
    assert snapshot() == before


def test_divorce_of_another_persons_couple_is_refused(english, users, folk):
    client = english
    other = _married(folk)
    client.force_login(users.field_a)
    response = client.post(
        event_url(folk.fang), {"kind": "divorce", "date": "2024-03-01", "couple": other.pk}
    )
    assert response.status_code == 200
    assert "couple" in errors_of(response)
    other.refresh_from_db()
    assert other.ended_on is None


def test_divorce_with_a_spouse_out_of_scope_is_refused_and_audited(english, users, folk):
    client = english
    couple = family.couple_create(
        actor=None, married_on=D(2021, 6, 1), wife=folk.hong, husband=folk.gang
    )
    client.force_login(users.field_a)  # 孙红 is in village A, 赵刚 in village B
    response = client.post(event_url(folk.hong), {"kind": "divorce", "date": "2024-03-01"})
    assert response.status_code == 200
    assert "outside your data scope" in " ".join(errors_of(response)["couple"])
    assert AuditEvent.objects.filter(action="denied", user=users.field_a).exists()
    couple.refresh_from_db()
    assert couple.ended_on is None
    assert not LifeEvent.objects.filter(kind="divorce").exists()


def test_after_a_divorce_a_new_marriage_is_a_remarriage(english, users, folk):
    client = english
    _married(folk)
    client.force_login(users.field_a)
    assert (
        client.post(event_url(folk.li), {"kind": "divorce", "date": "2023-01-01"}).status_code
        == 302
    )
    response = client.post(
        event_url(folk.li), {"kind": "marriage", "date": "2024-01-01", "outside_name": "新配偶"}
    )
    assert response.status_code == 302
    folk.li.refresh_from_db()
    assert folk.li.marital_status == "remarried"
    assert Couple.objects.filter(wife=folk.li, ended_on__isnull=True).count() == 1
