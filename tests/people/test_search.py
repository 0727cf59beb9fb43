"""people.search: how the search text is understood, every kind of match, scope, ages."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.core.models import AuditEvent
from jisheng.people.models import Person
from jisheng.people.search import QueryKind, interpret, person_search
from tests import factories

D = dt.date


def names(queryset) -> list[str]:
    return [p.name for p in queryset]


@pytest.fixture
def people(tree):
    """A few persons in villages A and B, the street's community and the mine."""
    a, b = tree.village_a, tree.village_b
    return {
        "张三": factories.person(a, "张三", "M", D(1990, 1, 2), seq=1, phone="13812345678"),
        "张三丰": factories.person(a, "张三丰", "M", D(1985, 3, 4), seq=2, phone="13898765432"),
        "李张": factories.person(a, "李张", "F", D(1992, 7, 8), seq=3),
        "单丽": factories.person(
            a, "单丽", "F", D(1988, 9, 10), seq=4, marital_status="first_marriage"
        ),
        "李强": factories.person(b, "李强", "M", D(1970, 11, 12), seq=5, phone="0851-1234567"),
        "王芳": factories.person(
            tree.community, "王芳", "F", D(2000, 2, 29), seq=6, status="in_migrant"
        ),
    }


# --------------------------------------------------------------------------- interpret


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("", QueryKind.EMPTY, ""),
        (None, QueryKind.EMPTY, ""),
        ("   ", QueryKind.EMPTY, ""),
        ("张三", QueryKind.NAME, "张三"),
        (" 张 三 ", QueryKind.NAME, "张三"),
        ("zhangsan", QueryKind.PINYIN, "zhangsan"),
        ("Zhang San", QueryKind.PINYIN, "zhangsan"),
        ("ZS", QueryKind.PINYIN, "zs"),
        ("xi'an", QueryKind.PINYIN, "xian"),
        ("lü", QueryKind.PINYIN, "lv"),
        ("ｚｓ", QueryKind.PINYIN, "zs"),  # full-width letters from a Chinese keyboard
        ("13812345678", QueryKind.PHONE, "13812345678"),
        ("138 1234 5678", QueryKind.PHONE, "13812345678"),
        ("+86 138-1234-5678", QueryKind.PHONE, "13812345678"),
        ("１３８１２３４５６７８", QueryKind.PHONE, "13812345678"),
        ("1234567", QueryKind.PHONE, "1234567"),
        ("123456", QueryKind.INVALID, "123456"),
        ("11010519900517002", QueryKind.PHONE, "11010519900517002"),  # 17 digits: no ID
        ("a1b2", QueryKind.INVALID, "a1b2"),
        ("@#", QueryKind.INVALID, "@#"),
    ],
)
def test_interpret(text, kind, value):
    term = interpret(text)
    assert term.kind == kind
    assert term.value == value


def test_interpret_id_numbers():
    number = factories.id_number(D(1990, 5, 17), "F")
    assert interpret(number) == interpret(f" {number.lower()} ")
    assert interpret(number).kind == QueryKind.ID_NUMBER
    assert interpret(number).value == number
    assert interpret(number).masked() == number[:6] + "*" * 12


def test_interpret_old_15_digit_number_as_its_18_digit_form():
    number = factories.id_number(D(1975, 8, 9), "M", 4)
    old = number[:6] + number[8:17]  # drop "19" and the check character
    term = interpret(old)
    assert term.kind == QueryKind.ID_NUMBER
    assert term.value == number


# --------------------------------------------------------------------------- names


def test_name_prefix(users, people):
    assert names(person_search(user=users.admin, q="张")) == ["张三", "张三丰"]
    assert names(person_search(user=users.admin, q="张三")) == ["张三", "张三丰"]
    assert names(person_search(user=users.admin, q="张三丰")) == ["张三丰"]


def test_given_name_when_no_name_starts_with_it(users, people):
    # a given name typed without the surname
    assert names(person_search(user=users.admin, q="三丰")) == ["张三丰"]
    assert names(person_search(user=users.admin, q="三")) == ["张三", "张三丰"]
    # one character is only a surname search: 李张 does not start with 张
    assert "李张" not in names(person_search(user=users.admin, q="张"))


def test_name_not_found(users, people):
    assert names(person_search(user=users.admin, q="赵")) == []


