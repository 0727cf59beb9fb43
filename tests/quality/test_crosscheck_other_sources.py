"""The other checkpoints: marriage registrations matched against the registry's couples
(by the wife's or the husband's ID, else both names and the date), and adoption
registrations against the registry's persons (by ID, else name and birth date)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from jisheng.core import crypto
from jisheng.people.family import couple_create
from jisheng.quality import services_crosscheck as services
from jisheng.quality.models import CrossCheckRow, Outcome
from tests.quality.crosscheck_data import build, csv_bytes

D = datetime.date
MARRIAGE_HEADERS = [
    "男方姓名",
    "男方身份证号",
    "女方姓名",
    "女方身份证号",
    "登记日期",
    "结婚证字号",
]
ADOPTION_HEADERS = ["被收养人姓名", "性别", "出生日期", "被收养人身份证号", "收养人姓名"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def couples(tree, make_person):
    def pair(wife_name, husband_name, day, unit=tree.village_a):
        wife = make_person(unit=unit, name=wife_name, birth_date=D(1998, 1, 1))
        husband = make_person(unit=unit, name=husband_name, sex="M", birth_date=D(1997, 1, 1))
        return couple_create(actor=None, married_on=day, wife=wife, husband=husband)

    return (
        pair("林静", "马强", D(2026, 2, 14)),
        pair("何丽", "郭涛", D(2026, 3, 8)),
        pair("罗敏", "高飞", D(2026, 3, 20), tree.village_b),  # not on the list
    )


def rows_of(checklist):
    return {r.row_number: r for r in CrossCheckRow.objects.filter(checklist=checklist)}


def test_marriage_registrations(tree, couples):
    lin, he, luo = couples
    wife_id = crypto.decrypt(lin.wife.id_number_encrypted)
    checklist = services.list_import(
        actor=None,
        source="marriages",
        unit=tree.town,
        first=D(2026, 1, 1),
        last=D(2026, 3, 31),
        data=csv_bytes(
            MARRIAGE_HEADERS,
            [
                ["马强", "", "林静", wife_id, "2026-02-14", "J1"],  # exact by the wife's ID
                ["郭涛", "", "何丽", "", "2026年3月13日", "J2"],  # both names, 5 days off
                ["宋刚", "", "唐颖", "", "2026-03-01", "J3"],  # not registered
            ],
        ),
        filename="婚姻登记.csv",
    )
    rows = rows_of(checklist)
    assert (rows[2].outcome, rows[2].score) == (Outcome.MATCHED, 100)
    assert rows[2].record == f"people.couple:{lin.pk}"
    # husband's name 40 + wife's name 40, another date: contradicting, the date
    assert (rows[3].outcome, rows[3].score, rows[3].differences) == (
        Outcome.CONTRADICTING,
        80,
        ["date"],
    )
    assert rows[3].record == f"people.couple:{he.pk}"
    assert rows[4].outcome == Outcome.MISSING
    assert rows[4].name == "唐颖" and rows[4].other_name == "宋刚"
    unlisted = CrossCheckRow.objects.get(checklist=checklist, outcome=Outcome.UNLISTED)
    assert unlisted.record == f"people.couple:{luo.pk}" and unlisted.unit == tree.village_b
    assert checklist.counts == {"matched": 1, "contradicting": 1, "missing": 1, "unlisted": 1}


def test_a_spouse_outside_the_registry_is_matched_by_the_id_on_the_list(tree, make_person):
    from tests import factories

    wife = make_person(name="曹颖", birth_date=D(1998, 1, 1))
    husband_id = factories.id_number(D(1996, 6, 6), "M", 55, region="110101")
    couple = couple_create(
        actor=None,
        married_on=D(2026, 1, 18),
        wife=wife,
        outside={"name": "外县男", "id_number": husband_id},
    )
    checklist = services.list_import(
        actor=None,
        source="marriages",
        unit=tree.village_a,
        first=D(2026, 1, 1),
        last=D(2026, 1, 31),
        data=csv_bytes(MARRIAGE_HEADERS, [["外县男", husband_id, "曹颖", "", "2026-01-18", ""]]),
        filename="婚姻登记.csv",
    )
    row = CrossCheckRow.objects.get(checklist=checklist, row_number=2)
    # the husband's ID 60 + the wife's name 40 + the date 10
    assert (row.outcome, row.score, row.record) == (
        Outcome.MATCHED,
        110,
        f"people.couple:{couple.pk}",
    )


def test_adoption_registrations(tree, make_person):
    ns = build(tree, make_person)
    child = ns.b_exact.child  # 王小宝, registered with his ID number
    checklist = services.list_import(
        actor=None,
        source="adoptions",
        unit=tree.town,
        first=D(2026, 1, 1),
        last=D(2026, 12, 31),
        data=csv_bytes(
            ADOPTION_HEADERS,
            [
                ["王小宝", "男", "2026-01-10", ns.exact_id, "王兰"],  # by ID
                ["李朵朵", "女", "2026-02-01", "", "李梅"],  # name 40 + sex 10 + date 10
                ["钱多多", "女", "2026-02-01", "", "钱某"],  # no such child
            ],
        ),
        filename="收养.csv",
    )
    rows = rows_of(checklist)
    assert (rows[2].outcome, rows[2].record) == (Outcome.MATCHED, f"people.person:{child.pk}")
    assert (rows[3].outcome, rows[3].score) == (Outcome.MATCHED, 60)
    assert rows[3].record == f"people.person:{ns.b_id_other.child.pk}"
    assert rows[4].outcome == Outcome.MISSING
    # adoptions are not every child of the period: nothing is "unlisted"
    assert checklist.counts == {"matched": 2, "missing": 1}
