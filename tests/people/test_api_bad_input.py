"""``/api/v1/persons`` with bad input (issue 13, item 12): implausible birth dates, names
of zero-width characters (POST and PATCH alike), notes past the limit, NUL characters,
unknown fields and wrong types — each a 4xx JSON answer with Chinese messages, nothing
written; and the same birth-date rule on the registration page and in the import."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jisheng.core.validation import BIRTH_DATE_MIN, NOTE_MAX_LENGTH, birth_date_error
from jisheng.people.models import LifeEvent, Person
from tests import factories
from tests.api.chinese import assert_chinese_error

pytestmark = pytest.mark.django_db


def registration(tree, **extra):
    return {
        "name": "李红",
        "sex": "F",
        "birth_date": "1990-01-01",
        "id_status": "other",
        "unit": tree.village_a.code,
        **extra,
    }


@pytest.fixture
def zh(api):
    return api("office", language=None)


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "extra",
    [
        {"birth_date": "0001-01-01"},
        {"birth_date": "1899-12-31"},
        {"birth_date": "tomorrow"},
        {"birth_date": "1990-02-30"},
        {"name": "\u200b\u200c\u200d"},
        {"name": "\ufeff \u2060"},
        {"name": "李\x00红"},
        {"notes": "注" * (NOTE_MAX_LENGTH + 1)},
        {"notes": "注" * 100_000},
        {"hukou_place": "地" * 201},
        {"phone": "1" * 33},
        {"sex": "X"},
        {"extra": 1},
        {"birth_date": 19900101},
        {"name": ["李红"]},
    ],
)
def test_registration_with_bad_input_is_refused_in_chinese(zh, tree, extra):
    if extra.get("birth_date") == "tomorrow":
        extra = {"birth_date": tomorrow()}
    response = zh.post_json("/persons", registration(tree, **extra))
    assert response.status_code == 422, response.content
    assert_chinese_error(response)
    assert not Person.objects.exists()


def test_the_earliest_birth_date_and_the_longest_note_are_taken(zh, tree):
    body = registration(tree, birth_date=BIRTH_DATE_MIN.isoformat(), notes="注" * NOTE_MAX_LENGTH)
    response = zh.post_json("/persons", body)
    assert response.status_code == 201, response.content


def test_a_name_is_cleaned_of_invisible_characters(zh, tree):
    response = zh.post_json("/persons", registration(tree, name="\u200b李\u200d红 "))
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "李红"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "\u200b\u200c"},
        {"name": ""},
        {"name": "\u3000"},
        {"notes": "注" * 100_000},
        {"name": "李\x00红"},
        {"name": None},
    ],
)
def test_patch_refuses_what_registration_refuses(zh, tree, body):
    person = factories.person(tree.village_a, "王芳")
    response = zh.request(
        "patch", f"/persons/{person.pk}", data=body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert_chinese_error(response)
    person.refresh_from_db()
    assert person.name == "王芳" and person.notes == ""


def test_patch_cleans_a_name_like_registration(zh, tree):
    person = factories.person(tree.village_a, "王芳")
    response = zh.request(
        "patch", f"/persons/{person.pk}", data={"name": "\u200b王\u200b芳芳"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.name == "王芳芳"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "move_out", "date": "2024-01-01", "note": "注" * 501},
        {"kind": "move_out", "date": "2024-01-01", "to": "\x00"},
        {"kind": "nonsense", "date": "2024-01-01"},
        {"kind": "marriage", "date": "2024-01-01", "spouse": True},
        {"kind": "marriage", "date": "2024-01-01", "spouse": 10**30},
    ],
)
def test_event_bad_input(zh, tree, body):
    person = factories.person(tree.village_a, "王芳")
    before = LifeEvent.objects.count()
    response = zh.post_json(f"/persons/{person.pk}/events", body)
    assert response.status_code == 422, response.content
    assert_chinese_error(response)
    assert LifeEvent.objects.count() == before


def test_one_birth_date_rule():
    today = datetime.date(2026, 12, 7)
    assert birth_date_error(datetime.date(1, 1, 1), today=today)
    assert birth_date_error(datetime.date(1899, 12, 31), today=today)
    assert birth_date_error(datetime.date(2026, 12, 8), today=today)
    assert not birth_date_error(datetime.date(1900, 1, 1), today=today)
    assert not birth_date_error(today, today=today)


def test_the_service_refuses_an_implausible_birth_date(tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        factories.person(tree.village_a, "王芳", birth_date=datetime.date(1, 1, 1))
    assert "birth_date" in caught.value.message_dict


def test_the_import_refuses_an_implausible_birth_date(tree):
    from jisheng.people import importers

    assert importers.birth_date_error is birth_date_error


def test_a_birth_record_follows_the_same_rule(tree):
    from django.core.exceptions import ValidationError

    from jisheng.people import family

    mother = factories.person(tree.village_a, "王芳", birth_date=datetime.date(1990, 1, 1))
    with pytest.raises(ValidationError) as caught:
        family.birth_record(
            actor=None, mother=mother, date=datetime.date(1, 1, 1), sex="F", child_name="小红"
        )
    assert "date" in caught.value.message_dict
