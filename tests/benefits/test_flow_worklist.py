"""The flow's worklist sources (issue 18): batches waiting for the user's step, leaving
out those where the user used another power; open objections."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jisheng.benefits import services_flow as flow
from jisheng.benefits.choices import BatchStatus, CaseStatus
from jisheng.benefits.worklist_flow import collect_batches, collect_objections
from tests import factories
from tests.benefits import factories_flow as ff

pytestmark = pytest.mark.django_db


def test_batches_waiting_for_each_role(tree, users):
    today = timezone.localdate()
    draft = ff.batch_with_cases(tree, n=1)
    running = ff.batch_with_cases(
        tree,
        n=1,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=today,
        notice_until=today + datetime.timedelta(days=7),
    )
    ended = ff.batch_with_cases(
        tree,
        n=1,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=today - datetime.timedelta(days=8),
        notice_until=today - datetime.timedelta(days=1),
    )
    approved = ff.batch_with_cases(
        tree, n=1, status=BatchStatus.APPROVED, case_status=CaseStatus.APPROVED
    )
    finance = factories.user("fin_w", tree.county, "finance")
    count, items = collect_batches(users.office, today=today)
    urls = {i.url for i in items}
    assert count == 2
    assert any(str(draft.pk) in u for u in urls) and any(str(ended.pk) in u for u in urls)
    assert not any(f"/{running.pk}/" in u for u in urls)
    town_count, _items = collect_batches(users.town_office, today=today)
    assert town_count == 1  # the draft: the township does not approve
    count, items = collect_batches(finance, today=today)
    assert count == 1 and f"/{approved.pk}/" in items[0].url
    assert collect_batches(users.auditor, today=today)[0] == 0


def test_a_dual_user_is_not_asked_for_the_second_power(tree):
    dual = factories.user("dual_w", tree.county, "office", "finance")
    today = timezone.localdate()
    ended = ff.batch_with_cases(
        tree,
        n=1,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=today - datetime.timedelta(days=8),
        notice_until=today - datetime.timedelta(days=1),
    )
    assert collect_batches(dual, today=today)[0] == 1
    flow.approve(actor=dual, batch=ended)
    assert collect_batches(dual, today=today)[0] == 0  # approved by him: not his funds


def test_open_objections(tree, users):
    today = timezone.localdate()
    batch = ff.batch_with_cases(
        tree,
        n=2,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=today,
        notice_until=today + datetime.timedelta(days=7),
    )
    case = batch.cases.filter(unit=tree.village_b).get()
    objection = flow.objection_create(actor=users.office, case=case, raised_on=today, content="x")
    assert collect_objections(users.office)[0] == 1
    assert collect_objections(users.field_a)[0] == 0  # village B's
    assert collect_objections(users.field_b)[1][0].url.endswith(f"/{objection.pk}/resolve/")
