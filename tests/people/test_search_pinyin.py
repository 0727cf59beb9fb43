"""Issue 13 item 21: names indexed by their surname reading and usual readings only;
lists of persons ordered by pinyin; migration 0008 re-indexes what is stored."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from jisheng.people.models import Person, PersonNameKey
from jisheng.people.search import KeySearch, person_search
from tests import factories

D = dt.date


def names(queryset) -> list[str]:
    return [p.name for p in queryset]


@pytest.fixture
def registry(tree):
    a = tree.village_a
    made = {}
    for seq, name in enumerate(
        ["王莉", "王芳", "余华", "于丽", "曾国华", "张安", "陈明", "白雪", "安娜"], start=1
    ):
        made[name] = factories.person(a, name, "F", D(1990, 1, 1), seq=seq)
    return made


def test_yc_does_not_find_wang_li_and_wl_does(users, registry):
    assert "王莉" not in names(person_search(user=users.admin, q="yc"))
    assert names(person_search(user=users.admin, q="wl")) == ["王莉"]
    assert names(person_search(user=users.admin, q="wangli")) == ["王莉"]


def test_yu_finds_yu_surnames_but_not_wang(users, registry):
    assert names(person_search(user=users.admin, q="yu")) == ["余华", "于丽"]  # yuhua < yuli
    assert names(person_search(user=users.admin, q="y")) == ["余华", "于丽"]
    # with a filter the other plan (sorted matches) gives the same
    assert names(person_search(user=users.admin, q="yu", sex="F")) == ["余华", "于丽"]


def test_zeng_is_found_by_its_surname_reading(users, registry):
    assert names(person_search(user=users.admin, q="zeng")) == ["曾国华"]
    assert names(person_search(user=users.admin, q="zgh")) == ["曾国华"]


def test_lists_are_ordered_by_pinyin_not_code_point(users, tree):
    for seq, name in enumerate(["张三", "王五", "陈二", "白一", "安六"], start=1):
        factories.person(tree.village_a, name, "F", D(1990, 1, 1), seq=seq)
    expected = ["安六", "白一", "陈二", "王五", "张三"]
    assert names(person_search(user=users.admin)) == expected
    assert names(Person.objects.all()) == expected  # the model's own ordering
    assert names(person_search(user=users.admin, sex="F")) == expected


def test_key_search_pages_are_ordered_by_pinyin(users, tree):
    # given names typed without the surname: every plan orders by pinyin
    for seq, name in enumerate(["张明", "王明", "陈明", "白明", "安明"], start=1):
        factories.person(tree.village_a, name, "F", D(1990, 1, 1), seq=seq)
    found = person_search(user=users.admin, q="明")
    assert isinstance(found, KeySearch)
    expected = ["安明", "白明", "陈明", "王明", "张明"]
    assert names(found[0:10]) == expected
    assert names(found[1:3]) == expected[1:3]
    assert names(person_search(user=users.admin, q="明", sex="F")) == expected


def test_person_list_page_is_ordered_by_pinyin(client, users, tree):
    for seq, name in enumerate(["张三", "王五", "陈二", "白一", "安六"], start=1):
        factories.person(tree.village_a, name, "F", D(1990, 1, 1), seq=seq)
    client.force_login(users.admin)
    page = client.get(reverse("people:person_list")).content.decode()
    page = page[page.index("<tbody") :]
    positions = [page.index(name) for name in ["安六", "白一", "陈二", "王五", "张三"]]
    assert positions == sorted(positions)


def test_migration_0008_reindexes_stored_names(users, registry):
    # what the old code stored: rare readings of 王 and 莉
    wang = registry["王莉"]
    Person.objects.filter(pk=wang.pk).update(
        name_pinyin="wangli wangchi yuli yuchi", name_initials="wl wc yl yc"
    )
    PersonNameKey.objects.filter(person=wang).delete()
    PersonNameKey.objects.bulk_create(
        PersonNameKey(person=wang, key=key, name="王莉", unit_id=wang.unit_id)
        for key in ["wangli", "yuli", "yuchi", "wl", "yl", "yc", "莉"]
    )
    assert "王莉" in names(person_search(user=users.admin, q="yc"))

    migration = importlib.import_module("jisheng.people.migrations.0008_pinyin_surnames")
    # RunPython reads only the schema editor's connection
    migration.recompute_name_keys(django_apps, SimpleNamespace(connection=connection))

    wang.refresh_from_db()
    assert (wang.name_pinyin, wang.name_initials) == ("wangli", "wl")
    assert set(PersonNameKey.objects.filter(person=wang).values_list("key", flat=True)) == {
        "wangli",
        "wl",
        "莉",
    }
    assert set(PersonNameKey.objects.values_list("sort_key", flat=True)) == {
        p.name_pinyin for p in Person.objects.all()
    }
    assert "王莉" not in names(person_search(user=users.admin, q="yc"))
    assert names(person_search(user=users.admin, q="wl")) == ["王莉"]
    # every person keeps a full set of keys
    assert PersonNameKey.objects.values("person").distinct().count() == len(registry)
