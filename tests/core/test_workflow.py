"""core.workflow: the one transition function (allowed and forbidden steps, the message
of a return, a stale status, permission and scope refusals audited, the row lock, the
Decision rows, nothing written when a hook raises) and its selectors (history, the
return an object is in, what was returned to a user, the worklist source)."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template import Context, Template
from django.utils import translation

from jisheng.core import workflow
from jisheng.core.models import AuditEvent, Decision
from jisheng.core.registry import WorkItem, registry
from jisheng.reports.models import Verification
from tests import factories

LABEL = "reports.verification"
PERM = "reports.change_verification"


def _above_the_unit(ctx: workflow.Context) -> None:
    """A guard: only a user of a unit above the object's may close it."""
    unit = getattr(ctx.actor, "unit", None)
    if ctx.actor is not None and unit is not None and unit.pk == ctx.obj.unit_id:
        raise PermissionDenied("只有上级单位可以关闭")


def _close(ctx: workflow.Context) -> None:
    ctx.obj.note = f"{ctx.obj.note}closed".strip()
    ctx.fields.append("note")
    ctx.changes["checked"] = [None, 0]


FLOW = workflow.Workflow(
    model=LABEL,
    steps=(
        workflow.Step(
            "open", "closed", workflow.CLOSE, PERM, guards=(_above_the_unit,), hook=_close
        ),
        workflow.Step("closed", "open", workflow.RETURN, PERM),
        workflow.Step("closed", "superseded", workflow.REOPEN, PERM, needs_message=True),
    ),
    url=lambda obj: f"/reports/verification/{obj.pk}/",
    kind_label="抽查",
)


@pytest.fixture(autouse=True)
def flow(monkeypatch):
    monkeypatch.setitem(registry["workflows"], LABEL, FLOW)
    return FLOW


def make(unit, name="抽查一") -> Verification:
    return Verification.objects.create(
        unit=unit,
        name=name,
        seed=1,
        population=10,
        frame_digest="x" * 64,
        drawn_on=datetime.date(2026, 3, 1),
    )


@pytest.fixture
def check(tree):
    return make(tree.village_a)


def decisions_of(obj):
    return list(workflow.history(obj))


def test_a_decision_names_the_actor_by_the_name_the_office_knows(check, users):
    users.office.full_name = "孙丽华"
    users.office.save(update_fields=["full_name"])
    decision = workflow.transition(actor=users.office, obj=check, to="closed")
    assert decision.actor_name == "孙丽华"  # not the login "office"


def test_an_allowed_step_writes_status_decision_and_audit(check, users, tree):
    decision = workflow.transition(actor=users.office, obj=check, to="closed")
    assert check.status == "closed" and check.note == "closed"  # the passed object too
    check.refresh_from_db()
    assert check.status == "closed" and check.note == "closed"
    assert isinstance(decision, Decision)
    assert (decision.action, decision.from_status, decision.to_status) == (
        "close",
        "open",
        "closed",
    )
    assert decision.actor == users.office and decision.actor_name == "office"
    assert decision.unit == tree.village_a and decision.at is not None
    assert decisions_of(check) == [decision]
    event = AuditEvent.objects.get(object_type=LABEL, object_id=str(check.pk), action="update")
    assert event.changes == {"status": ["open", "closed"], "checked": [None, 0]}
    assert event.user == users.office


def test_a_step_not_in_the_table_is_refused(check, users):
    with translation.override("en"), pytest.raises(workflow.TransitionNotAllowed) as exc:
        workflow.transition(actor=users.office, obj=check, to="superseded")
    assert isinstance(exc.value, ValidationError)
    assert "cannot go from" in " ".join(exc.value.messages)
    with translation.override("zh-hans"), pytest.raises(workflow.TransitionNotAllowed) as exc:
        workflow.transition(actor=users.office, obj=check, to="nonsense")
    assert "不能" in " ".join(exc.value.messages)
    check.refresh_from_db()
    assert check.status == "open"
    assert not Decision.objects.exists()


def test_unregistered_model_is_an_error(tree):
    with pytest.raises(workflow.NoWorkflow):
        workflow.transition(actor=None, obj=tree.town, to="x")