# --------------------------------------------------------------------------- pinyin


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("zs", ["张三", "张三丰"]),
        ("ZS", ["张三", "张三丰"]),
        ("zsf", ["张三丰"]),
        ("zhangs", ["张三", "张三丰"]),
        ("zhangsan", ["张三", "张三丰"]),
        ("zhangsanf", ["张三丰"]),
        ("zhang san", ["张三", "张三丰"]),
        ("lz", ["李张"]),
        ("shanli", ["单丽"]),  # 单 as a surname
        ("danli", ["单丽"]),  # its other reading (after a space in name_pinyin)
        ("dl", ["单丽"]),
        ("sl", ["单丽"]),
        ("lijiang", []),  # a rare reading of 强 is not indexed (issue 13 item 21)
    ],
)
def test_pinyin(users, people, q, expected):
    assert names(person_search(user=users.admin, q=q)) == expected


def test_pinyin_matches_only_from_the_start_of_a_reading(users, people):
    # "sanfeng" is inside zhangsanfeng but not at the start of a reading
    assert names(person_search(user=users.admin, q="sanfeng")) == []
    assert names(person_search(user=users.admin, q="sf")) == []


def test_compound_surname_given_name(users, tree):
    factories.person(tree.village_a, "欧阳明月", "F", D(1990, 1, 1), seq=21)
    assert names(person_search(user=users.admin, q="明月")) == ["欧阳明月"]
    assert names(person_search(user=users.admin, q="oymy")) == ["欧阳明月"]


@pytest.mark.parametrize(("limit", "sex"), [(0, ""), (0, "F"), (10_000, "F")])
def test_pinyin_same_result_and_order_in_every_plan(users, tree, monkeypatch, limit, sex):
    """Key search, sorted matches, name index read in order: the answer must not
    depend on the plan."""
    from jisheng.people import search

    monkeypatch.setattr(search, "SORT_MATCHES_UP_TO", limit)
    made = [
        factories.person(tree.village_a, name, "F", D(1990, 1, 1), seq=30 + i)
        for i, name in enumerate(["周七", "张三", "周七", "赵六", "郑八", "李四"])
    ]
    expected = sorted(
        (p for p in made if p.name != "李四"), key=lambda p: (p.name_sort, p.name, p.pk)
    )
    found = person_search(user=users.admin, q="z", sex=sex)
    assert isinstance(found, search.KeySearch) == (not sex)
    assert list(found) == expected
    assert found.count() == 5
    assert list(found[1:3]) == expected[1:3]
    assert list(found[3:50]) == expected[3:]
    assert list(found[10:20]) == []


def test_key_search_pages_read_only_their_persons(users, tree, django_assert_max_num_queries):
    from jisheng.people.search import KeySearch

    for i in range(30):
        factories.person(tree.village_a, f"周{'一二三四五六七八九十'[i % 10]}", "F", seq=60 + i)
    found = person_search(user=users.office, q="z")
    assert isinstance(found, KeySearch)
    with CaptureQueriesContext(connection) as queries:
        assert found.count() == 30
        page = list(found[10:20])
    assert len(queries) == 3  # the count, the page's ids, the page's persons
    assert "people_personnamekey" in queries[0]["sql"]
    assert "people_person" not in queries[0]["sql"].replace("people_personnamekey", "")
    everyone = sorted(Person.objects.all(), key=lambda p: (p.name_sort, p.name, p.pk))
    assert page == everyone[10:20]


def test_key_search_respects_scope_and_unit(users, people, tree):
    assert names(person_search(user=users.field_b, q="zs")) == []
    assert person_search(user=users.field_b, q="zs").count() == 0
    assert person_search(user=users.field_a, q="zs").count() == 2
    assert person_search(user=users.admin, q="zs", unit=tree.village_b).count() == 0
    assert list(person_search(user=users.admin, q="zs", unit=tree.village_b)[0:10]) == []


def test_key_search_follows_a_move(users, people, tree):
    from jisheng.people.services import event_record

    event_record(
        actor=None, person=people["张三"], kind="internal_transfer", date=D(2024, 1, 1),
        data={"unit": tree.village_b},
    )  # fmt: skip
    assert names(person_search(user=users.field_b, q="zs")) == ["张三"]
    assert person_search(user=users.field_b, q="zs").count() == 1
    assert names(person_search(user=users.field_a, q="zs")) == ["张三丰"]


def test_filtering_a_key_search_further_is_still_right(users, people):
    found = person_search(user=users.admin, q="zs").filter(name="张三丰")
    assert found.count() == 1 and names(found[0:10]) == ["张三丰"]


def test_renamed_person_is_found_by_the_new_name_only(users, people):
    from jisheng.people.services import person_update

    person_update(actor=users.admin, person=people["李强"], data={"name": "赵强"})
    assert names(person_search(user=users.admin, q="zq")) == ["赵强"]
    assert names(person_search(user=users.admin, q="lq")) == []
    assert names(person_search(user=users.admin, q="liqiang")) == []
    assert names(person_search(user=users.admin, q="强")) == ["赵强"]


