"""The schedule of core.periodic: interval jobs run once a slot whatever the number of
workers, not while their previous run is unfinished, old slot rows pruned; nightly
jobs with a switch; the worker's job list."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone
from django_tasks import TaskResultStatus

from jisheng.core import periodic
from jisheng.core.models import ScheduledRun
from tests.registry_utils import replaced_store


class FakeTask:
    """A task whose results can be looked up, like the database backend's."""

    def __init__(self, *, supports_get_result: bool = True) -> None:
        self.enqueued: list[str] = []
        self.status = TaskResultStatus.SUCCESSFUL
        self.backend = SimpleNamespace(supports_get_result=supports_get_result)

    def enqueue(self):
        result_id = f"r{len(self.enqueued) + 1}"
        self.enqueued.append(result_id)
        return SimpleNamespace(id=result_id)

    def get_backend(self):
        return self.backend

    def get_result(self, result_id: str):
        return SimpleNamespace(id=result_id, status=self.status)


@pytest.fixture
def jobs():
    """An empty schedule for the test (the apps' own jobs are put back after it)."""
    with replaced_store("jobs", {}) as store:
        yield store


def at(hour: int, minute: int = 0, *, days: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def test_slots_are_counted_from_midnight():
    assert periodic.slot_start(at(10, 7), 5) == at(10, 5)
    assert periodic.slot_start(at(10, 5), 5) == at(10, 5)
    assert periodic.slot_start(at(0, 0), 5) == at(0, 0)
    assert periodic.slot_start(at(23, 59), 7) == at(23, 55)  # 1439 // 7 * 7 = 1435
    assert periodic.slot_start(at(10, 59), 60) == at(10, 0)
    assert periodic.slot_name("x", at(9, 5)) == "x@09:05"
    with pytest.raises(ValueError):
        periodic.slot_start(at(1), 0)


def test_an_interval_job_runs_once_a_slot(db, jobs):
    task = FakeTask()
    periodic.register_every("test.every", 5, task)
    assert periodic.enqueue_due(at(10, 1)) == ["test.every"]
    assert periodic.enqueue_due(at(10, 1)) == []  # the same check again
    assert periodic.enqueue_due(at(10, 4)) == []  # the same slot, a later check
    assert periodic.enqueue_due(at(10, 5)) == ["test.every"]
    assert periodic.enqueue_due(at(10, 9)) == []
    assert periodic.enqueue_due(at(11, 0)) == ["test.every"]
    assert len(task.enqueued) == 3
    rows = ScheduledRun.objects.filter(name__startswith="test.every@").order_by("name")
    assert [r.name for r in rows] == ["test.every@10:00", "test.every@10:05", "test.every@11:00"]
    assert [r.task_id for r in rows] == ["r1", "r2", "r3"]


def test_a_slot_claimed_by_another_worker_is_skipped(db, jobs, monkeypatch):
    task = FakeTask()
    periodic.register_every("test.every", 5, task)
    # another worker sharing the database has already enqueued this slot
    ScheduledRun.objects.create(name="test.every@10:00", day=at(10).date(), task_id="other")
    assert periodic.enqueue_due(at(10, 2)) == []
    # ... or does so between this worker's check and its insert: the unique key refuses
    monkeypatch.setattr(periodic, "_taken", lambda name, day: False)
    assert periodic.enqueue_due(at(10, 3)) == []
    assert task.enqueued == []
    assert ScheduledRun.objects.filter(name="test.every@10:00").count() == 1
    with pytest.raises(IntegrityError):  # the key itself
        ScheduledRun.objects.create(name="test.every@10:00", day=at(10).date())


def test_two_workers_enqueue_a_slot_once(db, jobs):
    """Two workers checking the same slot (one after the other on one database)."""
    first, second = FakeTask(), FakeTask()
    periodic.register_every("test.every", 5, first)
    assert periodic.enqueue_due(at(10, 0)) == ["test.every"]
    periodic.register_every("test.every", 5, second)  # the other process's registration
    assert periodic.enqueue_due(at(10, 0)) == []
    assert len(first.enqueued) + len(second.enqueued) == 1


def test_the_interval_is_read_at_each_check_and_zero_is_off(db, jobs):
    task = FakeTask()
    minutes = {"value": 0}
    periodic.register_every("test.every", lambda: minutes["value"], task)
    job = periodic.jobs()["test.every"]
    assert not job.is_on() and job.describe() == "off"
    assert periodic.enqueue_due(at(10, 0)) == []
    minutes["value"] = 15
    assert job.is_on() and job.describe() == "every 15 min"
    assert periodic.enqueue_due(at(10, 14)) == ["test.every"]
    assert ScheduledRun.objects.filter(name="test.every@10:00").exists()


def test_not_again_while_the_previous_run_is_unfinished(db, jobs):
    task = FakeTask()
    periodic.register_every("test.every", 5, task)
    assert periodic.enqueue_due(at(10, 0)) == ["test.every"]
    run = ScheduledRun.objects.get(name="test.every@10:00")
    task.status = TaskResultStatus.RUNNING
    assert periodic.enqueue_due(timezone.localtime(run.enqueued_at) + dt.timedelta(minutes=5)) == []
    task.status = TaskResultStatus.READY
    assert periodic.enqueue_due(timezone.localtime(run.enqueued_at) + dt.timedelta(minutes=6)) == []
    # a run held for more than STALE_SLOTS slots is taken for dead: the job goes on
    late = timezone.localtime(run.enqueued_at) + dt.timedelta(minutes=5 * periodic.STALE_SLOTS + 1)
    assert periodic.enqueue_due(late) == ["test.every"]
    task.status = TaskResultStatus.FAILED  # a failed run holds nothing back
    assert periodic.enqueue_due(late + dt.timedelta(minutes=5)) == ["test.every"]


def test_backends_that_cannot_tell_do_not_hold_the_job(db, jobs):
    task = FakeTask(supports_get_result=False)
    task.status = TaskResultStatus.RUNNING
    periodic.register_every("test.every", 5, task)
    assert periodic.enqueue_due(at(10, 0)) == ["test.every"]
    assert periodic.enqueue_due(at(10, 5)) == ["test.every"]


def test_old_slot_rows_are_pruned(db, jobs):
    task = FakeTask()
    periodic.register_every("test.every", 5, task)
    old = at(10, days=-(periodic.KEEP_DAYS + 1)).date()
    ScheduledRun.objects.create(name="test.every@10:00", day=old)
    ScheduledRun.objects.create(name="test.everything", day=old)  # another job's row
    periodic.enqueue_due(at(10, 0))
    assert not ScheduledRun.objects.filter(name="test.every@10:00", day=old).exists()
    assert ScheduledRun.objects.filter(name="test.everything").exists()
    assert ScheduledRun.objects.filter(name="test.every@10:00", day=at(10).date()).exists()


def test_a_nightly_job_with_a_switch(db, jobs):
    task = FakeTask()
    on = {"value": False}
    periodic.register("test.night", dt.time(3, 0), task, enabled=lambda: on["value"])
    assert periodic.enqueue_due(at(4, 0)) == []
    on["value"] = True
    assert periodic.enqueue_due(at(2, 59)) == []
    assert periodic.enqueue_due(at(4, 0)) == ["test.night"]
    assert periodic.enqueue_due(at(5, 0)) == []
    assert periodic.enqueue_due(at(3, 0, days=1)) == ["test.night"]
    assert periodic.jobs()["test.night"].describe() == "03:00 nightly"


def test_a_broken_switch_does_not_stop_the_others(db, jobs):
    task = FakeTask()

    def broken() -> int:
        raise RuntimeError("no settings")

    periodic.register_every("test.broken", broken, FakeTask())
    periodic.register_every("test.every", 5, task)
    assert periodic.enqueue_due(at(10, 0)) == ["test.every"]


def test_names_cannot_hold_the_slot_separator(jobs):
    with pytest.raises(ValueError):
        periodic.register_every("a@b", 5, FakeTask())
    with pytest.raises(ValueError):
        periodic.register("a@b", dt.time(1), FakeTask())


def test_the_worker_lists_its_jobs(db, jobs):
    periodic.register_every("test.every", 5, FakeTask())
    periodic.register("test.night", dt.time(3, 0), FakeTask())
    out = io.StringIO()
    call_command("worker", "--jobs", stdout=out)
    assert out.getvalue().splitlines() == ["test.every\tevery 5 min", "test.night\t03:00 nightly"]
