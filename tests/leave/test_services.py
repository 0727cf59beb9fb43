"""Leave rules: who may have leave, the evidence, the days from the pack, overlaps,
parenting per child and year, the workflow and the slip issued with a number."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jisheng.core.models import AuditEvent, Decision
from jisheng.leave import selectors, services
from jisheng.leave.models import LeaveRequest
from jisheng.people.models import Birth
from jisheng.policy.services import PACKS_DIR, pack_load
from jisheng.services.models import ContraceptionRecord

D = datetime.date


def apply(leave, **kwargs):
    kwargs.setdefault("actor", leave.office)
    kwargs.setdefault("unit", leave.tree.mine)
    kwargs.setdefault("person", leave.wang)
    return services.leave_apply(**kwargs)


def refused(leave, field, **kwargs) -> str:
    before = LeaveRequest.objects.count()
    with pytest.raises(ValidationError) as info:
        apply(leave, **kwargs)
    assert LeaveRequest.objects.count() == before  # nothing half-written
    return " ".join(info.value.message_dict[field])


# --------------------------------------------------------------------------- bad input


def test_a_person_who_is_not_an_employee_of_the_unit_is_refused(leave):
    message = refused(
        leave, "person", person=leave.other, kind="marriage", start=D(2025, 3, 3),
        couple=leave.couple,
    )  # fmt: skip
    assert message.startswith("李娜 在 2025年3月3日 不是 示范煤矿 的职工")
    # 王芳 works at the mine, not at the township
    message = refused(
        leave, "person", unit=leave.tree.town, kind="marriage", start=D(2025, 3, 3),
        couple=leave.couple,
    )  # fmt: skip
    assert "不是 东城镇 的职工" in message


def test_an_employee_of_a_branch_is_an_employee_of_the_unit(leave):
    made = apply(
        leave, person=leave.zhao, kind="marriage", start=D(2025, 3, 3), couple=leave.couple
    )
    assert made.unit == leave.tree.mine


def test_an_operation_leave_with_no_operation_record_is_refused(leave):
    message = refused(leave, "method", kind="female_sterilisation", start=D(2025, 9, 1))
    assert "没有找到" in message and "手术记录" in message
    # an IUD insertion is not a sterilisation, and a record still in use is no removal
    refused(leave, "method", kind="female_sterilisation", start=D(2025, 9, 1), method=leave.iud)
    refused(leave, "method", kind="iud_removal", start=D(2025, 9, 1), method=leave.iud)
    # a voided record proves nothing
    ContraceptionRecord.objects.filter(pk=leave.iud.pk).update(voided_at=timezone.now())
    leave.iud.refresh_from_db()
    refused(leave, "method", kind="iud_insertion", start=D(2025, 9, 1), method=leave.iud)


def test_someone_elses_record_is_no_evidence(leave):
    theirs = ContraceptionRecord.objects.create(
        person=leave.other, unit=leave.tree.village_a, method="iud", started_on=D(2025, 9, 1)
    )
    refused(leave, "method", kind="iud_insertion", start=D(2025, 9, 1), method=theirs)
    refused(leave, "birth", person=leave.zhao, kind="maternity", start=D(2025, 3, 1),
            birth=leave.birth)  # fmt: skip
    refused(leave, "birth", kind="paternity", start=D(2025, 3, 10), birth=leave.birth)
    message = refused(leave, "pregnancy", kind="abortion", start=D(2024, 6, 1))
    assert "人工流产" in message


def test_an_unknown_kind_and_a_missing_start_are_refused(leave):
    assert "假别" in refused(leave, "kind", kind="sabbatical", start=D(2025, 1, 1))
    assert refused(leave, "start", kind="marriage", start=None, couple=leave.couple)


# --------------------------------------------------------------------------- days


def test_marriage_leave_counts_working_days_across_the_spring_festival(leave):
    made = apply(leave, kind="marriage", start=D(2025, 1, 24), couple=leave.couple)
    assert (made.days, made.count, made.end) == (3, "working", D(2025, 1, 27))
    assert "第一条" in made.basis


def test_maternity_leave_with_a_difficult_birth_and_twins(leave):
    Birth.objects.create(
        unit=leave.tree.village_a, mother=leave.wang, father=leave.zhao, date=leave.birth.date,
        sex="M", computed_order=2,
    )  # fmt: skip
    made = apply(
        leave, kind="maternity", start=D(2025, 3, 1), birth=leave.birth, difficult_birth=True
    )
    assert (made.babies, made.days) == (2, 98 + 15 + 15)
    assert made.end == D(2025, 3, 1) + datetime.timedelta(days=127)


def test_a_provincial_pack_gives_its_own_days(leave):
    text = (PACKS_DIR / "province-zhejiang-2021.yaml").read_text("utf-8")
    pack_load(actor=None, text=text, unit=leave.tree.county)
    made = apply(leave, kind="maternity", start=D(2025, 3, 1), birth=leave.birth)
    assert made.days == 158 and "浙江省人口与计划生育条例" in made.basis
    paternity = apply(
        leave, person=leave.zhao, kind="paternity", start=D(2025, 3, 10), birth=leave.birth
    )
    assert paternity.days == 15


def test_a_kind_the_pack_gives_no_days_for_is_refused(leave):
    message = refused(
        leave, "kind", person=leave.zhao, kind="parenting", start=D(2025, 5, 6),
        birth=leave.birth, days=3,
    )  # fmt: skip
    assert "没有规定" in message


# --------------------------------------------------------------------------- overlaps


def test_overlapping_leave_is_refused_naming_the_other_dates(leave):
    apply(leave, kind="marriage", start=D(2025, 1, 24), couple=leave.couple)
    message = refused(leave, "start", kind="iud_insertion", start=D(2025, 1, 26), method=leave.iud)
    assert "2025年1月24日" in message and "2025年1月27日" in message and "婚假" in message


def test_a_cancelled_or_returned_leave_does_not_block(leave):
    first = apply(leave, kind="marriage", start=D(2025, 1, 24), couple=leave.couple)
    services.leave_cancel(actor=leave.office, request=first)
    second = apply(leave, kind="marriage", start=D(2025, 1, 24), couple=leave.couple)
    services.leave_return(actor=leave.leader, request=second, message="请补充结婚证复印件")
    assert apply(leave, kind="iud_insertion", start=D(2025, 1, 26), method=leave.iud).days == 2
    # applying again now overlaps the IUD leave: refused, the request stays returned
    with pytest.raises(ValidationError, match="2025年1月26日"):
        services.leave_resubmit(actor=leave.office, request=second)
    second.refresh_from_db()
    assert second.status == "returned"


# --------------------------------------------------------------------------- parenting


@pytest.fixture
def parenting(leave):
    text = (PACKS_DIR / "province-guangdong-2021.yaml").read_text("utf-8")
    pack_load(actor=None, text=text, unit=leave.tree.county)
    return leave


def test_parenting_leave_is_capped_per_child_and_year(parenting):
    leave = parenting
    apply(leave, kind="parenting", start=D(2026, 3, 2), birth=leave.birth, days=6)
    message = refused(
        leave, "days", kind="parenting", start=D(2026, 5, 6), birth=leave.birth, days=5
    )
    assert "最多还剩 4 天" in message
    assert apply(leave, kind="parenting", start=D(2026, 5, 6), birth=leave.birth, days=4).days == 4
    assert "已用完" in refused(
        leave, "days", kind="parenting", start=D(2026, 7, 6), birth=leave.birth, days=1
    )
    # the next year has its own days
    assert (
        apply(leave, kind="parenting", start=D(2025, 7, 7), birth=leave.birth, days=10).days == 10
    )
    summary = {
        t.kind: (t.approved, t.pending)
        for t in selectors.year_summary(leave.wang, 2026, leave.office)
    }
    assert summary == {"parenting": (0, 10)}


def test_parenting_leave_is_for_a_child_under_three(parenting):
    message = refused(
        parenting, "start", kind="parenting", start=D(2028, 3, 10), birth=parenting.birth, days=2
    )
    assert "3 周岁以下" in message and "2025年3月10日" in message


# --------------------------------------------------------------------------- workflow


def test_leader_signs_office_approves_and_the_slip_is_issued_with_a_number(leave):
    made = apply(leave, kind="marriage", start=D(2025, 1, 24), couple=leave.couple)
    with pytest.raises(PermissionDenied):  # the office does not sign for the leader
        services.leave_sign(actor=leave.office, request=made)
    services.leave_sign(actor=leave.mine_leader, request=made)
    with pytest.raises(PermissionDenied):  # the leader does not approve
        services.leave_approve(actor=leave.leader, request=made)
    services.leave_approve(actor=leave.office, request=made)
    made.refresh_from_db()
    assert made.status == "approved"
    slip = made.slip
    assert slip.kind == "leave_slip" and slip.status == "issued" and slip.number
    assert slip.number.startswith("JQ") or "JQ" in slip.number
    assert slip.issuer == leave.tree.county and slip.person == leave.wang
    assert slip.data == {
        "leave_kind": "婚假", "employer": "示范煤矿", "start": "2025-01-24",
        "end": "2025-01-27", "days": 3, "count": "工作日",
        "basis": made.basis,
    }  # fmt: skip
    actions = list(
        Decision.objects.filter(object_id=made.pk, content_type__model="leaverequest")
        .order_by("at", "id").values_list("to_status", flat=True)
    )  # fmt: skip
    assert actions == ["leader_approved", "approved"]
    summary = selectors.year_summary(leave.wang, 2025, leave.office)
    assert [(t.kind, t.approved, t.pending) for t in summary] == [("marriage", 3, 0)]


def test_a_return_needs_a_message(leave):
    made = apply(leave, kind="marriage", start=D(2025, 1, 24), couple=leave.couple)
    with pytest.raises(ValidationError):
        services.leave_return(actor=leave.leader, request=made, message="")
    services.leave_return(actor=leave.leader, request=made, message="日期有误")
    services.leave_resubmit(actor=leave.office, request=made)
    assert made.status == "applied"


def test_another_units_leader_is_denied_and_audited(leave, tree):
    from tests import factories

    made = apply(leave, kind="marriage", start=D(2025, 1, 24), couple=leave.couple)
    street_leader = factories.user("street_leader", tree.street, "leader")
    with pytest.raises(PermissionDenied):
        services.leave_sign(actor=street_leader, request=made)
    assert AuditEvent.objects.filter(action="denied", user=street_leader).exists()
    made.refresh_from_db()
    assert made.status == "applied"


def test_applying_for_another_units_employee_is_denied_and_audited(leave, tree):
    from tests import factories

    street_office = factories.user("street_office", tree.street, "office")
    with pytest.raises(PermissionDenied):
        apply(leave, actor=street_office, kind="marriage", start=D(2025, 1, 24),
              couple=leave.couple)  # fmt: skip
    assert AuditEvent.objects.filter(action="denied", user=street_office).exists()
    assert not LeaveRequest.objects.exists()


def test_every_application_is_audited(leave):
    made = apply(leave, kind="marriage", start=D(2025, 1, 24), couple=leave.couple)
    event = AuditEvent.objects.get(action="create", object_type__endswith="leaverequest")
    assert event.object_id == str(made.pk)
