"""Submission, approval, return and reopening of a report up the tree (issue 15)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jisheng.core import locks
from jisheng.core import workflow as wf
from jisheng.core.models import AuditEvent, ClosedPeriod, Decision
from jisheng.core.periods import parse
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S
from tests.reporting.conftest import KEY

D = datetime.date
JAN = parse("2026-01")


def started(unit, user, period=JAN):
    return svc.start(actor=user, unit=unit, form_key=KEY, period=period)


def submitted(unit, user, period=JAN):
    sub = started(unit, user, period)
    svc.submit(actor=user, submission=sub)
    return sub


def approved(unit, user, approver, period=JAN):
    sub = submitted(unit, user, period)
    svc.approve(actor=approver, submission=sub)
    return sub


pytestmark = pytest.mark.usefixtures("births_form")


def test_submit_freezes_figures_and_records(tree, users, birth):
    b1 = birth(D(2026, 1, 3), sex="M")
    b2 = birth(D(2026, 1, 31))
    birth(D(2026, 2, 1))  # next month: not in January's report
    sub = started(tree.village_a, users.field_a)
    assert sub.status == S.DRAFT
    assert sub.deadline == D(2026, 2, 5)
    svc.check(actor=users.field_a, submission=sub)
    assert sub.status == S.CHECKED
    svc.submit(actor=users.field_a, submission=sub)
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED
    assert sub.submitted_by == users.field_a
    assert sub.submitted_at is not None
    total = sub.snapshot["rows"][-1]
    assert total["unit"] is None
    assert total["cells"] == {"births": 2, "boys": 1, "girls": 1}
    assert sub.snapshot["records"]["total|births"] == sorted(
        [f"people.birth:{b1.pk}", f"people.birth:{b2.pk}"]
    )
    assert sub.snapshot["records"][f"{tree.village_a.pk}|boys"] == [f"people.birth:{b1.pk}"]
    assert sub.snapshot["adjustments"] == []
    steps = list(Decision.objects.filter(object_id=sub.pk).values_list("action", flat=True))
    assert steps == ["check", "submit"]


def test_a_submission_by_the_wrong_unit_is_refused_and_audited(tree, users):
    sub = started(tree.village_a, users.field_a)
    with pytest.raises(PermissionDenied):
        svc.submit(actor=users.town_office, submission=sub)
    sub.refresh_from_db()
    assert sub.status == S.DRAFT
    assert AuditEvent.objects.filter(action="denied", user=users.town_office).exists()
    # starting another unit's report is refused too
    with pytest.raises(PermissionDenied):
        started(tree.village_b, users.town_office)
    assert not Submission.objects.filter(unit=tree.village_b).exists()


def test_approve_only_by_the_parent_and_it_closes_the_period(tree, users):
    sub = submitted(tree.village_a, users.field_a)
    with pytest.raises(PermissionDenied):  # a field worker has no approval permission
        svc.approve(actor=users.field_a, submission=sub)
    with pytest.raises(PermissionDenied):  # the county is not the village's parent
        svc.approve(actor=users.office, submission=sub)
    assert sub.status == S.SUBMITTED
    svc.approve(actor=users.town_office, submission=sub)
    assert sub.status == S.APPROVED
    assert sub.approved_by == users.town_office
    closure = ClosedPeriod.objects.get()
    assert (closure.unit, closure.first, closure.last) == (
        tree.village_a,
        D(2026, 1, 1),
        D(2026, 1, 31),
    )
    assert not locks.is_open(tree.village_a, D(2026, 1, 15))
    assert locks.is_open(tree.village_b, D(2026, 1, 15))


def test_return_needs_a_message_and_reaches_the_village_worklist(tree, users):
    sub = submitted(tree.village_a, users.field_a)
    with pytest.raises(wf.MessageRequired):
        svc.return_(actor=users.town_office, submission=sub, message="  ")
    svc.return_(actor=users.town_office, submission=sub, message="出生数与台账不符，请核对")
    assert sub.status == S.RETURNED
    returned = wf.returned_to(users.field_a)
    assert [(r.obj.pk, r.decision.message) for r in returned] == [
        (sub.pk, "出生数与台账不符，请核对")
    ]
    # corrected and submitted again
    svc.submit(actor=users.field_a, submission=sub)
    assert sub.status == S.SUBMITTED
    assert wf.returned_to(users.field_a) == []


def test_a_unit_submits_only_when_its_children_are_approved(tree, users):
    approved(tree.village_a, users.field_a, users.town_office)
    town = started(tree.town, users.town_office)
    with pytest.raises(ValidationError) as exc:
        svc.submit(actor=users.town_office, submission=town)
    assert "乙村" in exc.value.messages[0]
    assert "甲村" not in exc.value.messages[0]
    approved(tree.village_b, users.field_b, users.town_office)
    svc.submit(actor=users.town_office, submission=town)
    svc.approve(actor=users.office, submission=town)
    assert town.status == S.APPROVED
    assert ClosedPeriod.objects.filter(unit=tree.town).exists()


def test_township_snapshot_holds_its_children_figures(tree, users, birth):
    birth(D(2026, 1, 3))
    birth(D(2026, 1, 4), unit=tree.village_b)
    birth(D(2026, 1, 5), unit=tree.village_b, sex="M")
    approved(tree.village_a, users.field_a, users.town_office)
    approved(tree.village_b, users.field_b, users.town_office)
    town = submitted(tree.town, users.town_office)
    by_label = {row["label"]: row["cells"]["births"] for row in town.snapshot["rows"]}
    assert by_label["甲村"] == 1
    assert by_label["乙村"] == 2
    assert town.snapshot["rows"][-1]["cells"]["births"] == 3


def test_reopen_needs_a_message_from_above_and_leaves_the_others_approved(tree, users):
    a = approved(tree.village_a, users.field_a, users.town_office)
    b = approved(tree.village_b, users.field_b, users.town_office)
    with pytest.raises(wf.MessageRequired):
        svc.reopen(actor=users.office, submission=a, message="")
    with pytest.raises(PermissionDenied):  # a village does not reopen its own report
        svc.reopen(actor=users.field_a, submission=a, message="重开")
    svc.reopen(actor=users.office, submission=a, message="补录一例出生后重报")
    assert a.status == S.RETURNED
    b.refresh_from_db()
    assert b.status == S.APPROVED
    assert list(ClosedPeriod.objects.values_list("unit", flat=True)) == [tree.village_b.pk]
    # the village submits again
    svc.submit(actor=users.field_a, submission=a)
    assert a.status == S.SUBMITTED


def test_an_unexplained_error_finding_blocks_check_and_submit(tree, users, failing_check):
    sub = started(tree.village_a, users.field_a)
    with pytest.raises(ValidationError) as exc:
        svc.check(actor=users.field_a, submission=sub)
    assert "出生数偏多" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        svc.submit(actor=users.field_a, submission=sub)
    sub.refresh_from_db()
    assert sub.status == S.DRAFT
    svc.submit(actor=users.field_a, submission=sub, explanations={"too_many": "集中分娩，已核实"})
    assert sub.status == S.SUBMITTED
    assert sub.explanations == {"too_many": "集中分娩，已核实"}
    assert sub.findings[0]["explained"] is True


def test_unknown_form_and_bad_period(tree, users):
    with pytest.raises(svc.UnknownForm):
        svc.start(actor=users.field_a, unit=tree.village_a, form_key="nope", period=JAN)
    with pytest.raises(ValidationError):
        svc.period_get(svc.spec_get(KEY), "2026Q1")
    with pytest.raises(ValidationError):
        svc.period_get(svc.spec_get(KEY), "2026-13")


def test_demo_loader(tree):
    from jisheng.reporting.demo import load_demo_submissions

    assert "reports" in load_demo_submissions(root=tree.county)
    states = dict(Submission.objects.values_list("unit__name", "status"))
    assert states == {"甲村": S.APPROVED, "乙村": S.SUBMITTED}
    assert load_demo_submissions(root=tree.county) == "already there"


def test_an_association_group_files_no_report_and_its_village_need_not_wait(tree, users):
    """A 协会小组 is inside its village: the village's report counts it, so the village
    submits without a report of the group, and a report of the group is refused."""
    from jisheng.orgs.choices import UnitType
    from jisheng.orgs.models import Unit
    from jisheng.reporting.selectors_submissions import children

    group = tree.village_a.add_child(
        code="990100001001901", name="甲村第一协会小组", unit_type=UnitType.GROUP
    )
    assert group in Unit.objects.filter(path__startswith=tree.village_a.path)
    assert children(tree.village_a) == []
    with pytest.raises(ValidationError, match="不单独填报"):
        svc.start(actor=None, unit=group, form_key=KEY, period=JAN)
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=JAN)
    svc.submit(actor=users.field_a, submission=sub)
    assert sub.status == "submitted"


def test_a_form_that_closes_no_period_locks_nothing_when_approved(tree, users):
    """A commodity form (``closes_period=False``): its approval closes no period, so a
    birth of that month is still recorded without a reason; the registry's form does."""
    import dataclasses

    from jisheng.core.registry import registry
    from tests.reporting.conftest import SPEC

    ledger = dataclasses.replace(SPEC, key="ledger_test", closes_period=False)
    registry["statforms"]["ledger_test"] = ledger
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key="ledger_test", period=JAN)
    svc.submit(actor=users.field_a, submission=sub)
    svc.approve(actor=users.town_office, submission=sub)
    assert not ClosedPeriod.objects.filter(unit=tree.village_a).exists()
    assert locks.closure_on(tree.village_a, datetime.date(2026, 1, 15)) is None
    births = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=JAN)
    svc.submit(actor=users.field_a, submission=births)
    svc.approve(actor=users.town_office, submission=births)
    assert locks.closure_on(tree.village_a, datetime.date(2026, 1, 15)) is not None