def test_a_person_with_several_matching_keys_is_listed_once(users, people):
    # 单丽: "sl" and "shanli" both start with "s"
    assert names(person_search(user=users.admin, q="s")) == ["单丽"]
    assert person_search(user=users.admin, q="s").count() == 1


def test_pinyin_search_is_served_by_the_key_index(users, people):
    """The page's persons are chosen from the key index: no scan of the person table."""
    from jisheng.people.search import KeySearch

    found = person_search(user=users.office, q="zs")
    assert isinstance(found, KeySearch)
    sql, params = found.page_keys(slice(0, 50)).query.sql_with_params()
    assert "people_person" not in sql.replace("people_personnamekey", "")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
    assert "people_namekey_key" in plan


# --------------------------------------------------------------------------- ID numbers


def test_exact_id_number(users, people):
    person = people["单丽"]
    number = factories.id_number(D(1988, 9, 10), "F", 4)
    assert list(person_search(user=users.admin, q=number)) == [person]
    assert list(person_search(user=users.admin, q=number.lower())) == [person]


def test_id_number_needs_every_character(users, people):
    number = factories.id_number(D(1988, 9, 10), "F", 4)
    assert list(person_search(user=users.admin, q=number[:17])) == []
    assert list(person_search(user=users.admin, q=number[:14])) == []
    other_check = "0" if number[-1] != "0" else "1"
    assert list(person_search(user=users.admin, q=number[:17] + other_check)) == []


def test_old_15_digit_id_number(users, tree):
    number = factories.id_number(D(1975, 8, 9), "M", 4)
    person = factories.person(tree.village_a, "赵六", "M", D(1975, 8, 9), seq=4)
    old = number[:6] + number[8:17]
    assert list(person_search(user=users.admin, q=old)) == [person]


def test_id_search_is_a_hash_lookup_never_a_like(users, people):
    number = factories.id_number(D(1988, 9, 10), "F", 4)
    with CaptureQueriesContext(connection) as ctx:
        found = list(person_search(user=users.admin, q=number))
    assert len(found) == 1
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert number not in sql
    assert re.search(r'"id_hash" = ', sql)
    # the only LIKE is the data scope's path prefix, none on any ID column
    assert not re.search(r'"(id_[a-z_]+|name|name_pinyin|phone)"(::text)? LIKE', sql)
    assert sql.count(" LIKE ") == 1
    assert re.search(r'"orgs_unit"."path"(::text)? LIKE', sql)


def test_id_search_respects_scope(users, people):
    number = factories.id_number(D(1970, 11, 12), "M", 5)  # 李强 in village B
    assert list(person_search(user=users.field_b, q=number)) == [people["李强"]]
    assert list(person_search(user=users.field_a, q=number)) == []


# --------------------------------------------------------------------------- phones


def test_phone_exact_and_prefix(users, people):
    assert names(person_search(user=users.admin, q="13812345678")) == ["张三"]
    assert names(person_search(user=users.admin, q="1381234")) == ["张三"]
    assert names(person_search(user=users.admin, q="1389876")) == ["张三丰"]
    assert names(person_search(user=users.admin, q="138 1234 5678")) == ["张三"]
    assert names(person_search(user=users.admin, q="0851-1234567")) == ["李强"]
    assert names(person_search(user=users.admin, q="13900000000")) == []


def test_phone_does_not_match_in_the_middle(users, people):
    assert names(person_search(user=users.admin, q="2345678")) == []


def test_unknown_kind_finds_nobody(users, people):
    assert list(person_search(user=users.admin, q="123")) == []
    assert list(person_search(user=users.admin, q="a1b2")) == []


# --------------------------------------------------------------------------- scope, unit


def test_scope(users, people, tree):
    everyone = set(people)
    assert set(names(person_search(user=users.admin))) == everyone
    assert set(names(person_search(user=users.office))) == everyone
    assert set(names(person_search(user=users.town_office))) == {
        "张三",
        "张三丰",
        "李张",
        "单丽",
        "李强",
    }
    assert set(names(person_search(user=users.field_a))) == {"张三", "张三丰", "李张", "单丽"}
    assert names(person_search(user=users.field_b)) == ["李强"]
    nobody = factories.user("no_unit_user", tree.village_a)
    nobody.unit = None
    assert list(person_search(user=nobody)) == []
    assert list(person_search(user=None)) == []


def test_unit_subtree(users, people, tree):
    assert set(names(person_search(user=users.admin, unit=tree.town))) == {
        "张三",
        "张三丰",
        "李张",
        "单丽",
        "李强",
    }
    assert names(person_search(user=users.admin, unit=tree.street)) == ["王芳"]
    assert names(person_search(user=users.admin, unit=tree.mine)) == []


