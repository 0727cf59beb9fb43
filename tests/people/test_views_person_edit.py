"""The person edit page: identity details only, through ``services.person_update``
(audited); access (login, permission, scope with an audited denial); bad input keeps the
entered values and writes nothing; state fields cannot be changed here."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from jisheng.core.models import AuditEvent
from jisheng.people import services
from jisheng.people.forms import PersonEditForm
from jisheng.people.models import Person, PersonNameKey
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def people(tree):
    a = factories.person(
        tree.village_a,
        "王芳",
        "F",
        D(1990, 5, 17),
        seq=1,
        phone="13812345678",
        hukou_place="甲村",
        hukou_type="agricultural",
        education="junior",
    )
    b = factories.person(tree.village_b, "李强", "M", D(1985, 3, 2), seq=2)
    return a, b


def edit_url(person: Person) -> str:
    return reverse("people:person_edit", args=[person.pk])


def form_data(person: Person, **changes) -> dict[str, str]:
    data = {name: getattr(person, name) or "" for name in PersonEditForm.base_fields}
    data.update(changes)
    return data


def updates_of(person: Person):
    return AuditEvent.objects.filter(
        action="update", object_type="people.person", object_id=str(person.pk)
    )


def test_the_form_has_exactly_the_fields_the_service_may_change():
    assert set(PersonEditForm.base_fields) == set(services.PERSON_FIELDS)


# --------------------------------------------------------------------------- access


def test_anonymous_goes_to_login(client, people):
    a, _b = people
    response = client.get(edit_url(a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["leader", "auditor"])
def test_without_change_person_403(client, users, people, who):
    a, _b = people
    client.force_login(getattr(users, who))
    assert client.get(edit_url(a)).status_code == 403
    assert client.post(edit_url(a), form_data(a, name="改名")).status_code == 403
    a.refresh_from_db()
    assert a.name == "王芳"
    assert not updates_of(a).exists()


def test_out_of_scope_is_404_and_audited(client, users, people):
    _a, b = people
    client.force_login(users.field_a)
    for method in ("get", "post"):
        before = AuditEvent.objects.filter(action="denied", object_id=str(b.pk)).count()
        response = getattr(client, method)(edit_url(b), form_data(b, name="改名"))
        assert response.status_code == 404, method
        after = AuditEvent.objects.filter(
            action="denied", object_type="people.person", object_id=str(b.pk)
        ).count()
        assert after == before + 1, method
    b.refresh_from_db()
    assert b.name == "李强"
    assert not updates_of(b).exists()


def test_missing_person_is_404(client, users):
    client.force_login(users.office)
    assert client.get(reverse("people:person_edit", args=[999999])).status_code == 404


def test_other_methods_are_refused(client, users, people):
    a, _b = people
    client.force_login(users.office)
    assert client.put(edit_url(a)).status_code == 405


# --------------------------------------------------------------------------- page


def test_page_in_chinese_with_the_current_values_and_the_event_link(client, users, people):
    a, _b = people
    client.force_login(users.field_a)  # default language: Chinese
    response = client.get(edit_url(a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "民族" in html and "保存" in html and "填写信息报告单" in html
    assert 'value="13812345678"' in html
    assert 'value="甲村"' in html
    assert reverse("people:event_create", args=[a.pk]) in html
    assert 'data-testid="state-by-events"' in html
    # usable on a phone: the viewport is set, the phone box opens the number pad
    assert 'name="viewport"' in html
    assert 'type="tel"' in html and 'inputmode="tel"' in html
    # state fields are not on the form
    for name in ("unit", "status", "marital_status", "birth_date", "sex", "id_number"):
        assert f'name="{name}"' not in html


def test_person_page_has_the_edit_button_for_those_allowed(client, users, people):
    a, _b = people
    client.force_login(users.field_a)
    html = client.get(reverse("people:person_detail", args=[a.pk])).content.decode()
    assert f'href="{edit_url(a)}"' in html
    client.force_login(users.leader)
    html = client.get(reverse("people:person_detail", args=[a.pk])).content.decode()
    assert edit_url(a) not in html


# --------------------------------------------------------------------------- saving


def test_save_changes_identity_audits_and_redirects(english, users, people, tree):
    client = english
    a, _b = people
    client.force_login(users.field_a)
    response = client.post(
        edit_url(a),
        form_data(
            a,
            name=" 王  芳华 ",
            ethnicity="回族",
            phone="139-0000-1111",
            hukou_type="resident",
            education="college",
            notes="已核实",
            # state fields sent anyway are ignored
            unit=tree.village_b.code,
            status="deceased",
            marital_status="divorced",
            birth_date="2000-01-01",
            sex="M",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_detail", args=[a.pk])
    a.refresh_from_db()
    assert a.name == "王 芳华"
    assert (a.ethnicity, a.phone, a.hukou_type, a.education, a.notes) == (
        "回族",
        "139-0000-1111",
        "resident",
        "college",
        "已核实",
    )
    assert a.unit == tree.village_a
    assert a.status == "registered"
    assert a.marital_status == "single"
    assert a.birth_date == D(1990, 5, 17)
    assert a.sex == "F"
    # the name is searchable by its new pinyin
    assert a.name_initials.startswith("wfh")
    assert PersonNameKey.objects.filter(person=a, name="王 芳华").exists()
    event = updates_of(a).get()
    assert event.user == users.field_a
    assert event.changes["name"] == ["王芳", "王 芳华"]
    assert event.changes["education"] == ["junior", "college"]
    assert "unit" not in event.changes and "status" not in event.changes
    page = client.get(response["Location"])
    assert "were saved" in page.content.decode()


def test_nothing_changed_writes_nothing(english, users, people):
    client = english
    a, _b = people
    client.force_login(users.office)
    response = client.post(edit_url(a), form_data(a))
    assert response.status_code == 302
    assert not updates_of(a).exists()
    assert "Nothing was changed" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "   "}, "name", "required"),
        ({"name": "张" * 51}, "name", "at most 50"),
        ({"hukou_type": "martian"}, "hukou_type", "valid choice"),
        ({"education": "phd"}, "education", "valid choice"),
        ({"phone": "138abc5678"}, "phone", "only digits"),
        ({"phone": "1" * 33}, "phone", "at most 32"),
    ],
)
def test_bad_input_keeps_the_values_and_writes_nothing(
    english, users, people, changes, field, text
):
    client = english
    a, _b = people
    client.force_login(users.field_a)
    data = form_data(a, ethnicity="蒙古族", notes="新的备注", **changes)
    response = client.post(edit_url(a), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert text in " ".join(errors[field])
    html = response.content.decode()
    assert 'value="蒙古族"' in html  # the other entered values are kept
    assert "新的备注" in html
    assert "invalid-feedback" in html
    a.refresh_from_db()
    assert a.ethnicity == "汉族" and a.notes == ""
    assert not updates_of(a).exists()


def test_bad_input_error_in_chinese(client, users, people):
    a, _b = people
    client.force_login(users.field_a)
    response = client.post(edit_url(a), form_data(a, name=""))
    assert response.status_code == 200
    assert "此项为必填项" in response.content.decode()


def test_office_of_the_town_may_edit_a_village_person(english, users, people):
    client = english
    _a, b = people
    client.force_login(users.town_office)
    response = client.post(edit_url(b), form_data(b, phone="13900001111"))
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.phone == "13900001111"
