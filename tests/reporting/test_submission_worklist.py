"""The worklist source "reports due": the user's own unit's reports of the period due."""

from __future__ import annotations

import datetime

import pytest

from jisheng.core.periods import parse
from jisheng.reporting import services_submission as svc
from jisheng.reporting.worklist import collect_due_reports
from tests.reporting.conftest import KEY

D = datetime.date
pytestmark = pytest.mark.usefixtures("births_form")


def test_reports_due_for_the_users_own_unit(tree, users):
    today = D(2026, 2, 10)  # January's report was due on 5 February
    count, items = collect_due_reports(users.field_a, today=today)
    assert count == 1
    item = items[0]
    assert item.unit_name == "甲村"
    assert item.date == D(2026, 2, 5)
    assert item.late_days == 5
    assert item.url.endswith(f"/{KEY}/2026-01/{tree.village_a.code}/")
    # a leader holds no submission permission: nothing to report
    assert collect_due_reports(users.leader, today=today) == (0, [])
    # once submitted it leaves the list
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=parse("2026-01"))
    svc.submit(actor=users.field_a, submission=sub)
    assert collect_due_reports(users.field_a, today=today) == (0, [])
    # returned: on the "returned" list with its message, not here
    svc.return_(actor=users.town_office, submission=sub, message="请补充")
    assert collect_due_reports(users.field_a, today=today) == (0, [])


def test_reopened_report_is_due_again(tree, users):
    today = D(2026, 2, 3)
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=parse("2026-01"))
    svc.submit(actor=users.field_a, submission=sub)
    svc.approve(actor=users.town_office, submission=sub)
    svc.reopen(actor=users.office, submission=sub, message="补录出生后重报")
    count, items = collect_due_reports(users.field_a, today=today)
    assert count == 1 and items[0].late_days == 0
    # a working unit elsewhere: not the user's duty there
    assert collect_due_reports(users.town_office, unit=tree.street, today=today) == (0, [])
