"""After approval: a late entry changes the next report (补报/更正), not the approved one."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from jisheng.core import locks
from jisheng.core.periods import parse
from jisheng.reporting import adjustments
from jisheng.reporting import services_submission as svc
from tests.reporting.conftest import KEY

D = datetime.date
JAN, FEB, MAR = parse("2026-01"), parse("2026-02"), parse("2026-03")
pytestmark = pytest.mark.usefixtures("births_form")


def approve(unit, user, approver, period):
    sub = svc.start(actor=user, unit=unit, form_key=KEY, period=period)
    svc.submit(actor=user, submission=sub)
    svc.approve(actor=approver, submission=sub)
    return sub


def late_birth(birth, tree, users, day, reason):
    with transaction.atomic():
        entry = locks.require_open(
            unit=tree.village_a, day=day, reason=reason, actor=users.field_a, what="出生登记"
        )
        record = birth(day)
        locks.attach(entry, record)
    return record


def test_a_late_birth_shows_on_the_approved_report_and_is_carried_once(
    tree, users, birth, births_form
):
    birth(D(2026, 1, 10))
    jan = approve(tree.village_a, users.field_a, users.town_office, JAN)
    assert jan.snapshot["rows"][-1]["cells"]["births"] == 1
    late = late_birth(birth, tree, users, D(2026, 1, 20), "产妇外地分娩，返乡后补报")
    # the approved report keeps its figures; the registry changed: +1 birth
    jan.refresh_from_db()
    assert jan.snapshot["rows"][-1]["cells"]["births"] == 1
    changes = adjustments.changes_since(jan, births_form.build(tree.village_a, JAN))
    by_cell = {(c.row, c.column): c for c in changes}
    ref = f"people.birth:{late.pk}"
    assert by_cell[("total", "births")].added == [ref]
    assert by_cell[("total", "births")].delta == 1
    assert by_cell[("total", "girls")].delta == 1
    assert ("total", "boys") not in by_cell
    assert adjustments.late_reasons(tree.village_a, JAN.first, JAN.last) == {
        ref: "产妇外地分娩，返乡后补报",
        f"@{tree.village_a.pk}:2026-01-20": "产妇外地分娩，返乡后补报",  # its unit and day
    }
    # February's report carries it as an adjustment to January, frozen at submission
    feb = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=FEB)
    live = svc.adjustments_for(feb, births_form)
    village = str(tree.village_a.pk)
    assert [a.period_code for a in live] == ["2026-01"]
    assert sorted((c.row, c.column, c.added) for c in live[0].cells) == sorted(
        [
            ("total", "births", [ref]),
            ("total", "girls", [ref]),
            (village, "births", [ref]),
            (village, "girls", [ref]),
        ]
    )
    svc.submit(actor=users.field_a, submission=feb)
    feb.refresh_from_db()
    assert feb.snapshot["adjustments"][0]["period"] == "2026-01"
    assert feb.snapshot["adjustments"][0]["cells"][0]["added"] == [ref]
    # February's own figures do not count the January birth
    assert feb.snapshot["rows"][-1]["cells"]["births"] == 0
    svc.approve(actor=users.town_office, submission=feb)
    # March carries nothing more: the change was carried once
    mar = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=MAR)
    assert svc.adjustments_for(mar, births_form) == []


def test_a_birth_in_a_closed_month_without_a_reason_is_refused(tree, users):
    approve(tree.village_a, users.field_a, users.town_office, JAN)
    with pytest.raises(locks.PeriodClosed):
        locks.require_open(unit=tree.village_a, day=D(2026, 1, 5), reason="")


def test_a_removed_record_is_a_negative_adjustment(tree, users, birth, births_form):
    wrong = birth(D(2026, 1, 10))
    jan = approve(tree.village_a, users.field_a, users.town_office, JAN)
    ref = f"people.birth:{wrong.pk}"
    wrong.delete()
    changes = adjustments.changes_since(jan, births_form.build(tree.village_a, JAN))
    total = next(c for c in changes if (c.row, c.column) == ("total", "births"))
    assert total.removed == [ref] and total.delta == -1
