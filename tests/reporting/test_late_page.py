"""补报/更正 in the pages and the API (issue 15): the reason field on the forms, the
refusal on the date field with what was typed kept, the API's 422; and the late entries
page (reporting/late/): scoped, filtered by unit and period, with the closed periods."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from jisheng.core import locks
from jisheng.core.models import AuditEvent, LateEntry
from jisheng.people.choices import EventKind
from jisheng.people.models import LifeEvent
from jisheng.people.services import event_record
from jisheng.services.models import FollowUpVisit

FIRST = datetime.date(2026, 10, 1)
LAST = datetime.date(2026, 10, 31)
REASON = "村委会10月底才报来"


@pytest.fixture
def closed(tree):
    """October 2026 closed for village A only."""
    return locks.close(
        unit=tree.village_a, first=FIRST, last=LAST, source=tree.village_a, actor=None
    )


# --------------------------------------------------------------------------- forms


def test_the_visit_form_refuses_on_the_date_and_keeps_what_was_typed(client, users, person, closed):
    client.force_login(users.field_a)
    url = reverse("services:visit_create", args=[person.pk])
    # the reason field appears only when the date is refused
    assert "补报/更正原因" not in client.get(url).content.decode()
    data = {"visited_on": "2026-10-31", "way": "home", "needs": "需要避孕套"}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["visited_on"]
    assert "东城镇" not in errors["visited_on"][0] and "甲村" in errors["visited_on"][0]
    assert "补报/更正须填写原因" in errors["visited_on"][0]
    page = response.content.decode()
    assert 'value="2026-10-31"' in page and "需要避孕套" in page
    assert "补报/更正原因" in page and '<textarea name="late_reason"' in page
    assert not FollowUpVisit.objects.exists()
    response = client.post(url, {**data, "late_reason": "  "})
    assert list(response.context["form"].errors) == ["visited_on"]
    response = client.post(url, {**data, "late_reason": "补" * 501})
    assert "late_reason" in response.context["form"].errors
    assert "补" * 501 in response.content.decode()  # shown with its error, kept
    response = client.post(url, {**data, "late_reason": REASON})
    assert response.status_code == 302
    visit = FollowUpVisit.objects.get()
    entry = LateEntry.objects.get()
    assert (entry.object_id, entry.reason, entry.recorded_by) == (visit.pk, REASON, users.field_a)


def test_the_event_form_shows_the_reason_field(client, users, person, closed):
    client.force_login(users.field_a)
    url = reverse("people:event_create", args=[person.pk])
    assert "补报/更正原因" not in client.get(url).content.decode()
    response = client.post(url, {"kind": "flow_out", "date": "2026-10-01", "to": "广州"})
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert "补报/更正原因" in response.content.decode()
    response = client.post(
        url, {"kind": "flow_out", "date": "2026-10-01", "to": "广州", "late_reason": REASON}
    )
    assert response.status_code == 302
    assert LateEntry.objects.get().what == "李秀英：流出"


def test_the_method_form(client, users, person, closed):
    client.force_login(users.field_a)
    url = reverse("services:method_create", args=[person.pk])
    data = {
        "method": "iud",
        "started_on": "2026-10-05",
        "reason": "first",
        "told_other_methods": "yes",
        "told_side_effects": "yes",
        "told_what_to_do": "yes",
    }
    response = client.post(url, data)
    assert "started_on" in response.context["form"].errors
    assert "补报/更正原因" in response.content.decode()
    assert client.post(url, {**data, "late_reason": REASON}).status_code == 302
    assert LateEntry.objects.count() == 1


# --------------------------------------------------------------------------- API


def test_the_api_answers_422_in_chinese_and_accepts_late_reason(api, person, closed):
    client = api("field_a", language="zh-hans")
    path = f"/persons/{person.pk}/events"
    response = client.post_json(path, {"kind": "flow_out", "date": "2026-10-15"})
    assert response.status_code == 422
    body = response.json()
    assert "补报/更正须填写原因" in body["message"]
    assert body["details"][0]["field"] == "date"
    assert not LifeEvent.objects.filter(kind=EventKind.FLOW_OUT).exists()
    too_long = client.post_json(
        path, {"kind": "flow_out", "date": "2026-10-15", "late_reason": "补" * 501}
    )
    assert too_long.status_code == 422
    response = client.post_json(
        path, {"kind": "flow_out", "date": "2026-10-15", "late_reason": REASON}
    )
    assert response.status_code == 201
    assert LateEntry.objects.get().reason == REASON


def test_the_api_visit(api, person, closed):
    client = api("field_a", language="zh-hans")
    payload = {"person": person.pk, "visited_on": "2026-10-15", "way": "home"}
    assert client.post_json("/services/visits", payload).status_code == 422
    response = client.post_json("/services/visits", {**payload, "late_reason": REASON})
    assert response.status_code == 201, response.content


def test_late_reason_is_in_the_openapi_schema(api):
    schema = api("admin").get("/openapi.json").json()
    assert "late_reason" in schema["components"]["schemas"]["EventIn"]["properties"]


# --------------------------------------------------------------------------- the page


@pytest.fixture
def entries(tree, person, make_person):
    """A late entry in village A (October), one in village B (October), one in village
    A dated in September (closed too)."""
    locks.close(unit=tree.town, first=FIRST, last=LAST, source=tree.town, actor=None)
    locks.close(
        unit=tree.village_a,
        first=datetime.date(2026, 9, 1),
        last=datetime.date(2026, 9, 30),
        source=person,
        actor=None,
    )
    other = make_person(unit=tree.village_b, name="周敏")
    a = event_record(
        actor=None,
        person=person,
        kind=EventKind.FLOW_OUT,
        date=datetime.date(2026, 10, 9),
        late_reason="甲村补报",
    )
    event_record(
        actor=None,
        person=other,
        kind=EventKind.FLOW_OUT,
        date=datetime.date(2026, 10, 9),
        late_reason="乙村补报",
    )
    event_record(
        actor=None,
        person=person,
        kind=EventKind.RETURN,
        date=datetime.date(2026, 10, 20),
        late_reason="返回补报",
    )
    return a


def test_the_page_lists_the_users_scope_only(client, users, entries, tree):
    url = reverse("reporting:late_list")
    client.force_login(users.field_a)
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "甲村补报" in page and "返回补报" in page and "乙村补报" not in page
    assert "共2条补报/更正记录" in page
    assert reverse("people:person_detail", args=[entries.person_id]) in page
    assert "2026年10月9日" in page
    # the closed periods of the working unit: its own September, the township's October
    closed = response.context["closed"]
    assert [(c.first, c.unit.name) for c in closed] == [
        (FIRST, "东城镇"),
        (datetime.date(2026, 9, 1), "甲村"),
    ]
    assert "已关闭期间" in page
    client.force_login(users.town_office)
    response = client.get(url)
    page = response.content.decode()
    assert "甲村补报" in page and "乙村补报" in page
    # the township sees its own closure and those of its villages
    assert [(c.first, c.unit.name) for c in response.context["closed"]] == [
        (FIRST, "东城镇"),
        (datetime.date(2026, 9, 1), "甲村"),
    ]


def test_the_filters(client, users, entries, tree):
    url = reverse("reporting:late_list")
    client.force_login(users.town_office)
    page = client.get(url, {"unit": tree.village_b.code}).content.decode()
    assert "乙村补报" in page and "甲村补报" not in page
    assert client.get(url, {"period": "2026-09"}).context["page"].paginator.count == 0
    assert client.get(url, {"period": "2026-10"}).context["page"].paginator.count == 3
    bad = client.get(url, {"period": "2026-13"})
    assert bad.status_code == 200 and bad.context["period_error"]
    assert bad.context["page"].paginator.count == 3


def test_another_units_entries_and_records_are_denied(client, users, entries, tree, person):
    client.force_login(users.field_b)
    url = reverse("reporting:late_list")
    page = client.get(url).content.decode()
    assert "甲村补报" not in page and "乙村补报" in page
    assert client.get(url, {"unit": tree.village_a.code}).status_code == 404
    assert client.get(reverse("people:person_detail", args=[person.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="field_b").count() == 2


def test_the_page_needs_its_permission(client, users, tree):
    url = reverse("reporting:late_list")
    assert client.get(url).status_code == 302
    from tests import factories

    commodity = factories.user("commodity", tree.county, "commodity")
    client.force_login(commodity)
    assert client.get(url).status_code == 403


def test_the_registration_form(client, users, tree, closed):
    from jisheng.people.models import Person
    from tests import factories

    client.force_login(users.field_a)
    url = reverse("people:person_create")
    data = {
        "name": "吴婷",
        "sex": "F",
        "birth_date": "1992-08-09",
        "id_status": "valid",
        "id_number": factories.id_number(datetime.date(1992, 8, 9), "F", 31),
        "ethnicity": "汉族",
        "unit": tree.village_a.code,
        "marital_status": "single",
        "status": "registered",
        "registered_on": "2026-10-20",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "registered_on" in response.context["form"].errors
    page = response.content.decode()
    assert "补报/更正原因" in page and "吴婷" in page
    assert not Person.objects.filter(name="吴婷").exists()
    assert client.post(url, {**data, "late_reason": REASON}).status_code == 302
    assert LateEntry.objects.get().what == "吴婷：建档"


def test_the_campaign_attendance_page_asks_for_the_reason(client, users, tree):
    from django.utils import timezone

    from jisheng.services import campaigns
    from jisheng.services.models import CampaignTarget
    from tests import factories
    from tests.services.test_campaigns_pages import formset_data

    today = timezone.localdate()
    factories.person(
        tree.village_a, "王芳", "F", datetime.date(1990, 1, 1), seq=1,
        registered_on=datetime.date(2015, 1, 1), marital_status="first_marriage",
    )  # fmt: skip
    round_ = campaigns.round_create(
        actor=None,
        unit=tree.town,
        campaign_id="comprehensive_service",
        period_start=today - datetime.timedelta(days=30),
        period_end=today + datetime.timedelta(days=30),
    )
    day = today - datetime.timedelta(days=10)
    locks.close(unit=tree.village_a, first=day, last=day, source=tree.village_a, actor=None)
    rows = list(CampaignTarget.objects.filter(round=round_))
    client.force_login(users.field_a)
    url = reverse("services:campaign_attendance", args=[round_.pk])
    assert "补报/更正原因" not in client.get(url).content.decode()
    data = formset_data(rows, {rows[0].pk: {"attended_on": day.isoformat(), "pregnant": "no"}})
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "补报/更正原因" in page
    assert not CampaignTarget.objects.filter(attended_on__isnull=False).exists()
    response = client.post(url, {**data, "late_reason": REASON})
    assert response.status_code == 302
    assert LateEntry.objects.get().reason == REASON