def test_unit_outside_scope_gives_nothing(users, people, tree):
    assert list(person_search(user=users.field_a, unit=tree.village_b)) == []


def test_search_text_and_unit_combine(users, people, tree):
    assert names(person_search(user=users.admin, q="l", unit=tree.village_a)) == ["李张"]
    assert names(person_search(user=users.admin, q="l", unit=tree.village_b)) == ["李强"]


# --------------------------------------------------------------------------- attributes


def test_status_sex_marital_status(users, people):
    assert names(person_search(user=users.admin, status="in_migrant")) == ["王芳"]
    assert set(names(person_search(user=users.admin, status=["in_migrant", "registered"]))) == set(
        people
    )
    assert names(person_search(user=users.admin, sex="F", q="l")) == ["李张"]
    assert names(person_search(user=users.admin, marital_status="first_marriage")) == ["单丽"]
    assert names(
        person_search(user=users.admin, marital_status=["first_marriage", "remarried"])
    ) == ["单丽"]


def test_ordered_by_pinyin_then_name_then_id(users, tree):
    first = factories.person(tree.village_a, "周七", "F", D(1991, 1, 1), seq=11)
    second = factories.person(tree.village_a, "周七", "F", D(1991, 1, 1), seq=12)
    third = factories.person(tree.village_a, "吴八", "F", D(1991, 1, 1), seq=13)
    result = list(person_search(user=users.admin))
    assert result == [third, first, second]  # wuba < zhouqi (issue 13 item 21)


# --------------------------------------------------------------------------- ages


@pytest.fixture
def ages(tree):
    """Persons around the 15 and 49 boundaries on 2025-06-15."""
    unit = tree.village_a
    return {
        "15 today": factories.person(unit, "甲", "F", D(2010, 6, 15), seq=21),
        "14": factories.person(unit, "乙", "F", D(2010, 6, 16), seq=22),
        "49": factories.person(unit, "丙", "F", D(1975, 6, 16), seq=23),
        "50 today": factories.person(unit, "丁", "F", D(1975, 6, 15), seq=24),
    }


ON = D(2025, 6, 15)


def test_age_band_includes_both_ends(users, ages):
    found = set(person_search(user=users.admin, age_min=15, age_max=49, on=ON))
    assert found == {ages["15 today"], ages["49"]}


def test_age_min_only_and_age_max_only(users, ages):
    assert set(person_search(user=users.admin, age_min=50, on=ON)) == {ages["50 today"]}
    assert set(person_search(user=users.admin, age_max=14, on=ON)) == {ages["14"]}
    assert set(person_search(user=users.admin, age_min=0, on=ON)) == set(ages.values())


def test_age_is_counted_on_the_given_day(users, ages):
    next_day = ON + dt.timedelta(days=1)
    found = set(person_search(user=users.admin, age_min=15, age_max=49, on=next_day))
    assert found == {ages["15 today"], ages["14"]}


def test_age_band_of_a_leap_day_birth(users, people):
    # 王芳, born 2000-02-29, turns 25 on 2025-03-01 (no 29 February in 2025)
    assert people["王芳"] not in person_search(user=users.admin, age_min=25, on=D(2025, 2, 28))
    assert people["王芳"] in person_search(user=users.admin, age_min=25, on=D(2025, 3, 1))


def test_age_band_upside_down_finds_nobody(users, ages):
    assert list(person_search(user=users.admin, age_min=49, age_max=15, on=ON)) == []


# --------------------------------------------------------------------------- privacy


def test_encrypted_id_never_stored_in_plain_text(users, people, client):
    """No column of any row of any table holds a plain ID number, not even after searches
    and an export by ID number (which masks it in the audit log)."""
    numbers = [
        factories.id_number(D(1990, 1, 2), "M", 1),
        factories.id_number(D(1985, 3, 4), "M", 2),
        factories.id_number(D(1988, 9, 10), "F", 4),
    ]
    for number in numbers:
        assert person_search(user=users.admin, q=number).exists()
    client.force_login(users.office)
    response = client.get("/people/export.xlsx", {"q": numbers[2]}, follow=True)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export").exists()

    # every value the ORM sees …
    for row in Person.objects.values():
        text = repr(row)
        assert not any(n in text for n in numbers)
    for row in AuditEvent.objects.values():
        text = repr(row)
        assert not any(n in text or n.lower() in text for n in numbers)
    # … and every row of every table, read raw
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = repr(row)
                assert not any(n in text for n in numbers), table
