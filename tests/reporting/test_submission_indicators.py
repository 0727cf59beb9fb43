"""报表及时率, 报表完整率, 统计准确率 on hand-built submissions (figures derived by hand)."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from jisheng.core import locks
from jisheng.core.models import LateEntry
from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.policy.measures import SERVICE
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import Submission
from tests.reporting.conftest import KEY

D = datetime.date
JAN, FEB = parse("2026-01"), parse("2026-02")
pytestmark = pytest.mark.usefixtures("births_form")


def values(indicator_id, root, period):
    rows = engine.compute_tree([catalogue.get(indicator_id)], root, period)
    return {r.unit.code: r.values[indicator_id] for r in rows}


def sent(unit, user, period, approver=None, at=None):
    sub = svc.start(actor=user, unit=unit, form_key=KEY, period=period)
    svc.submit(actor=user, submission=sub)
    if at is not None:  # submitted on another day than today
        Submission.objects.filter(pk=sub.pk).update(submitted_at=at)
    if approver is not None:
        svc.approve(actor=approver, submission=sub)
    return sub


def test_registered_as_service_indicators(db):
    for indicator_id in ("report_timeliness", "report_completeness", "report_accuracy"):
        assert catalogue.get(indicator_id).measures == SERVICE


def test_timeliness_and_completeness(tree, users):
    # January's reports were due on 5 February: February counts them.
    on_time = timezone.make_aware(datetime.datetime(2026, 2, 4, 10))
    late = timezone.make_aware(datetime.datetime(2026, 2, 9, 10))
    sent(tree.village_a, users.field_a, JAN, at=on_time)
    sent(tree.village_b, users.field_b, JAN, at=late)
    town = values("report_completeness", tree.town, FEB)
    # 东城镇's subtree: the township itself and its two villages are due: 3 reports;
    # submitted: the two villages
    assert (town["990100001000"].numerator, town["990100001000"].denominator) == (2, 3)
    assert (town["990100001001"].numerator, town["990100001001"].denominator) == (1, 1)
    timely = values("report_timeliness", tree.town, FEB)
    assert (timely["990100001000"].numerator, timely["990100001000"].denominator) == (1, 3)
    assert timely["990100001002"].value == 0
    # the county: 7 units below the top are due (东城镇, 甲村, 乙村, 西城街道, 丙社区,
    # 示范煤矿, 一号井)
    county = values("report_completeness", tree.county, FEB)
    assert (county["990100000000"].numerator, county["990100000000"].denominator) == (2, 7)
    # January: December's reports were due (on 5 January), none submitted
    dec = values("report_completeness", tree.county, JAN)["990100000000"]
    assert (dec.numerator, dec.denominator) == (0, 7)


def test_accuracy_counts_reports_changed_after_approval(tree, users, birth):
    sent(tree.village_a, users.field_a, JAN, approver=users.town_office)
    sent(tree.village_b, users.field_b, JAN, approver=users.town_office)
    acc = values("report_accuracy", tree.town, JAN)
    assert (acc["990100001000"].numerator, acc["990100001000"].denominator) == (2, 2)
    with transaction.atomic():
        entry = locks.require_open(unit=tree.village_a, day=D(2026, 1, 9), reason="补报")
        locks.attach(entry, birth(D(2026, 1, 9)))
    assert LateEntry.objects.count() == 1
    acc = values("report_accuracy", tree.town, JAN)
    assert (acc["990100001000"].numerator, acc["990100001000"].denominator) == (1, 2)
    assert acc["990100001001"].value == 0
    assert acc["990100001002"].value == 100
