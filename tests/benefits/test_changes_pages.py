"""The changes part's pages, API and staff allowances (issue 18): a person's benefits,
stops to confirm, overpayments, arrears, allowances — scoped, Chinese, amounts as
strings of yuan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jisheng.benefits import allowances
from jisheng.benefits.choices import Power
from jisheng.benefits.models import AllowanceLine, Duty, Entitlement, Overpayment
from jisheng.core.models import AuditEvent
from jisheng.orgs import services as org_services
from jisheng.orgs.choices import PositionRole
from jisheng.people import events
from jisheng.people.choices import EventKind
from tests.benefits import factories_changes as f

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(tree):
    f.load_pack(tree.county)


@pytest.fixture
def stopped(pack, make_person):
    """A 特扶 parent of village A who died on 2026-03-15, paid through June."""
    parent = make_person(name="陈秀兰", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance", paid_through=D(2026, 6, 30))
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 3, 15))
    ent.refresh_from_db()
    return ent


def test_the_office_confirms_a_stop_and_resolves_the_overpayment_on_the_pages(
    client, users, stopped
):
    client.force_login(users.field_a)
    page = client.get(reverse("benefits:stops_to_confirm"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "陈秀兰" in text and "计划生育特别扶助" in text and "死亡" in text
    assert "special_assistance" not in text
    detail = client.get(reverse("benefits:stop_confirm", args=[stopped.pk]))
    assert "2026年4月1日" in detail.content.decode()
    done = client.post(reverse("benefits:stop_confirm", args=[stopped.pk]), {"note": "已核实"})
    assert done.status_code == 302
    stopped.refresh_from_db()
    assert stopped.stop_seen is True
    over = Overpayment.objects.get(entitlement=stopped)
    assert (over.months, over.amount) == (3, Decimal("1500.00"))
    bad = client.post(reverse("benefits:overpayment_resolve", args=[over.pk]), {"outcome": "x"})
    assert bad.status_code == 200 and "data-error-for" in bad.content.decode()
    ok = client.post(
        reverse("benefits:overpayment_resolve", args=[over.pk]),
        {"outcome": "written_off", "note": "经审批核销"},
    )
    assert ok.status_code == 302
    over.refresh_from_db()
    assert over.status == "resolved" and "经审批核销" in over.resolution


def test_another_units_rows_answer_404_audited(client, users, stopped):
    client.force_login(users.field_b)
    assert client.get(reverse("benefits:stop_confirm", args=[stopped.pk])).status_code == 404
    over = Overpayment.objects.get(entitlement=stopped)
    assert client.get(reverse("benefits:overpayment_resolve", args=[over.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", object_type="benefits.entitlement").exists()
    page = client.get(reverse("benefits:stops_to_confirm"))
    assert "陈秀兰" not in page.content.decode()
    person = client.get(reverse("benefits:person_benefits"), {"person": stopped.person_id})
    assert person.status_code == 404


def test_a_persons_benefits_page(client, users, stopped):
    client.force_login(users.field_a)
    found = client.get(reverse("benefits:person_benefits"), {"q": "陈秀兰"})
    assert found.status_code == 200
    assert f"?person={stopped.person_id}" in found.content.decode()
    page = client.get(reverse("benefits:person_benefits"), {"person": stopped.person_id})
    text = page.content.decode()
    assert "计划生育特别扶助" in text and 'data-testid="stopped"' in text
    assert stopped.person.id_number if hasattr(stopped.person, "id_number") else True
    client.force_login(users.auditor)  # supervision reads
    assert client.get(reverse("benefits:stops_to_confirm")).status_code == 200
    assert client.post(reverse("benefits:stop_confirm", args=[stopped.pk])).status_code == 403


def test_a_stop_due_is_shown_before_the_nightly_job(client, users, pack, make_person):
    mother = make_person(name="刘芳", birth_date=D(1995, 1, 1))
    child = make_person(
        name="刘小米", birth_date=D(2021, 5, 20), seq=330, registered_on=D(2021, 5, 20)
    )
    f.entitlement(child, kind="childcare_subsidy", beneficiary=mother)
    client.force_login(users.field_a)
    page = client.get(reverse("benefits:person_benefits"), {"person": mother.pk})
    assert 'data-testid="stop-due"' in page.content.decode()
    assert Entitlement.objects.get(person=child).status == "active"  # a read writes nothing


def test_the_arrears_page_puts_months_owed_in_the_next_batch(
    client, users, pack, make_person, tree
):
    mother = make_person(name="黄静", birth_date=D(1995, 1, 1))
    child = make_person(
        name="黄小雨", birth_date=D(2025, 3, 10), seq=340, registered_on=D(2025, 3, 10)
    )
    ent = f.entitlement(
        child, kind="childcare_subsidy", beneficiary=mother, starts_on=D(2025, 3, 10)
    )
    batch = f.batch(tree.county, kind="childcare_subsidy")
    client.force_login(users.office)
    page = client.get(reverse("benefits:arrears_due"))
    assert "黄小雨" in page.content.decode()
    client.post(reverse("benefits:arrears_due"), {"entitlement": ent.pk, "through": "2025-12-31"})
    case = batch.cases.get()
    assert (case.months, case.amount, case.source) == (10, Decimal("3000.00"), "arrears")
    assert case.note == "补发 2025年3月至2025年12月"


def test_a_staff_allowance_for_a_propagandist_is_10_yuan_a_month(pack, tree, users):
    org_services.position_create(
        actor=None,
        unit=tree.village_a,
        role=PositionRole.PROPAGANDIST,
        holder_name="field_a",
        title="宣传员",
        start_date=D(2026, 3, 15),
        user=users.field_a,
    )
    org_services.position_create(  # no login: cannot be paid
        actor=None,
        unit=tree.village_b,
        role=PositionRole.PROPAGANDIST,
        holder_name="无账号",
        start_date=D(2020, 1, 1),
    )
    org_services.position_create(  # another position: not paid by this allowance
        actor=None,
        unit=tree.village_b,
        role=PositionRole.SPECIALIST,
        holder_name="field_b",
        start_date=D(2020, 1, 1),
        user=users.field_b,
    )
    with pytest.raises(ValidationError):
        allowances.build(
            actor=users.office,
            kind="special_assistance",
            unit=tree.county,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
        )
    with pytest.raises(PermissionDenied):
        allowances.build(
            actor=users.field_b,
            kind="propagandist_allowance",
            unit=tree.county,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
        )
    batch = allowances.build(
        actor=users.office,
        kind="propagandist_allowance",
        unit=tree.county,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 12, 31),
    )
    line = AllowanceLine.objects.get(batch=batch)
    assert (line.user, line.months, line.amount) == (users.field_a, 10, Decimal("100.00"))
    assert (batch.case_count, batch.total_amount) == (1, Decimal("100.00"))
    assert Duty.objects.filter(batch=batch, user=users.office, power=Power.CONFIRM).exists()


def test_the_allowance_pages(client, pack, tree, users):
    org_services.position_create(
        actor=None,
        unit=tree.village_a,
        role=PositionRole.PROPAGANDIST,
        holder_name="field_a",
        start_date=D(2020, 1, 1),
        user=users.field_a,
    )
    client.force_login(users.office)
    page = client.get(reverse("benefits:allowances"))
    assert "宣传员责任补贴" in page.content.decode()
    built = client.post(
        reverse("benefits:allowances"),
        {
            "kind": "propagandist_allowance",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
        },
    )
    assert built.status_code == 302
    detail = client.get(built["Location"])
    text = detail.content.decode()
    assert "60.00" in text and "宣传员" in text and "propagandist" not in text
    bad = client.post(
        reverse("benefits:allowances"),
        {
            "kind": "propagandist_allowance",
            "period_start": "2026-06-30",
            "period_end": "2026-01-01",
        },
    )
    assert bad.status_code == 200


def test_the_api_lists_confirms_and_resolves_in_scope(api, stopped):
    client = api("field_a", language="zh-hans")
    listed = client.get("/benefits/entitlements", to_confirm="true")
    assert listed.status_code == 200, listed.content
    body = listed.json()
    assert body["count"] == 1 and body["items"][0]["stopped_on"] == "2026-04-01"
    other = api("field_b").get(f"/benefits/entitlements/{stopped.pk}")
    assert other.status_code == 404
    confirmed = client.post_json(f"/benefits/entitlements/{stopped.pk}/confirm-stop", {})
    assert confirmed.status_code == 200 and confirmed.json()["stop_seen"] is True
    again = client.post_json(f"/benefits/entitlements/{stopped.pk}/confirm-stop", {})
    assert again.status_code == 422
    overs = client.get("/benefits/overpayments", status="open").json()
    assert overs["count"] == 1 and overs["items"][0]["amount"] == "1500.00"
    over_id = overs["items"][0]["id"]
    refused = api("field_b").post_json(
        f"/benefits/overpayments/{over_id}/resolve", {"outcome": "repaid", "note": "x"}
    )
    assert refused.status_code == 404
    bad = client.post_json(
        f"/benefits/overpayments/{over_id}/resolve", {"outcome": "deduct", "note": "x"}
    )
    assert bad.status_code == 422
    done = client.post_json(
        f"/benefits/overpayments/{over_id}/resolve", {"outcome": "repaid", "note": "已退回"}
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert api("leader").get("/benefits/allowances").status_code == 200
