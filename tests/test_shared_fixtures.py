"""The shared person fixtures of tests/conftest.py (one instead of a copy per test module)."""

from __future__ import annotations

import datetime

import pytest

from jisheng.people.models import Person


@pytest.mark.django_db
def test_the_shared_person_is_a_woman_of_village_a(person, tree) -> None:
    assert isinstance(person, Person)
    assert person.pk is not None
    assert (person.name, person.sex) == ("李秀英", "F")
    assert person.birth_date == datetime.date(1990, 5, 17)
    assert person.unit_id == tree.village_a.pk


@pytest.mark.django_db
def test_make_person_gives_each_person_an_id_number_of_her_own(make_person, person, tree) -> None:
    first = make_person(name="赵丽")
    second = make_person(name="钱敏", unit=tree.community, sex="M")
    numbers = {p.id_hash for p in (person, first, second)}
    assert len(numbers) == 3
    assert second.unit_id == tree.community.pk
    assert second.sex == "M"
    assert Person.objects.count() == 3