@pytest.mark.parametrize("message", ["", "   "])
def test_a_return_without_a_message_is_refused(check, users, message):
    workflow.transition(actor=users.office, obj=check, to="closed")
    with pytest.raises(workflow.MessageRequired) as exc:
        workflow.transition(actor=users.office, obj=check, to="open", message=message)
    assert "message" in exc.value.message_dict
    assert "退回" in exc.value.message_dict["message"][0]
    # the table's needs_message on another step too
    with pytest.raises(workflow.MessageRequired):
        workflow.transition(actor=users.office, obj=check, to="superseded")
    check.refresh_from_db()
    assert check.status == "closed"
    assert Decision.objects.count() == 1


def test_a_message_too_long_is_refused(check, users):
    workflow.transition(actor=users.office, obj=check, to="closed")
    with pytest.raises(workflow.WorkflowError) as exc:
        workflow.transition(actor=users.office, obj=check, to="open", message="长" * 1001)
    assert "message" in exc.value.message_dict


def test_a_return_carries_its_message(check, users):
    workflow.transition(actor=users.office, obj=check, to="closed")
    decision = workflow.transition(
        actor=users.office, obj=check, to="open", message="  第3户婚姻状况未核实  "
    )
    assert decision.message == "第3户婚姻状况未核实"
    assert workflow.last_return(check) == decision
    assert [d.action for d in decisions_of(check)] == ["close", "return"]
    event = AuditEvent.objects.filter(object_id=str(check.pk), action="update").first()
    assert event.message == "第3户婚姻状况未核实"


def test_a_stale_status_is_an_error_not_an_overwrite(check, users):
    seen_by_b = Verification.objects.get(pk=check.pk)  # b opened the page: "open"
    workflow.transition(actor=users.office, obj=check, to="closed")  # a closed it
    with translation.override("en"), pytest.raises(workflow.StaleStatus) as exc:
        workflow.transition(actor=users.office, obj=seen_by_b, to="closed")
    assert "Someone else changed" in " ".join(exc.value.messages)
    assert Decision.objects.count() == 1
    assert AuditEvent.objects.filter(action="update").count() == 1
    # a stale object is refused even where its step would be allowed from the new status
    stale = Verification.objects.get(pk=check.pk)  # "closed"
    workflow.transition(actor=users.office, obj=check, to="open", message="重查")
    workflow.transition(actor=users.office, obj=check, to="closed")
    workflow.transition(actor=users.office, obj=check, to="open", message="再查")
    with pytest.raises(workflow.StaleStatus):
        workflow.transition(actor=users.office, obj=stale, to="open", message="三查")
    assert not Decision.objects.filter(message="三查").exists()


def test_permission_refusal_is_audited(check, users):
    with pytest.raises(PermissionDenied):
        workflow.transition(actor=users.field_a, obj=check, to="closed")  # no permission
    denied = AuditEvent.objects.get(action="denied", user=users.field_a)
    assert denied.object_id == str(check.pk) and PERM in denied.message
    check.refresh_from_db()
    assert check.status == "open" and not Decision.objects.exists()


def test_scope_refusal_is_audited(tree, users):
    other = make(tree.community, "丙社区抽查")
    with pytest.raises(PermissionDenied):
        workflow.transition(actor=users.town_office, obj=other, to="closed")
    assert AuditEvent.objects.filter(
        action="denied", user=users.town_office, object_id=str(other.pk)
    ).exists()
    other.refresh_from_db()
    assert other.status == "open" and not Decision.objects.exists()


def test_a_guard_refusal_is_audited_and_rolled_back(tree, users):
    own = make(tree.town, "镇抽查")
    with pytest.raises(PermissionDenied, match="上级"):
        workflow.transition(actor=users.town_office, obj=own, to="closed")
    own.refresh_from_db()
    assert own.status == "open" and own.note == ""
    assert not Decision.objects.exists()
    denied = AuditEvent.objects.get(action="denied", user=users.town_office)
    assert "上级" in denied.message  # survived the rollback
    assert not AuditEvent.objects.filter(action="update").exists()


