"""The nightly schedule (core.periodic), the worker's check and the rebuild command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jisheng.core import periodic
from jisheng.core.models import ScheduledRun
from jisheng.services.models import FollowUpDue
from tests import factories


def at(hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate()
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def test_the_nightly_rebuild_is_registered():
    assert "services.rebuild_schedules" in periodic.jobs()
    assert periodic.jobs()["services.rebuild_schedules"].at == dt.time(2, 0)


def test_a_job_is_enqueued_once_a_day_after_its_time(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert periodic.enqueue_due(at(1, 59)) == []
    assert periodic.enqueue_due(at(2, 0)) == [
        "services.rebuild_schedules",
        "services.create_rounds",
    ]
    assert periodic.enqueue_due(at(2, 1)) == []
    # issue 18: the benefits' stops run at 2:30, once
    assert periodic.enqueue_due(at(23, 0)) == ["benefits.stops"]
    assert periodic.enqueue_due(at(23, 30)) == []
    assert ScheduledRun.objects.filter(name="services.rebuild_schedules").count() == 1


def test_the_worker_enqueues_once(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ScheduledRun.objects.all().delete()
    out = io.StringIO()
    call_command("worker", "--schedule-only", stdout=out)
    again = io.StringIO()
    call_command("worker", "--schedule-only", stdout=again)
    if timezone.localtime().time() >= dt.time(2, 0):
        assert "services.rebuild_schedules" in out.getvalue()
    assert again.getvalue() == ""


def test_the_rebuild_task_and_command(tree):
    woman = factories.person(
        tree.village_a, "王芳", "F", dt.date(1990, 1, 1), seq=1, marital_status="first_marriage"
    )
    FollowUpDue.objects.all().delete()
    out = io.StringIO()
    call_command("schedules", "rebuild", "--unit", tree.town.code, stdout=out)
    assert FollowUpDue.objects.filter(person=woman).exists()
    assert "visits due" in out.getvalue() or "随访" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("schedules", "rebuild", "--unit", "NOPE", stdout=io.StringIO())
    FollowUpDue.objects.all().delete()
    from jisheng.services.tasks import rebuild_schedules

    assert rebuild_schedules.call() == FollowUpDue.objects.count() > 0
