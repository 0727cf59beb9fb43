"""The demography page and its Excel export: the figures of indicators.demography and
the engine, bad years (400), scope (404, audited)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.indicators import demography
from tests.indicators.conftest import period, world  # noqa: F401  (fixtures)

URL = "/reports/demography/"


def english(client):
    client.cookies["django_language"] = "en"


def test_url_names():
    assert reverse("reports:demography") == URL
    assert reverse("reports:demography_export") == "/reports/demography/export.xlsx"


def test_the_page_of_a_township(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    english(client)
    response = client.get(URL, {"unit": tree.town.code, "year": "2026"})
    assert response.status_code == 200
    data = response.context["data"]
    assert data.year == 2026
    assert data.day == min(timezone.localdate(), datetime.date(2026, 12, 31))
    assert data.pyramid == demography.pyramid(tree.town, data.day)
    assert data.births_by_order == demography.births_by_order_sex(tree.town, parse("2026"))
    assert data.fertility == demography.fertility(tree.town, 2026)
    figures = {f.indicator.id: f for f in data.figures}
    assert figures["births"].value.value == 1 and figures["deaths"].value.value == 1
    # one girl, no boy: 0/1 is too few births for a sex ratio (issue 13 item 23)
    assert figures["sex_ratio_at_birth"].text == "Sample too small"
    page = response.content.decode()
    assert 'data-testid="population">' in page
    assert 'data-chart="pyramid"' in page and 'id="js-pyramid"' in page
    assert "一孩" in page and "15–19" in page
    assert data.population == sum(g.male + g.female for g in data.pyramid)
    chart = response.context["pyramid_chart"]
    assert all(v <= 0 for v in chart["male"]) and all(v >= 0 for v in chart["female"])
    if timezone.localdate().year == 2026:
        assert response.context["next_url"] == ""  # no year after this one


def test_a_past_year_counts_on_its_last_day(client, users, tree, world):  # noqa: F811
    client.force_login(users.office)
    response = client.get(URL, {"unit": tree.town.code, "year": "2025"})
    assert response.status_code == 200
    assert str(response.context["data"].day) == "2025-12-31"
    assert response.context["next_url"].endswith("year=2026")
    # women of every group, no birth: a TFR of 0, not undefined
    assert response.context["data"].tfr_text == "0.00"


@pytest.mark.parametrize("bad", ["20x6", "1800", "-1", "+1"])
def test_a_bad_year_is_400(client, users, tree, bad):
    client.force_login(users.office)
    english(client)
    response = client.get(URL, {"year": bad})
    assert response.status_code == 400
    assert "is not a year" in response.content.decode()


def test_another_units_code_is_404_and_audited(client, users, tree):
    client.force_login(users.town_office)
    assert client.get(URL, {"unit": tree.street.code}).status_code == 404
    assert (
        client.get(reverse("reports:demography_export"), {"unit": tree.street.code}).status_code
        == 404
    )
    assert (
        AuditEvent.objects.filter(
            action="denied", username="town_office", object_id=str(tree.street.pk)
        ).count()
        == 2
    )


def test_excel_export(client, users, tree, world):  # noqa: F811
    client.force_login(users.town_office)
    response = client.get(reverse("reports:demography_export"), {"year": "2026"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["人口金字塔", "出生孩次性别", "人口指标", "分年龄组生育率"]
    pyramid = list(book["人口金字塔"].iter_rows(min_row=2, values_only=True))
    assert pyramid[0][0] == "0–4" and pyramid[-1][0] == "合计"
    asfr = list(book["分年龄组生育率"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in asfr][:7] == [f"{a}–{a + 4}" for a in range(15, 50, 5)]
    event = AuditEvent.objects.filter(action="export", username="town_office").latest("pk")
    assert event.object_id == str(tree.town.pk) and event.changes == {"year": 2026}


def test_permissions(client, users):
    client.force_login(users.auditor)
    assert client.get(URL).status_code == 403
