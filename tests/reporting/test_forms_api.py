"""Issue 15, report forms: the API (/api/v1/statforms) — the list, a form as a DHIS2
dataValueSet, bad input, permission and scope (404 and an audit row ``denied``)."""

from __future__ import annotations

import datetime as dt

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.people.choices import EventKind
from jisheng.people.events import event_record

D = dt.date
URL = "/statforms"


def test_the_list(api, users):
    response = api("office").get(f"{URL}?page_size=100")
    assert response.status_code == 200
    items = {i["key"]: i for i in response.json()["items"]}
    assert items["info_report"]["frequency"] == "month"
    assert items["info_report"]["columns"][:2] == ["marriage", "birth"]
    assert items["commodity_methods"]["source"] == "commodities"
    assert api(None).get(URL).status_code == 401
    assert api("auditor").get(URL).status_code == 403


def test_a_form_as_a_data_value_set(api, users, tree, make_person):
    a1 = make_person(name="甲一")
    event_record(actor=None, person=a1, kind=EventKind.MARRIAGE, date=D(2026, 3, 5))
    response = api("office").get(f"{URL}/info_report?unit={tree.town.code}&period=2026-03")
    assert response.status_code == 200
    data = response.json()
    assert (data["dataSet"], data["period"], data["orgUnit"]) == (
        "info_report",
        "202603",
        tree.town.code,
    )
    values = {(v["orgUnit"], v["dataElement"]): v["value"] for v in data["dataValues"]}
    assert values[(tree.village_a.code, "info_report.marriage")] == "1"
    assert values[(tree.town.code, "info_report.total")] == "1"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=users.office).count() == 1


def test_bad_input(api, tree):
    client = api("office")
    bad = client.get(f"{URL}/info_report?unit={tree.town.code}&period=2026Q1")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "period"
    bad = client.get(f"{URL}/info_report?unit={tree.town.code}&period=soon")
    assert bad.status_code == 422
    assert client.get(f"{URL}/nope?unit={tree.town.code}&period=2026-03").status_code == 404
    assert client.get(f"{URL}/info_report?period=2026-03").status_code == 422


def test_scope(api, users, tree):
    response = api("field_b").get(f"{URL}/info_report?unit={tree.village_a.code}&period=2026-03")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, user=users.field_b).exists()
    own = api("field_b").get(f"{URL}/info_report?unit={tree.village_b.code}&period=2026-03")
    assert own.status_code == 200
