"""The eligibility pages (issue 18), in Chinese: the sweep run from its page, the batch's
cases, the explanation page (✓/✗, records, months, amount, shares; another unit's case →
404 and audited), an application refused with its clause, a disability grade, the budget
page and its Excel; the API."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client

from jisheng.benefits.models import Case, DisabilityRecord
from jisheng.benefits.services_sweep import sweep
from jisheng.core.models import AuditEvent

pytestmark = pytest.mark.django_db

D = datetime.date
ASCII_WORDS = re.compile(r">[^<]*\b(?:the|and|of|Save|Back|Eligible|clause)\b[^<]*<")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def swept(users, tree, unit=None, actor=None):
    return sweep(
        actor=actor or users.office,
        kind="childcare_subsidy",
        unit=unit or tree.county,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 12, 31),
    )


def test_run_a_sweep_from_its_page(users, tree, family):
    birth = family(D(2023, 5, 20))
    client = client_for(users.office)
    page = client.get("/benefits/sweeps/")
    assert page.status_code == 200 and "资格筛查" in page.text
    response = client.post(
        "/benefits/sweeps/", {"kind": "childcare_subsidy", "unit": tree.county.pk, "year": 2026}
    )
    assert response.status_code == 302
    result = client.get(response["Location"])
    assert birth.child.name in result.text
    assert not ASCII_WORDS.search(result.text)


def test_the_explanation_page(users, tree, family):
    birth = family(D(2023, 5, 20))
    case = Case.objects.get(batch=swept(users, tree), person=birth.child)
    page = client_for(users.field_a).get(f"/benefits/cases/{case.pk}/")
    assert page.status_code == 200
    text = page.text
    assert "未满三周岁" in text and "✓" in text and "✗" not in text
    assert "2023年5月20日" in text
    assert 'data-testid="months">4<' in text and "1200.00" in text
    assert "中央" in text  # the central share
    assert not ASCII_WORDS.search(text)
    assert "110105" not in text  # no ID number


def test_a_refused_case_shows_the_failed_clause(users, tree, family):
    birth = family(D(2025, 1, 1), status="in_migrant")
    case = Case.objects.get(batch=swept(users, tree), person=birth.child)
    text = client_for(users.office).get(f"/benefits/cases/{case.pk}/").text
    assert "不符合条件" in text and "✗" in text
    assert 'data-clause="registered_here" data-ok="0"' in text


def test_another_unit_s_case_is_404_and_audited(users, tree, family):
    birth = family(D(2025, 1, 1), unit=tree.village_b, name="乙村娃")
    case = Case.objects.get(batch=swept(users, tree), person=birth.child)
    assert client_for(users.field_a).get(f"/benefits/cases/{case.pk}/").status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", user=users.field_a, object_type="benefits.case", object_id=str(case.pk)
    ).exists()


def test_an_application_refused_names_the_clause(users, tree, family, make_person):
    mother = make_person(tree.village_a, name="孙母", sex="F", birth_date=D(1965, 1, 1), seq=903,
                         hukou_type="non_agricultural")  # fmt: skip
    family(D(1990, 1, 1), mother=mother, father=False)
    client = client_for(users.office)
    found = client.get("/benefits/applications/new/", {"q": "孙"})
    assert "孙母" in found.text
    response = client.post(
        f"/benefits/applications/new/?person={mother.pk}",
        {"person": mother.pk, "kind": "county_reward", "unit": tree.county.pk, "year": 2026},
    )
    assert response.status_code == 302
    case = Case.objects.get(person=mother)
    assert case.source == "entered" and not case.eligible
    assert [c["code"] for c in case.explanation if not c["ok"]] == ["rural"]
    text = client.get(response["Location"]).text
    assert 'data-clause="rural" data-ok="0"' in text


def test_an_application_with_a_bad_year_is_refused(users, tree, person):
    response = client_for(users.office).post(
        f"/benefits/applications/new/?person={person.pk}",
        {"person": person.pk, "kind": "childcare_subsidy", "unit": tree.county.pk, "year": "x"},
    )
    assert response.status_code == 200 and "年份" in response.text
    assert not Case.objects.exists()


def test_record_a_disability_grade(users, tree, person):
    client = client_for(users.office)
    response = client.post(
        f"/benefits/disability/new/?person={person.pk}",
        {"person": person.pk, "grade": 2, "certified_on": "2020-01-01"},
    )
    assert response.status_code == 302
    assert DisabilityRecord.objects.get(person=person).grade == 2
    bad = client.post(
        f"/benefits/disability/new/?person={person.pk}",
        {"person": person.pk, "grade": 7, "certified_on": "2020-01-01"},
    )
    assert bad.status_code == 200 and DisabilityRecord.objects.count() == 1


def test_the_budget_page_and_excel(users, tree, family):
    family(D(2026, 3, 1))  # under three for the whole of 2027
    client = client_for(users.office)
    page = client.get("/benefits/budget/", {"year": 2027})
    assert page.status_code == 200
    assert "东城镇" in page.text and "3600.00" in page.text
    xlsx = client.get("/benefits/budget/", {"year": 2027, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", user=users.office).exists()


def test_the_api(users, tree, family, api):
    birth = family(D(2023, 5, 20))
    client = api("office")
    kinds = client.get("/benefits/eligibility/kinds").json()
    assert "childcare_subsidy" in {k["key"] for k in kinds}
    made = client.post_json(
        "/benefits/eligibility/sweeps",
        {"kind": "childcare_subsidy", "unit": tree.county.code,
         "period_start": "2026-01-01", "period_end": "2026-12-31"},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert Decimal(made.json()["total_amount"]) == Decimal("1200.00")
    listed = client.get("/benefits/eligibility/sweeps").json()
    assert listed["count"] == 1
    case = Case.objects.get(person=birth.child)
    body = client.get(f"/benefits/eligibility/cases/{case.pk}").json()
    assert body["months"] == 4 and [c["ok"] for c in body["clauses"]] == [True, True, True]
    assert api("field_b").get(f"/benefits/eligibility/cases/{case.pk}").status_code == 404
    budget = client.get("/benefits/eligibility/budget", year=2026).json()
    assert Decimal(budget["total"]) == Decimal("1200.00")
