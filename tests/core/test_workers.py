"""The background worker's reliability (issue 13, item 2): it survives a lost database
connection, ``jisheng serve`` supervises it (restart with back-off, also after kill -9),
its heartbeat feeds /healthz and the system page, interrupted tasks end as failed with a
Chinese reason (their import job too, upload deleted, retry offered), and what it
writes is private (0600/0700)."""

from __future__ import annotations

import datetime
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from jisheng.core import imports, supervisor, workers
from jisheng.core.management.commands import serve
from jisheng.core.management.commands import worker as worker_command
from jisheng.core.models import ImportJob, WorkerHeartbeat

INTERRUPTED_ZH = "后台任务进程中断，请重试"
DONE: list[int] = []


@task()
def remember(value: int) -> int:
    DONE.append(value)
    return value


def queued(task_path: str, *args, status=TaskResultStatus.READY, worker_ids=(), started_at=None):
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": list(args), "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        worker_ids=list(worker_ids),
        started_at=started_at,
    )


# --------------------------------------------------------------------------- /healthz


def test_healthz_needs_no_login_and_says_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.json()
    assert body["database"] == "ok"
    assert body["worker"] == {"last_beat": None, "fresh": False, "fresh_seconds": 60}


def test_healthz_reports_a_fresh_and_a_stale_heartbeat(client, db):
    workers.beat("w-test")
    body = client.get("/healthz").json()
    assert body["worker"]["fresh"] is True and body["status"] == "ok"
    assert body["worker"]["last_beat"]
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(minutes=5))
    body = client.get("/healthz").json()
    assert body["worker"]["fresh"] is False and body["status"] == "degraded"
    # no personal data, no host names or worker ids
    text = json.dumps(body)
    assert "w-test" not in text and os.uname().nodename not in text


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(type(connections["default"]), "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


# --------------------------------------------------------------------------- system page


def test_system_status_page_for_administrators(client, users):
    workers.beat("w-page")
    queued("tests.core.test_workers.remember", 1)
    failed = queued("tests.core.test_workers.remember", 2, status=TaskResultStatus.FAILED)
    DBTaskResult.objects.filter(pk=failed.pk).update(
        finished_at=timezone.now(), exception_class_path=workers.INTERRUPTED_EXCEPTION
    )
    client.force_login(users.admin)
    response = client.get(reverse("system_status"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "系统状态" in page
    assert 'data-fresh="1"' in page
    assert response.context["counts"] == {"ready": 1, "running": 0, "failed": 1}
    assert INTERRUPTED_ZH in page
    # the menu's 系统 section links it
    assert reverse("system_status") in client.get("/").content.decode()


@pytest.mark.parametrize("name", ["field_a", "office", "leader", "auditor"])
def test_system_status_page_is_for_administrators_only(client, users, name):
    client.force_login(getattr(users, name))
    assert client.get(reverse("system_status")).status_code == 403
    assert reverse("system_status") not in client.get("/").content.decode()


def test_system_status_page_needs_login(client, db):
    response = client.get(reverse("system_status"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --------------------------------------------------------------------------- lost connection


class FlakyWorker:
    def __init__(self, failures: list[Exception]):
        self.failures = failures

    def run(self):
        if self.failures:
            raise self.failures.pop(0)


def test_the_queue_survives_a_lost_connection_with_back_off(db, monkeypatch):
    failures = [OperationalError("server closed the connection unexpectedly")] * 3
    recovered = []
    monkeypatch.setattr(workers, "recover_interrupted", lambda **kw: recovered.append(kw))
    slept: list[float] = []
    worker_command.run_queue(
        lambda: FlakyWorker(failures), worker_id="w-1", sleep=slept.append, max_delay=3
    )
    assert slept == [1, 2, 3]
    assert recovered == [{"dead": ["w-1"]}] * 3


def test_a_real_queue_worker_survives_its_fetch_failing(transactional_db, monkeypatch, settings):
    """The fetch of django-tasks' database worker raises OperationalError (what killed
    the worker before); the worker waits, reconnects and runs the queued task."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResultQuerySet

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    DONE.clear()
    queued("tests.core.test_workers.remember", 7)
    real = DBTaskResultQuerySet.get_locked
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(self)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", flaky)

    def make():
        return Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="w-real",
            excluded_queue_names=[],
        )

    with pytest.raises(OperationalError):  # what happened before: the worker died
        make().run()
    slept: list[float] = []
    worker_command.run_queue(make, worker_id="w-real", sleep=slept.append)
    assert DONE == [7]
    assert slept == []  # the first failure was consumed above; now it just runs
    calls.clear()
    queued("tests.core.test_workers.remember", 8)
    worker_command.run_queue(make, worker_id="w-real", sleep=slept.append)
    assert DONE == [7, 8] and slept == [1]


# --------------------------------------------------------------------------- interrupted tasks


@pytest.fixture
def import_job(users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    job = imports.job_create(
        user=users.office,
        kind="persons",
        upload=SimpleUploadedFile("人员.xlsx", b"PK\x03\x04 not really a workbook"),
        unit_code="990100001001",
        valid_rows_only=True,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    job.refresh_from_db()
    return job


def test_a_job_left_running_by_a_dead_worker_fails_with_a_chinese_reason(import_job, users):
    stored = Path(import_job.stored_path)
    assert stored.exists()
    result = queued(
        "jisheng.core.imports.run_import_job",
        import_job.pk,
        status=TaskResultStatus.RUNNING,
        worker_ids=["w-dead"],
        started_at=timezone.now(),
    )
    other = queued(
        "tests.core.test_workers.remember",
        1,
        status=TaskResultStatus.RUNNING,
        worker_ids=["w-alive"],
        started_at=timezone.now(),
    )
    workers.beat("w-alive")
    # the next worker start, told by the supervisor which worker died
    worker_command.Command()._start("w-next", ["w-dead"])
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert INTERRUPTED_ZH in result.traceback
    other.refresh_from_db()
    assert other.status == TaskResultStatus.RUNNING  # a live worker's task is left alone
    import_job.refresh_from_db()
    assert import_job.status == ImportJob.Status.FAILED
    assert import_job.finished_at is not None
    assert not stored.exists() and import_job.stored_path == ""


def test_a_stale_heartbeat_marks_the_workers_tasks_interrupted(db):
    old = timezone.now() - datetime.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="w-old", beat_at=old)
    result = queued(
        "tests.core.test_workers.remember",
        1,
        status=TaskResultStatus.RUNNING,
        worker_ids=["w-old"],
        started_at=old,
    )
    assert workers.recover_interrupted() == 1
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert workers.recover_interrupted() == 0


def test_a_dead_process_of_this_host_is_known_at_once(db):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    WorkerHeartbeat.objects.create(
        worker_id="w-gone", beat_at=timezone.now(), hostname=os.uname().nodename, pid=child.pid
    )
    queued(
        "tests.core.test_workers.remember",
        1,
        status=TaskResultStatus.RUNNING,
        worker_ids=["w-gone"],
        started_at=timezone.now(),
    )
    assert workers.recover_interrupted() == 1


def test_failed_job_page_offers_to_import_again(client, import_job, users):
    imports.job_fail_interrupted(import_job.pk)
    client.force_login(users.office)
    page = client.get(reverse("imports:job", args=[import_job.pk])).content.decode()
    assert INTERRUPTED_ZH in page
    assert 'data-testid="import-retry"' in page
    retry = reverse("imports:start", args=["persons"]) + "?unit=990100001001"
    assert retry + "&amp;valid_rows_only=1" in page
    form = client.get(
        reverse("imports:start", args=["persons"]) + "?unit=990100001001&valid_rows_only=1"
    ).context["form"]
    assert form.initial["valid_rows_only"] is True and form.initial["unit"] == "990100001001"


def test_an_ended_job_keeps_its_outcome(import_job):
    ImportJob.objects.filter(pk=import_job.pk).update(status=ImportJob.Status.DONE)
    assert imports.job_fail_interrupted(import_job.pk) is False
    import_job.refresh_from_db()
    assert import_job.status == ImportJob.Status.DONE


# --------------------------------------------------------------------------- private files


def test_uploads_are_private_whatever_the_umask(import_job):
    path = Path(import_job.stored_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_var_the_database_and_keys_are_created_private(tmp_path):
    """A fresh installation: ./var 0700, the SQLite database and the keys 0600; an
    existing database made readable by others is tightened."""
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    (var / "old.txt").write_text("x")
    (var / "old.txt").chmod(0o644)
    env = {
        **os.environ,
        "JISHENG_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "jisheng.settings.base",
    }
    env.pop("JISHENG_DATABASE_URL", None)
    env.pop("JISHENG_FIELD_KEYS", None)
    env.pop("JISHENG_LOOKUP_KEY", None)
    code = (
        "import os; os.umask(0o022); import django; django.setup();"
        "from django.db import connection; connection.ensure_connection();"
        "from jisheng.core import keycheck; keycheck.field_keys(generate=True);"
        "keycheck.lookup_key(generate=True)"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for name in ("jisheng.sqlite3", "field_key", "lookup_key", "secret_key", "old.txt"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600, name


# --------------------------------------------------------------------------- the supervisor


def test_serve_starts_the_worker_under_the_supervisor():
    argv = serve.task_worker_argv()
    assert argv[:3] == [sys.executable, "-m", "jisheng.core.supervisor"]
    assert argv[-3:] == ["-m", "jisheng", "worker"]


def test_supervisor_restarts_with_a_doubling_back_off():
    runs = supervisor.Supervisor(
        [sys.executable, "-c", "import sys; sys.exit(3)"],
        first_delay=0.01,
        max_delay=0.04,
        max_starts=5,
    )
    runs.run()
    assert runs.starts == 5
    assert runs.delays == [0.01, 0.02, 0.04, 0.04, 0.04]


def test_supervisor_resets_the_back_off_after_a_healthy_run():
    runs = supervisor.Supervisor(
        [sys.executable, "-c", "import time; time.sleep(0.3)"],
        first_delay=0.01,
        max_delay=1,
        healthy_seconds=0.2,
        max_starts=3,
    )
    runs.run()
    assert runs.delays == [0.01, 0.01, 0.01]


def test_supervisor_restarts_a_killed_worker_and_names_it(tmp_path):
    """kill -9 of the worker: the supervisor starts a new one, telling it which died."""
    log = tmp_path / "argv.log"
    script = (
        f"import sys, time; open({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n');"
        "time.sleep(60)"
    )
    runs = supervisor.Supervisor([sys.executable, "-c", script], first_delay=0.05)
    thread = threading.Thread(target=runs.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while runs.starts < 1 or not log.exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        first = runs.child
        os.kill(first.pid, signal.SIGKILL)
        while runs.starts < 2 or len(log.read_text().splitlines()) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert runs.child.pid != first.pid
        lines = log.read_text().splitlines()
        first_id = lines[0].split("--worker-id ")[1].split()[0]
        assert f"--recover-worker {first_id}" in lines[1]
    finally:
        runs.stop()
        thread.join(timeout=40)
    assert not thread.is_alive()
    assert runs.child.poll() is not None  # stopping the supervisor stops the worker


def test_supervisor_command_line_logs_and_stops_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jisheng.core.supervisor",
            "--",
            sys.executable,
            "-c",
            "import sys; sys.exit(1)",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "started" in err and "exit code 1" in err and "starting it again in 1 s" in err


def test_worker_id_is_unique_per_start():
    runs = supervisor.Supervisor(["x"])
    assert runs.argv("w-1", None) == ["x", "--worker-id", "w-1"]
    assert runs.argv("w-2", "w-1") == ["x", "--worker-id", "w-2", "--recover-worker", "w-1"]
