"""Matching a list against the registry (五关): exact by ID hash, fuzzy by name pinyin +
birth date + mother, no match, two candidates, contradicting fields (which), registry
births with no list entry, and the indicator 出生统计符合率 — on the hand-built data of
:mod:`tests.quality.crosscheck_data` (figures derived there by hand)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.quality import services_crosscheck as services
from jisheng.quality.models import CrossCheckRow, Outcome
from tests.quality.crosscheck_data import (
    HOSPITAL_HEADERS,
    HUKOU_HEADERS,
    build,
    csv_bytes,
    hukou_rows,
)

D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def registry(tree, make_person):
    return build(tree, make_person)


def import_hukou(tree, ns, rows=None):
    return services.list_import(
        actor=None,
        source="hukou_births",
        unit=tree.town,
        first=D(2026, 1, 1),
        last=D(2026, 3, 31),
        data=csv_bytes(HUKOU_HEADERS, rows if rows is not None else hukou_rows(tree, ns)),
        filename="户籍申报.csv",
    )


def by_row(checklist):
    return {r.row_number: r for r in CrossCheckRow.objects.filter(checklist=checklist)}


def test_exact_fuzzy_missing_contradicting_and_unlisted(tree, registry):
    checklist = import_hukou(tree, registry)
    rows = by_row(checklist)
    # row 2: exact by the child's ID hash
    assert (rows[2].outcome, rows[2].score) == (Outcome.MATCHED, 100)
    assert rows[2].record == f"people.birth:{registry.b_exact.pk}"
    assert rows[2].unit_id == tree.village_a.pk  # the matched birth's unit is responsible
    # row 3: exact by ID, the date and the sex differ (said which)
    assert rows[3].outcome == Outcome.CONTRADICTING
    assert rows[3].differences == ["date", "sex"]
    assert rows[3].record == f"people.birth:{registry.b_id_other.pk}"
    # row 4: fuzzy — mother 40 + child's pinyin 40 + sex 10 + date 10
    assert (rows[4].outcome, rows[4].score) == (Outcome.MATCHED, 100)
    assert rows[4].record == f"people.birth:{registry.b_fuzzy.pk}"
    assert rows[4].data["birth_date"] == "2026-01-20"
    assert rows[4].other_name == "陈红"
    # row 5: nothing in the registry
    assert rows[5].outcome == Outcome.MISSING and rows[5].record == ""
    assert rows[5].unit_id == tree.town.pk  # no address unit: the list's area
    # row 6: the unit differs
    assert rows[6].outcome == Outcome.CONTRADICTING and rows[6].differences == ["unit"]
    # registry births of the period in the town with no row: the twins' (no row named
    # them) and 孙小悦; 吴霞's birth lies outside the area
    unlisted = {
        r.record
        for r in CrossCheckRow.objects.filter(checklist=checklist, outcome=Outcome.UNLISTED)
    }
    assert unlisted == {
        f"people.birth:{registry.b_twin_a.pk}",
        f"people.birth:{registry.b_twin_b.pk}",
        f"people.birth:{registry.b_unlisted.pk}",
    }
    assert checklist.counts == {
        "matched": 2,
        "contradicting": 2,
        "missing": 1,
        "unlisted": 3,
    }
    assert checklist.total == 5 and checklist.rejected == []


def test_two_candidates_are_ambiguous_until_one_is_chosen(tree, registry, users):
    # a hospital list names the mother and the date, not the child: two 张敏 had a son
    # on 2026-03-03 (villages A and B) — 40 + 10 + 10 each
    checklist = services.list_import(
        actor=None,
        source="hospital_births",
        unit=tree.town,
        first=D(2026, 3, 1),
        last=D(2026, 3, 31),
        data=csv_bytes(HOSPITAL_HEADERS, [["Q1", "", "男", "2026-03-03", "张敏", ""]]),
        filename="医院.csv",
    )
    row = CrossCheckRow.objects.get(checklist=checklist, row_number=2)
    assert (row.outcome, row.score) == (Outcome.AMBIGUOUS, 60)
    refs = {c["record"] for c in row.candidates}
    assert refs == {f"people.birth:{registry.b_twin_a.pk}", f"people.birth:{registry.b_twin_b.pk}"}
    # the two candidates are not "unlisted"; 孙小悦 is (hospital lists hold every birth)
    unlisted = CrossCheckRow.objects.filter(checklist=checklist, outcome=Outcome.UNLISTED)
    assert [r.record for r in unlisted] == [f"people.birth:{registry.b_unlisted.pk}"]
    chosen = f"people.birth:{registry.b_twin_b.pk}"
    row = services.row_resolve(actor=users.town_office, row=row, resolution="chosen", record=chosen)
    assert (row.outcome, row.record, row.resolved_record) == (Outcome.MATCHED, chosen, chosen)


def test_mother_id_finds_a_birth_a_few_days_off(tree, registry):
    # no child ID, no child name: the mother's ID (60) + sex (10) = 70 on another date
    checklist = services.list_import(
        actor=None,
        source="hospital_births",
        unit=tree.town,
        first=D(2026, 2, 1),
        last=D(2026, 2, 28),
        data=csv_bytes(
            HOSPITAL_HEADERS,
            [["Q2", "", "女", "2026-02-04", "李梅", _id_of(registry.li)]],
        ),
        filename="医院.csv",
    )
    row = CrossCheckRow.objects.get(checklist=checklist, row_number=2)
    assert (row.outcome, row.score, row.differences) == (Outcome.CONTRADICTING, 70, ["date"])
    assert row.record == f"people.birth:{registry.b_id_other.pk}"


def _id_of(person):
    from jisheng.core import crypto

    return crypto.decrypt(person.id_number_encrypted)


def test_birth_statistics_agreement(tree, registry):
    # hospital list of Q1: 王小宝 and 刘丽 match; 周一's sex is wrong; 赵云's is missing
    services.list_import(
        actor=None,
        source="hospital_births",
        unit=tree.town,
        first=D(2026, 1, 1),
        last=D(2026, 3, 31),
        data=csv_bytes(
            HOSPITAL_HEADERS,
            [
                ["Q1", "王小宝", "男", "2026-01-10", "王兰", ""],
                ["Q2", "刘丽", "女", "2026-01-20", "陈红", ""],
                ["Q3", "周一", "女", "2026-02-14", "周静", ""],
                ["Q4", "", "女", "2026-03-15", "赵云", ""],
            ],
        ),
        filename="医院.csv",
    )
    rows = engine.compute(
        catalogue.select(["birth_statistics_agreement"]),
        tree.town,
        parse("2026Q1"),
        engine.CHILDREN,
    )
    values = {r.unit.code: r.values["birth_statistics_agreement"] for r in rows}
    a = values[tree.village_a.code]  # the three matched (or contradicting) births of A
    assert (a.numerator, a.denominator) == (2, 3)
    assert round(a.value, 2) == 66.67
    # 赵云's row has no unit: it stays with the list's area (the town itself)
    town = engine.compute(
        catalogue.select(["birth_statistics_agreement"]), tree.town, parse("2026Q1"), engine.SELF
    )
    t = town[0].values["birth_statistics_agreement"]
    assert (t.numerator, t.denominator) == (2, 4)
    indicator = catalogue.get("birth_statistics_agreement")
    assert indicator.measures == "service" and indicator.name_zh == "出生统计符合率"
    # the drill-down: the mothers of the registry births matched
    behind = engine.persons_behind(indicator, "numerator", tree.village_a, parse("2026Q1"))
    assert set(behind) == {registry.wang, registry.chen}
    behind = engine.persons_behind(indicator, "denominator", tree.town, parse("2026Q1"))
    assert set(behind) == {registry.wang, registry.chen, registry.zhou}


def test_matching_again_keeps_resolutions(tree, registry, users):
    checklist = import_hukou(tree, registry)
    missing = CrossCheckRow.objects.get(checklist=checklist, row_number=5)
    services.row_resolve(
        actor=users.town_office, row=missing, resolution="explained", note="外县出生，户籍迁入"
    )
    counts = services.match_list(checklist)
    assert counts == {"matched": 2, "contradicting": 2, "missing": 1, "unlisted": 3}
    missing.refresh_from_db()
    assert missing.resolution == "explained" and missing.resolution_note == "外县出生，户籍迁入"