def test_nothing_is_written_when_a_hook_raises(check, users, monkeypatch):
    def boom(ctx):
        ctx.obj.note = "half"
        ctx.fields.append("note")
        ctx.obj.save(update_fields=["note"])
        AuditEvent.objects.create(action="update", object_type="x", message="inside")
        raise ValueError("hook failed")

    steps = (workflow.Step("open", "closed", workflow.CLOSE, PERM, hook=boom),)
    broken = workflow.Workflow(model=LABEL, steps=steps)
    monkeypatch.setitem(registry["workflows"], LABEL, broken)
    with pytest.raises(ValueError, match="hook failed"):  # raised, not swallowed
        workflow.transition(actor=users.office, obj=check, to="closed")
    check.refresh_from_db()
    assert (check.status, check.note) == ("open", "")
    assert not Decision.objects.exists()
    assert not AuditEvent.objects.filter(message="inside").exists()


def test_a_follower_of_a_step_runs_after_its_hook_in_the_same_transaction(
    check, users, monkeypatch
):
    """``workflow.follow``: an upper app acts on a lower app's step (the certificates app
    numbers the clearance of a completed 管理移交) on the locked row, after the hook."""
    seen = []

    def follower(ctx):
        seen.append(ctx.obj.note)  # the hook has run
        ctx.obj.note = f"{ctx.obj.note}+followed"
        ctx.changes["followed"] = [None, True]

    monkeypatch.setitem(registry["step_followers"], (LABEL, "closed"), [])
    assert workflow.follow(LABEL, "closed", follower) is follower
    workflow.follow(LABEL, "closed", follower)  # once only
    assert registry["step_followers"][(LABEL, "closed")] == [follower]
    workflow.transition(actor=users.office, obj=check, to="closed")
    check.refresh_from_db()
    assert seen == ["closed"] and check.note == "closed+followed"
    event = AuditEvent.objects.get(object_type=LABEL, object_id=str(check.pk), action="update")
    assert event.changes["followed"] == [None, True]
    # another step of the model does not call it
    workflow.transition(actor=users.office, obj=check, to="open", message="重新核对")
    assert seen == ["closed"]


def test_a_follower_that_raises_rolls_the_step_back(check, users, monkeypatch):
    def boom(ctx):
        raise ValidationError("编号失败")

    monkeypatch.setitem(registry["step_followers"], (LABEL, "closed"), [boom])
    with pytest.raises(ValidationError):
        workflow.transition(actor=users.office, obj=check, to="closed")
    check.refresh_from_db()
    assert check.status == "open" and not Decision.objects.exists()


def test_the_system_needs_no_permission(check):
    decision = workflow.transition(actor=None, obj=check, to="closed")
    assert decision.actor is None and decision.actor_name == "system"


def test_two_steps_between_the_same_statuses_are_refused_in_the_table():
    with pytest.raises(ValueError):
        workflow.Workflow(
            model="x.y",
            steps=(workflow.Step("a", "b", "submit"), workflow.Step("a", "b", "approve")),
        )


def test_register_conflict_and_idempotence():
    one = workflow.Workflow(model="x.Y", steps=())
    try:
        assert workflow.register(one) is one
        assert registry["workflows"]["x.y"] is one
        assert workflow.register(one) is one  # ready() twice
        other = workflow.Workflow(model="x.y", steps=(workflow.Step("a", "b", "x"),))
        with pytest.raises(ValueError):
            workflow.register(other)
    finally:
        registry["workflows"].pop("x.y", None)


def test_available_steps(check, users):
    assert [s.action for s in workflow.available(users.office, check)] == ["close"]
    assert workflow.available(users.field_a, check) == []  # no permission
    assert [s.action for s in workflow.available(None, check)] == ["close"]


# --------------------------------------------------------------------------- returned to me