def test_the_top_units_report_is_signed_off_by_its_own_office(db, tree, users):
    """The top of the tree has no unit above it in the system: its own office approves
    (the final sign-off before the figures go to the city), and may reopen it; another
    unit's office may not."""
    from tests import factories

    top = factories.unit("990200", "示范市直属单位", "enterprise")
    clerk = factories.user("top_clerk", top, "office")
    sub = svc.start(actor=clerk, unit=top, form_key=KEY, period=JAN)
    svc.submit(actor=clerk, submission=sub)
    with pytest.raises(PermissionDenied):
        svc.approve(actor=users.office, submission=sub)  # the county's office: not its own
    svc.approve(actor=clerk, submission=sub)
    sub.refresh_from_db()
    assert sub.status == S.APPROVED
    assert locks.closure_on(top, datetime.date(2026, 1, 20)) is not None
    svc.reopen(actor=clerk, submission=sub, message="更正后重报")
    sub.refresh_from_db()
    assert sub.status == S.RETURNED


def test_demo_loader_with_groups_below_a_village(tree):
    """The demo county's villages have association groups below them: the groups file no
    report, and the villages' reports go up without waiting for them (the demo loader
    failed on it before)."""
    from jisheng.reporting.demo import load_demo_submissions
    from tests import factories

    factories.unit("990100001001-X01", "甲村第一小组", "group", tree.village_a)
    assert "reports" in load_demo_submissions(root=tree.county)
    states = dict(Submission.objects.values_list("unit__name", "status"))
    assert states == {"甲村": S.APPROVED, "乙村": S.SUBMITTED}
