"""The status grid of a unit's children (counts by hand on the conftest tree)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.reporting import selectors_submissions as sel
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import SubmissionStatus as S
from tests import factories
from tests.reporting.conftest import KEY

D = datetime.date
JAN = parse("2026-01")
pytestmark = pytest.mark.usefixtures("births_form")


def test_grid_rows_and_subtree_counts(tree, users, births_form):
    a = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=JAN)
    svc.submit(actor=users.field_a, submission=a)
    svc.approve(actor=users.town_office, submission=a)
    svc.start(actor=users.field_b, unit=tree.village_b, form_key=KEY, period=JAN)  # draft
    # before the deadline (5 February): nothing is late
    grid = sel.grid(unit=tree.county, spec=births_form, period=JAN, today=D(2026, 2, 3))
    by_code = {row.unit.code: row for row in grid.rows}
    assert list(by_code) == ["990100001000", "990100002000", "MINE01"]
    town = by_code["990100001000"]
    assert town.state == sel.NOT_STARTED
    assert town.deadline == D(2026, 2, 5)
    assert town.units == 2
    assert town.counts[S.APPROVED] == 1
    assert town.counts[S.DRAFT] == 1
    assert town.counts[sel.NOT_STARTED] == 0
    assert town.counts[sel.LATE] == 0
    street = by_code["990100002000"]
    assert street.units == 1 and street.counts[sel.NOT_STARTED] == 1
    assert grid.totals[S.APPROVED] == 1
    assert grid.totals[sel.NOT_STARTED] == 2  # 丙社区, 一号井
    # after the deadline: the draft and the units not started are late
    late = sel.grid(unit=tree.county, spec=births_form, period=JAN, today=D(2026, 2, 10))
    rows = {row.unit.code: row for row in late.rows}
    assert rows["990100001000"].state == sel.LATE
    assert rows["990100001000"].counts[sel.LATE] == 1  # 乙村's draft
    assert late.totals[sel.LATE] == 3
    # the township's grid shows each village's own state
    town_grid = sel.grid(unit=tree.town, spec=births_form, period=JAN, today=D(2026, 2, 3))
    assert [(r.unit.name, r.state) for r in town_grid.rows] == [
        ("甲村", S.APPROVED),
        ("乙村", S.DRAFT),
    ]


def test_grid_page_scoped_and_drills_down(client, tree, users):
    client.force_login(users.office)
    url = reverse("reporting:grid")
    response = client.get(url, {"form": KEY, "period": "2026-01"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "东城镇" in body and "西城街道" in body
    response = client.get(url, {"form": KEY, "period": "2026-01", "unit": tree.town.code})
    assert "甲村" in response.content.decode()
    # a village user asking for the township's grid: 404, audited
    client.force_login(users.field_a)
    response = client.get(url, {"form": KEY, "period": "2026-01", "unit": tree.town.code})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", user=users.field_a).exists()
    # bad period: a Chinese message, no crash
    client.force_login(users.office)
    response = client.get(url, {"form": KEY, "period": "2026-13"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()


def test_grid_needs_the_view_permission(client, tree):
    nobody = factories.user("nobody", tree.county)
    client.force_login(nobody)
    assert client.get(reverse("reporting:grid")).status_code == 403
