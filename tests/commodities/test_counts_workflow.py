"""Physical counts on core.workflow: the approver returns a submitted count with a
message, the counter sees it (page and worklist source), corrects and submits again;
the decisions of each step; refusals; a count changed meanwhile."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jisheng.commodities import counts
from jisheng.commodities.choices import CountStatus
from jisheng.core import workflow
from jisheng.core.models import AuditEvent, Decision
from jisheng.core.registry import registry
from tests import factories
from tests.commodities.conftest import receive

COUNT_DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def submitted(stores, products, keepers):
    receive(stores.town, products.pill, "P1", "2028-06-30", 100, actor=keepers.town)
    receive(stores.town, products.condom, "C1", "2028-12-31", 50, actor=keepers.town)
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY, counted_by="张三")
    lines = {line.card.lot.number: line.pk for line in counts.count_lines(count)}
    counts.count_enter(keepers.town, count, {lines["P1"]: 97, lines["C1"]: 50})
    counts.count_submit(keepers.town, count)
    return count


def test_return_needs_a_message_and_is_shown_to_the_counter(submitted, keepers, stores):
    with pytest.raises(workflow.MessageRequired):
        counts.count_return(keepers.county, submitted, "  ")
    submitted.refresh_from_db()
    assert submitted.status == CountStatus.SUBMITTED

    counts.count_return(keepers.county, submitted, "P1 少 3 板，请复盘并写明原因")
    assert submitted.status == CountStatus.RETURNED
    submitted.refresh_from_db()
    assert submitted.status == CountStatus.RETURNED
    returned = workflow.last_return(submitted)
    assert returned.message == "P1 少 3 板，请复盘并写明原因"
    assert returned.actor == keepers.county and returned.unit == stores.town.unit
    # on the counter's worklist (the "returned" source), with the message and the page
    count, items = registry["worklist_sources"]["returned"].collect(
        keepers.town, unit=None, today=None, limit=5
    )
    assert count == 1 and items[0].message == returned.message
    assert items[0].url == reverse("commodities:count_differences", args=[submitted.pk])
    assert "盘点" in items[0].what and "东城镇药具库" in items[0].person_name
    # the counter corrects (a returned count is editable) and submits again
    line = submitted.lines.get(card__lot__number="P1")
    counts.count_enter(keepers.town, submitted, {line.pk: 100})
    counts.count_submit(keepers.town, submitted)
    assert workflow.last_return(submitted) is None
    assert registry["worklist_sources"]["returned"].collect(
        keepers.town, unit=None, today=None, limit=5
    ) == (0, [])
    counts.count_approve(keepers.county, submitted)
    submitted.refresh_from_db()
    assert submitted.status == CountStatus.APPROVED
    assert [d.action for d in workflow.history(submitted)] == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
    assert Decision.objects.filter(object_id=submitted.pk).count() == 4


def test_a_returned_count_keeps_the_store_busy(submitted, keepers, stores):
    counts.count_return(keepers.county, submitted, "请复盘")
    with pytest.raises(ValidationError) as exc:
        counts.count_open(keepers.town, stores.town, COUNT_DAY)
    assert "store" in exc.value.message_dict


def test_only_a_submitted_count_is_returned(stores, products, keepers):
    receive(stores.town, products.pill, "P1", "2028-06-30", 10, actor=keepers.town)
    count = counts.count_open(keepers.town, stores.town, COUNT_DAY)
    with pytest.raises(workflow.TransitionNotAllowed):
        counts.count_return(keepers.county, count, "还没提交")
    counts.count_cancel(keepers.town, count, "作废")
    with pytest.raises(ValidationError):
        counts.count_return(keepers.county, count, "已取消")
    assert [d.action for d in workflow.history(count)] == ["cancel"]
    assert workflow.history(count).get().message == "作废"


def test_return_needs_the_approvers_permission(submitted, tree, keepers):
    field = factories.user("field_town", tree.town, "field")
    with pytest.raises(PermissionDenied):
        counts.count_return(field, submitted, "不对")
    assert AuditEvent.objects.filter(action="denied", user=field).count() == 1
    with pytest.raises(PermissionDenied):  # out of scope
        counts.count_return(keepers.village_a, submitted, "不对")
    assert AuditEvent.objects.filter(action="denied", user=keepers.village_a).count() == 1
    submitted.refresh_from_db()
    assert submitted.status == CountStatus.SUBMITTED


def test_a_count_approved_meanwhile_is_not_returned_over(submitted, keepers):
    seen = counts.count_get(keepers.county, submitted.pk)
    counts.count_approve(keepers.county, submitted)
    with pytest.raises(workflow.StaleStatus):
        counts.count_return(keepers.county, seen, "晚了")
    assert counts.PhysicalCount.objects.get(pk=submitted.pk).status == CountStatus.APPROVED


def test_return_page_and_box(client, submitted, keepers):
    client.force_login(keepers.county)
    url = reverse("commodities:count_differences", args=[submitted.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="return-count"' in page and 'data-testid="returned-box"' not in page
    response = client.post(reverse("commodities:count_return", args=[submitted.pk]), {})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CountStatus.SUBMITTED  # no message: refused
    response = client.post(
        reverse("commodities:count_return", args=[submitted.pk]), {"message": "请复盘 P1"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CountStatus.RETURNED
    client.force_login(keepers.town)
    for name in ("commodities:count_differences", "commodities:count"):
        page = client.get(reverse(name, args=[submitted.pk])).content.decode()
        assert 'data-testid="returned-box"' in page and "请复盘 P1" in page
        assert "退回意见" in page and "yaoju" in page
    page = client.get(url).content.decode()
    assert 'data-testid="submit-count"' in page and 'data-testid="return-count"' not in page
    assert 'data-testid="decision-history"' in page


def test_a_keeper_without_a_worklist_sees_the_return_on_the_home_page(client, submitted, keepers):
    # the commodity keeper's role has no worklist: the home page lists what was returned
    client.force_login(keepers.town)
    home = client.get("/").content.decode()
    assert 'data-testid="returned-title"' not in home
    counts.count_return(keepers.county, submitted, "请复盘 P1")
    home = client.get("/").content.decode()
    assert 'data-testid="returned-title"' in home and "退回待处理" in home
    assert "请复盘 P1" in home
    assert reverse("commodities:count_differences", args=[submitted.pk]) in home


def test_a_count_reads_as_its_store_and_day(submitted, stores):
    assert str(submitted) == f"{stores.town.name} · 2026-03-10"
