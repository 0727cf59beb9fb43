"""The import of applications from an upper system (issue 18): a good file records every
row as an imported case; a file with a bad row is refused whole, every row's reason in
Chinese, nothing written."""

from __future__ import annotations

import datetime

import pytest

from jisheng.benefits.importers_applications import applications_import
from jisheng.benefits.models import Batch, Case
from jisheng.core.excel import SheetRow

pytestmark = pytest.mark.django_db
D = datetime.date


def rows(*values):
    return [SheetRow(k + 2, v) for k, v in enumerate(values)]


@pytest.fixture
def children(family):
    made = []
    for k, born in enumerate((D(2025, 2, 1), D(2024, 7, 1))):
        birth = family(born, name=f"导入{k}")
        made.append(birth.child)
    return made


def number(person) -> str:
    from jisheng.core import crypto

    return crypto.decrypt(person.id_number_encrypted)


def test_a_good_file_is_recorded(users, children):
    result = applications_import(
        actor=users.office,
        rows=rows(
            *[
                {"身份证号": number(c), "待遇代码": "childcare_subsidy", "年度": "2026"}
                for c in children
            ]
        ),
        source_name="upper.xlsx",
    )
    assert not result.rejected and result.created == 2 and result.written
    cases = Case.objects.filter(source="imported")
    assert cases.count() == 2 and all(c.eligible for c in cases)


def test_a_bad_row_refuses_the_file_with_every_reason(users, children):
    result = applications_import(
        actor=users.office,
        rows=rows(
            {"身份证号": number(children[0]), "待遇代码": "childcare_subsidy", "年度": "2026"},
            {"身份证号": "110105199001010000", "待遇代码": "childcare_subsidy", "年度": "20x6"},
            {"身份证号": number(children[1]), "待遇代码": "moon_bonus", "年度": "2026"},
            {"身份证号": number(children[0]), "待遇代码": "childcare_subsidy", "年度": "2026"},
        ),
    )
    assert not result.written and result.created == 0
    reasons = {r.row_number: r.reasons for r in result.rejected}
    assert set(reasons) == {3, 4, 5}
    assert any("身份证号" in x for x in reasons[3]) and any("年度" in x for x in reasons[3])
    assert any("moon_bonus" in x for x in reasons[4])
    assert any("两次" in x for x in reasons[5])
    assert not Case.objects.exists() and not Batch.objects.exists()


def test_a_person_outside_the_scope_is_refused(users, tree, family):
    other = family(D(2025, 2, 1), unit=tree.village_b).child
    result = applications_import(
        actor=users.field_a,
        rows=rows({"身份证号": number(other), "待遇代码": "childcare_subsidy", "年度": "2026"}),
    )
    assert result.rejected and not Case.objects.exists()
