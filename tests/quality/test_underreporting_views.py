"""The under-reporting scan's pages and API: figures on hand-built data, drill-down, bad
input, permissions and scope."""

import datetime

import pytest
from django.test import Client

from jisheng.core.models import AuditEvent
from jisheng.people.family import birth_record

D = datetime.date
URL = "/quality/underreporting/"
VILLAGE_URL = "/quality/underreporting/village/"


@pytest.fixture
def world(tree, make_person):
    """2025: 甲村 and 乙村 have 20 women each born 1 March 1998 (25–29 all year); 乙村
    registers 12 births, 甲村 none. County rate 25–29: 12 ÷ 40 = 0.3, so E = 6 in each:
    甲村 P(X ≤ 0 | 6) = e^-6 = 0.0025 < 0.01, flagged low; 乙村 P(X ≥ 12 | 6) = 0.020,
    not flagged."""
    for i in range(20):
        make_person(tree.village_a, name=f"甲{i:02d}", birth_date=D(1998, 3, 1))
    mothers = [
        make_person(tree.village_b, name=f"乙{i:02d}", birth_date=D(1998, 3, 1)) for i in range(20)
    ]
    for i, mother in enumerate(mothers[:12]):
        birth_record(
            actor=None,
            mother=mother,
            date=D(2025, 1 + i, 15),
            sex="MF"[i % 2],
            register_child=False,
        )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_scan_page_lists_the_flagged_village(world, tree, users):
    response = client_for(users.office).get(URL, {"unit": tree.county.code, "period": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "出生漏报筛查" in html and "2025年" in html
    assert f'data-unit="{tree.village_a.code}" data-flag="low"' in html
    assert tree.village_b.code not in html.split('data-testid="flagged-villages"')[1]
    row = html.split(f'data-unit="{tree.village_a.code}"')[1].split("</tr>")[0]
    assert '<td class="text-end" data-testid="e">6.00</td>' in row
    assert '<td class="text-end" data-testid="o">0</td>' in row
    assert "0.0025" in row  # e^-6
    assert "25–29: 20 × 300.0‰" in row
    assert "出生登记" in row  # check the village's birth registration
    page = response.context["page"]
    assert [v.unit for v in page] == [tree.village_a]
    assert response.context["scan"].observed == 12
    # the reference rates behind E
    assert "300.0" in html.split('data-testid="reference"')[1].split("</table>")[0]


def test_village_page_drills_down_to_births_and_women(world, tree, users):
    client = client_for(users.office)
    b = client.get(VILLAGE_URL, {"unit": tree.village_b.code, "period": "2025"})
    assert b.status_code == 200
    assert len(b.context["page"]) == 12 and b.context["result"].observed == 12
    assert b.context["result"].expected == pytest.approx(6)
    assert "乙00" in b.content.decode()
    women = client.get(
        VILLAGE_URL, {"unit": tree.village_a.code, "period": "2025", "show": "women"}
    )
    assert women.status_code == 200
    assert women.context["page"].paginator.count == 20
    html = women.content.decode()
    assert "甲00" in html and 'data-flag="low"' in html


def test_scan_default_period_and_bad_period(world, tree, users):
    client = client_for(users.office)
    response = client.get(URL)  # the user's unit, last year
    assert response.status_code == 200
    today = datetime.date.today()
    assert response.context["period"].code == str(today.year - 1)
    for bad in ("2025H1", "abc", f"{today.year + 1}"):
        response = client.get(URL, {"unit": tree.county.code, "period": bad})
        assert response.status_code == 400, bad
        assert 'data-testid="bad-input"' in response.content.decode()


def test_scan_permissions_and_scope(world, tree, users):
    assert client_for(users.field_a).get(URL).status_code == 403  # a field worker
    assert client_for(users.leader).get(URL, {"period": "2025"}).status_code == 200
    town = client_for(users.town_office)
    assert town.get(URL, {"period": "2025"}).context["unit"] == tree.town
    # another unit's subtree: 404 like a missing one, and the attempt audited
    assert town.get(URL, {"unit": tree.street.code}).status_code == 404
    assert town.get(VILLAGE_URL, {"unit": tree.community.code}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="town_office").count() == 2


# --------------------------------------------------------------------------- API


def test_api_scan(world, tree, api):
    response = api("office").get("/quality/underreporting", unit=tree.county.code, period="2025")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["unit"], item["flag"], item["observed"], item["reference"]) == (
        tree.village_a.code,
        "low",
        0,
        "county",
    )
    assert item["expected"] == pytest.approx(6)
    assert item["p_low"] == pytest.approx(0.0024787522)
    group = next(g for g in item["groups"] if g["label"] == "25–29")
    assert (group["women"], group["rate_per_1000"]) == (20, pytest.approx(300))
    every = api("office").get(
        "/quality/underreporting", unit=tree.county.code, period="2025", all="true"
    )
    assert every.json()["count"] == 2


def test_api_errors_and_scope(world, tree, api):
    office = api("office")
    bad = office.get("/quality/underreporting", unit=tree.county.code, period="2025H1")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "period"
    assert (
        api("field_a").get("/quality/underreporting", unit=tree.village_a.code).status_code == 403
    )
    assert api(None).get("/quality/underreporting", unit=tree.county.code).status_code == 401
    town = api("town_office")
    assert town.get("/quality/underreporting", unit=tree.street.code).status_code == 404
    assert town.get("/quality/underreporting", unit="NOPE").status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()


def test_api_in_the_openapi_schema(tree, api):
    schema = api(None).get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/quality/underreporting"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"unit", "period", "all", "page", "page_size"} <= names
