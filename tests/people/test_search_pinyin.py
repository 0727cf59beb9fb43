"""Issue 13 item 21: names indexed by their surname reading and usual readings only;
lists of persons ordered by pinyin syllable by syllable (every 陈 chen before every 程
cheng); migration 0008 re-indexes what is stored."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from jisheng.core.pinyin import sort_key
from jisheng.people import services
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
    Person.objects.update(name_sort="")  # the column as migration 0008 adds it
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
    assert (wang.name_pinyin, wang.name_initials, wang.name_sort) == ("wangli", "wl", "wang li")
    for person in Person.objects.all():
        assert person.name_sort == sort_key(person.name) != ""
    assert set(PersonNameKey.objects.filter(person=wang).values_list("key", flat=True)) == {
        "wangli",
        "wl",
        "莉",
    }
    assert set(PersonNameKey.objects.values_list("person_id", "sort_key")) == {
        (p.pk, p.name_sort) for p in Person.objects.all()
    }
    assert "王莉" not in names(person_search(user=users.admin, q="yc"))
    assert names(person_search(user=users.admin, q="wl")) == ["王莉"]
    # every person keeps a full set of keys
    assert PersonNameKey.objects.values("person").distinct().count() == len(registry)


# 程春燕 (chengchunyan) came between 陈波 (chenbo) and 陈华 (chenhua) when the lists were
# ordered by the readings run together; by syllable every 陈 comes before every 程.
CHEN_CHENG = ["陈波", "陈华", "程春燕"]


@pytest.fixture
def chen_cheng(tree):
    # registered in another order than the expected one (and than code point order)
    return {
        name: factories.person(tree.village_a, name, "F", D(1990, 1, 1), seq=seq)
        for seq, name in enumerate(["程春燕", "陈华", "陈波"], start=1)
    }


def test_chen_sorts_before_cheng_in_every_list(users, chen_cheng):
    assert [p.name_sort for p in chen_cheng.values()] == ["cheng chun yan", "chen hua", "chen bo"]
    assert names(Person.objects.all()) == CHEN_CHENG  # the model's own ordering
    assert names(person_search(user=users.admin)) == CHEN_CHENG
    assert names(person_search(user=users.admin, sex="F")) == CHEN_CHENG


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ch", CHEN_CHENG),
        ("c", CHEN_CHENG),
        ("chen", CHEN_CHENG),  # chengchunyan starts with chen too
        ("cheng", ["程春燕"]),
        ("陈", ["陈波", "陈华"]),
    ],
)
def test_chen_sorts_before_cheng_in_a_search(users, chen_cheng, q, expected):
    found = person_search(user=users.admin, q=q)
    assert names(found) == expected
    if isinstance(found, KeySearch):  # pages read from the key index
        assert names(found[0:10]) == expected
        assert names(found[1:3]) == expected[1:3]
    # with a filter: the sorted-matches plan
    assert names(person_search(user=users.admin, q=q, sex="F")) == expected


def test_chen_sorts_before_cheng_on_the_person_list_page(client, users, chen_cheng):
    client.force_login(users.admin)
    for query in ["", "?q=ch", "?q=ch&sex=F", "?sort=name"]:
        response = client.get(reverse("people:person_list") + query, follow=True)
        assert response.status_code == 200, query
        page = response.content.decode()
        assert "<tbody" in page, (query, page[-2000:])
        page = page[page.index("<tbody") :]
        positions = [page.index(name) for name in CHEN_CHENG]
        assert positions == sorted(positions), query


def test_chen_sorts_before_cheng_in_the_api_list(api, chen_cheng):
    for params in [{}, {"q": "ch"}, {"q": "c", "sex": "F"}]:
        response = api("admin").get("/persons", **params)
        assert response.status_code == 200, response.content
        assert [item["name"] for item in response.json()["items"]] == CHEN_CHENG, params
    # name_pinyin keeps its meaning: the readings run together, variants apart
    detail = api("admin").get(f"/persons/{chen_cheng['陈波'].pk}").json()
    assert detail["name_pinyin"] == "chenbo"
    assert "name_sort" not in detail


def test_rename_updates_the_sort_key_and_the_order(users, chen_cheng):
    person = services.person_update(actor=None, person=chen_cheng["陈华"], data={"name": "程华"})
    assert (person.name_pinyin, person.name_sort) == ("chenghua", "cheng hua")
    assert set(PersonNameKey.objects.filter(person=person).values_list("sort_key", flat=True)) == {
        "cheng hua"
    }
    assert names(Person.objects.all()) == ["陈波", "程春燕", "程华"]
    assert names(person_search(user=users.admin, q="ch")) == ["陈波", "程春燕", "程华"]


def test_migration_0008_leaves_no_pending_checks_before_its_indexes(users, registry):
    """On PostgreSQL the rows the migration writes had their foreign key checks pending,
    and the index built by its next operation was refused ("cannot CREATE INDEX … it
    has pending trigger events") on any database holding persons."""
    migration = importlib.import_module("jisheng.people.migrations.0008_pinyin_surnames")
    migration.recompute_name_keys(django_apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:  # what the migration's AddIndex does next
        cursor.execute("CREATE INDEX people_namekey_probe ON people_personnamekey (name)")
        cursor.execute("DROP INDEX people_namekey_probe")
    assert PersonNameKey.objects.values("person").distinct().count() == len(registry)
