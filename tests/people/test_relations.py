"""Issue 13 item 25: the household block from the viewed person's point of view, and
a birth under 180 days from the mother's previous one needs a confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from jisheng.people import family
from jisheng.people.choices import HouseholdRelation as R
from jisheng.people.models import Birth
from jisheng.people.relations import relation_to_viewer
from tests import factories

D = dt.date


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("viewer", "other", "sex", "expected"),
    [
        (R.CHILD, R.SPOUSE, "F", "母亲"),  # the head's wife seen by the son
        (R.CHILD, R.HEAD, "M", "父亲（户主）"),
        (R.HEAD, R.SPOUSE, "F", "妻子"),
        (R.HEAD, R.CHILD, "M", "儿子"),
        (R.SPOUSE, R.HEAD, "M", "丈夫（户主）"),
        (R.SPOUSE, R.CHILD, "F", "女儿"),
        (R.PARENT, R.HEAD, "F", "女儿（户主）"),
        (R.PARENT, R.SPOUSE, "M", "女婿"),
        (R.GRANDCHILD, R.HEAD, "M", "户主"),  # 祖父 or 外祖父: not said
        (R.GRANDCHILD, R.SPOUSE, "F", "家庭成员"),
        (R.OTHER, R.CHILD, "M", "家庭成员"),
    ],
)
def test_relation_to_viewer(viewer, other, sex, expected):
    assert relation_to_viewer(viewer=viewer, other=other, other_sex=sex, head_sex="M") == expected


def test_siblings_by_age_and_grandparents_by_side():
    older = relation_to_viewer(
        viewer=R.CHILD, other=R.CHILD, other_sex="F",
        other_born=D(2000, 1, 1), viewer_born=D(2003, 1, 1),
    )  # fmt: skip
    assert older == "姐姐"
    assert relation_to_viewer(viewer=R.CHILD, other=R.PARENT, other_sex="F", head_sex="M") == (
        "祖母（父亲的母亲）"
    )
    assert relation_to_viewer(viewer=R.SPOUSE, other=R.PARENT, other_sex="F", viewer_sex="F") == (
        "婆婆（丈夫的母亲）"
    )


def test_person_page_shows_the_household_from_the_sons_view(client, users, tree):
    unit = tree.village_a
    head = factories.person(unit, "李强", "M", D(1970, 1, 1), seq=1)
    wife = factories.person(unit, "王芳", "F", D(1972, 1, 1), seq=2)
    son = factories.person(unit, "李明", "M", D(2000, 1, 1), seq=3)
    household = family.household_create(actor=None, unit=unit, number="甲-1", head=head)
    family.household_add_member(actor=None, household=household, person=wife, relation=R.SPOUSE)
    family.household_add_member(actor=None, household=household, person=son, relation=R.CHILD)
    client.force_login(users.office)
    page = client.get(reverse("people:person_detail", args=[son.pk])).content.decode()
    block = page[page.index('data-testid="person-family"') :]
    assert "母亲</span>: <a" in block and "父亲（户主）</span>: <a" in block
    assert "配偶</span>" not in block
    page = client.get(reverse("people:person_detail", args=[head.pk])).content.decode()
    block = page[page.index('data-testid="person-family"') :]
    assert "妻子</span>: <a" in block and "儿子</span>: <a" in block


# --------------------------------------------------------------------------- births


def record(mother, day, **extra):
    return family.birth_record(
        actor=None, mother=mother, date=day, sex="F", child_name=f"王{day.day}", **extra
    )


def test_a_birth_under_180_days_after_the_previous_needs_a_confirmation(person):
    record(person, D(2024, 1, 10))
    with pytest.raises(ValidationError) as info:
        record(person, D(2024, 5, 1))
    message = " ".join(info.value.message_dict["confirm_short_interval"])
    assert "2024年1月10日" in message and "112 天" in message and "确认" in message
    assert Birth.objects.count() == 1
    record(person, D(2024, 5, 1), confirm_short_interval=True)
    assert Birth.objects.count() == 2


def test_twins_and_a_long_interval_need_no_confirmation(person):
    record(person, D(2024, 1, 10))
    record(person, D(2024, 1, 10))  # twins
    record(person, D(2024, 7, 8))  # 180 days later
    assert Birth.objects.count() == 3
    with pytest.raises(ValidationError):  # entered late, dated before: checked too
        record(person, D(2023, 12, 1))


def test_birth_form_asks_for_the_confirmation(client, users, person):
    record(person, D(2024, 1, 10))
    client.force_login(users.office)
    url = reverse("people:birth_create", args=[person.pk])
    data = {"date": "2024-03-01", "sex": "M", "child_name": "王二", "register_child": "on"}
    response = client.post(url, data)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "不足 180 天" in html and 'name="confirm_short_interval"' in html
    assert Birth.objects.count() == 1
    response = client.post(url, {**data, "confirm_short_interval": "on"})
    assert response.status_code == 302
    assert Birth.objects.count() == 2


def test_favicon_is_served_and_linked(client, users):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    client.force_login(users.office)
    assert 'rel="icon"' in client.get("/").content.decode()