def test_returned_to_the_user_who_can_act(tree, users):
    a = make(tree.village_a, "甲村抽查")
    b = make(tree.village_b, "乙村抽查")
    c = make(tree.village_a, "甲村二查")
    for obj in (a, b, c):
        workflow.transition(actor=users.office, obj=obj, to="closed")
    workflow.transition(actor=users.office, obj=a, to="open", message="甲村退回")
    workflow.transition(actor=users.office, obj=b, to="open", message="乙村退回")
    # c was returned and then closed again: its latest decision is not a return
    workflow.transition(actor=users.office, obj=c, to="open", message="先退回")
    workflow.transition(actor=users.office, obj=c, to="closed")
    assert [r.obj for r in workflow.returned_to(users.town_office)] == [a, b]
    assert [r.obj for r in workflow.returned_to(users.town_office, unit=tree.village_b)] == [b]
    assert workflow.returned_to(users.field_a) == []  # may not act (no permission)
    # who returned it waits for the others: not on their own list
    assert workflow.returned_to(users.office) == []
    assert [r.obj for r in workflow.returned_to(users.admin)] == [a, b]
    street_office = factories.user("street_office", tree.street, "office")
    assert workflow.returned_to(street_office) == []
    assert workflow.last_return(c) is None


def test_the_returned_worklist_source(tree, users):
    source = registry["worklist_sources"]["returned"]
    assert source.collect is workflow.collect_returned
    a = make(tree.village_a, "甲村抽查")
    workflow.transition(actor=users.office, obj=a, to="closed")
    workflow.transition(actor=users.office, obj=a, to="open", message="请补查第3户")
    count, items = source.collect(
        users.town_office, unit=None, today=datetime.date(2026, 12, 7), limit=10
    )
    assert count == 1
    (item,) = items
    assert isinstance(item, WorkItem)
    assert item.person_id is None and item.person_name == "甲村抽查"
    assert item.message == "请补查第3户" and item.unit_name == "甲村"
    assert item.url == f"/reports/verification/{a.pk}/"
    assert "抽查" in item.what and "office" in item.what
    count, items = source.collect(users.field_a, unit=None, today=None, limit=10)
    assert (count, items) == (0, [])
    count, items = source.collect(users.admin, unit=None, today=None, limit=0)
    assert (count, items) == (1, [])


def test_the_decisions_box_on_a_page(check, users):
    template = Template("{% load workflow %}{% decisions obj %}")
    assert "returned-box" not in template.render(Context({"obj": check}))
    workflow.transition(actor=users.office, obj=check, to="closed")
    workflow.transition(actor=users.office, obj=check, to="open", message="请补查 <b>第3户</b>")
    html = template.render(Context({"obj": check}))
    assert 'data-testid="returned-box"' in html and "退回意见" in html
    assert "请补查 &lt;b&gt;第3户&lt;/b&gt;" in html  # escaped
    assert 'data-testid="decision-history"' in html and html.count("<tr data-action") == 2


def test_the_decisions_box_in_chinese(check):
    """The time as 2026年3月5日 14:30 and a step without a user (the demo's, a job's) by
    系统, not "system" (issue 15 / ui)."""
    import re

    workflow.transition(actor=None, obj=check, to="closed")
    workflow.transition(actor=None, obj=check, to="open", message="请补查")
    html = Template("{% load workflow %}{% decisions obj %}").render(Context({"obj": check}))
    assert "system" not in html and "系统" in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}", html)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", html)


def test_decisions_cannot_be_changed(check, users):
    decision = workflow.transition(actor=users.office, obj=check, to="closed")
    decision.message = "改"
    with pytest.raises(Exception, match="cannot be changed"):
        decision.save()
    with pytest.raises(Exception, match="cannot be changed"):
        Decision.objects.update(message="改")


# --------------------------------------------------------------------------- the row lock


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_one_wins(tree, users, monkeypatch):
    """Two threads close the same object: the second waits for the first's row lock,
    then finds the status changed and gets the stale-status error."""
    check = make(tree.village_a)

    def slow(ctx):
        time.sleep(0.5)  # hold the lock while the other thread asks for it
        _close(ctx)

    steps = (workflow.Step("open", "closed", workflow.CLOSE, PERM, hook=slow),)
    monkeypatch.setitem(registry["workflows"], LABEL, workflow.Workflow(LABEL, steps))
    start = threading.Barrier(2)
    results: list[object] = []

    def run():
        try:
            obj = Verification.objects.get(pk=check.pk)
            start.wait()
            results.append(workflow.transition(actor=users.office, obj=obj, to="closed"))
        except Exception as exc:  # collected for the assertions
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results) == ["Decision", "StaleStatus"]
    assert Decision.objects.filter(object_id=check.pk).count() == 1
    check.refresh_from_db()
    assert check.status == "closed" and check.note == "closed"
