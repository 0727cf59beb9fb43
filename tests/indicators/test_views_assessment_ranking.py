"""Issue 13 item 24: the assessment page draws the ranking as a bar chart (ECharts, data
through json_script) and exports it to Excel; 人工评分 (score by hand) is offered only for
a unit with something to score by hand; an empty list says who creates an assessment and
how, with a button only for those who can."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from jisheng.core.models import AuditEvent
from jisheng.indicators import assessment as rules
from jisheng.indicators.models import Assessment
from tests import factories
from tests.indicators import test_contracts
from tests.indicators.conftest import world  # noqa: F401  (fixture)

assess_pack = test_contracts.assess_pack


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def annual(world, tree, users, assess_pack):  # noqa: F811
    with translation.override("zh-hans"):
        return rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")


@pytest.fixture
def assessor(tree):
    return factories.user("assessor", tree.county, "assessor")


def _json(page: str, element_id: str):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page)
    assert found, element_id
    return json.loads(found.group(1))


def test_the_ranking_chart(client, users, tree, annual):
    client.force_login(users.office)
    page = client.get(reverse("indicators:assessment_detail", args=[annual.pk])).content.decode()
    assert 'data-testid="ranking-chart"' in page and 'data-json="js-ranking"' in page
    assert "echarts.min.js" in page and "dashboard.js" in page
    chart = _json(page, "js-ranking")
    units = rules.present(annual.result)
    assert chart["labels"] == [u["name"] for u in units]  # in the order of the ranking
    assert chart["values"] == [round(float(u["total"]), 2) for u in units]
    assert chart["urls"] == [f"#unit-{u['id']}" for u in units]
    assert "onclick" not in page.split('data-testid="ranking-chart"')[1].split(">")[0]


def test_the_ranking_in_excel(client, users, tree, annual):
    client.force_login(users.leader)  # reading is enough
    response = client.get(reverse("indicators:assessment_export", args=[annual.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["考核排名"]
    rows = list(book["考核排名"].iter_rows(values_only=True))
    assert rows[0] == ("名次", "单位", "单位代码", "得分", "等次", "一票否决", "末位", "奖惩")
    units = rules.present(annual.result)
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (u["rank"], u["name"], u["code"]) for u in units
    ]
    assert {r[2] for r in rows[1:]} == {tree.village_a.code, tree.village_b.code}
    assert AuditEvent.objects.filter(
        action="export", username="leader", object_id=str(annual.pk)
    ).exists()
    client.force_login(users.field_a)
    assert client.get(reverse("indicators:assessment_export", args=[annual.pk])).status_code == 403


def test_score_by_hand_only_where_there_is_a_manual_item(client, tree, annual, assessor):
    # 乙村's items: only those computed from the registry (nothing to score by hand)
    for row in annual.basis["units"]:
        if row["id"] == tree.village_b.pk:
            row["items"] = [i for i in row["items"] if i["kind"] == "indicator"]
            row["composite"] = [{**p, "source": "half_year"} for p in (row.get("composite") or [])]
    Assessment.objects.filter(pk=annual.pk).update(basis=annual.basis)
    assert rules.entry_slots(Assessment.objects.get(pk=annual.pk), tree.village_b.pk) == []
    client.force_login(assessor)
    page = client.get(reverse("indicators:assessment_detail", args=[annual.pk])).content.decode()
    score_a = reverse("indicators:assessment_score", args=[annual.pk, tree.village_a.pk])
    score_b = reverse("indicators:assessment_score", args=[annual.pk, tree.village_b.pk])
    assert score_a in page
    assert score_b not in page


def test_an_empty_list_says_who_creates_one(client, users, tree, assessor):
    client.force_login(assessor)
    page = client.get(reverse("indicators:assessment_list")).content.decode()
    empty = page.split('data-testid="no-assessments"')[1].split("</td>")[0]
    assert "计生办" in empty and "目标考核" in empty and "计算" in empty
    assert 'data-testid="new-assessment"' not in page  # an assessor cannot create one
    assert 'data-testid="assessment-form"' not in page
    client.force_login(users.office)
    page = client.get(reverse("indicators:assessment_list")).content.decode()
    assert 'data-testid="new-assessment"' in page and 'href="#id_period"' in page
    assert 'id="id_period"' in page
