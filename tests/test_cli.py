"""The ``jisheng`` command line: createuser, serve, demo, and the console script itself."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import translation

from jisheng.core.management.commands.serve import bind_address, gunicorn_argv
from jisheng.core.models import AuditEvent
from jisheng.orgs.choices import Role
from jisheng.orgs.models import User
from jisheng.orgs.roles import ROLE_NAME_ZH, role_from_label

GOOD_PASSWORD = "Liuhe-village-2026"
JISHENG = Path(sys.executable).with_name("jisheng")


class FakeStdin(io.StringIO):
    """Standard input that is not a terminal (as in a pipe)."""

    def isatty(self) -> bool:
        return False


def createuser(*args: str, stdin: str = f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n") -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("createuser", *args, stdin=FakeStdin(stdin), stdout=out)
    return out.getvalue()


# --- role names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("系统管理员", Role.ADMIN),
        ("计生办", Role.OFFICE),
        ("专干/宣传员", Role.FIELD),
        ("专干", Role.FIELD),
        ("宣传员", Role.FIELD),
        ("领导", Role.LEADER),
        ("药具管理员", Role.COMMODITY),
        ("考核员", Role.ASSESSOR),
        ("审计员", Role.AUDITOR),
        (" 审计员 ", Role.AUDITOR),
        ("office", Role.OFFICE),
        ("Auditor", Role.AUDITOR),
    ],
)
def test_role_from_label_accepts_chinese_names_codes_and_english(label, code):
    assert role_from_label(label) == code


def test_every_role_has_a_chinese_name():
    assert set(ROLE_NAME_ZH) == set(Role.values)
    for code, name in ROLE_NAME_ZH.items():
        assert role_from_label(name) == code


def test_role_from_label_rejects_unknown_names_listing_the_valid_ones():
    with pytest.raises(ValueError) as excinfo:
        role_from_label("村长")
    message = str(excinfo.value)
    assert "村长" in message
    for name in ROLE_NAME_ZH.values():
        assert name in message


# --- createuser ---------------------------------------------------------------------


def test_createuser_with_chinese_roles_reads_the_password_twice_from_stdin(tree):
    output = createuser(
        "wang", "--unit", "990100001001", "--role", "专干", "--role", "领导",
        "--full-name", "王测试",
    )  # fmt: skip
    user = User.objects.get(username="wang")
    assert user.unit == tree.village_a
    assert user.role_codes == sorted([Role.FIELD, Role.LEADER])
    assert user.full_name == "王测试"
    assert user.check_password(GOOD_PASSWORD)
    assert "wang" in output and "990100001001" in output
    event = AuditEvent.objects.get(object_type="orgs.user", object_id=str(user.pk))
    assert event.action == "create"
    assert event.username == "system"
    assert event.changes["unit"] == [None, "990100001001"]


def test_created_user_can_log_in(tree):
    from django.contrib.auth import authenticate

    createuser("li", "--unit", "990100000000", "--role", "计生办")
    request = RequestFactory().post("/login/")
    assert authenticate(request, username="li", password=GOOD_PASSWORD) is not None


def test_createuser_role_by_code_and_duplicate_role_once(tree):
    createuser("zhao", "--unit", "990100001000", "--role", "office", "--role", "计生办")
    assert User.objects.get(username="zhao").role_codes == [Role.OFFICE]


def test_createuser_rejects_mismatched_passwords(tree):
    with pytest.raises(CommandError, match="do not match"):
        createuser("a1", "--unit", "990100001001", "--role", "专干",
                   stdin=f"{GOOD_PASSWORD}\nSomething-else-99\n")  # fmt: skip
    assert not User.objects.filter(username="a1").exists()


def test_createuser_rejects_an_empty_password(tree):
    with pytest.raises(CommandError, match="empty"):
        createuser("a2", "--unit", "990100001001", "--role", "专干", stdin="")
    assert not User.objects.filter(username="a2").exists()


@pytest.mark.parametrize("weak", ["12345678", "short", "password"])
def test_createuser_rejects_weak_passwords(tree, weak):
    with pytest.raises(CommandError) as excinfo:
        createuser("a3", "--unit", "990100001001", "--role", "专干", stdin=f"{weak}\n{weak}\n")
    assert "password" in str(excinfo.value).lower()
    assert not User.objects.filter(username="a3").exists()


def test_createuser_unknown_unit_lists_the_valid_units(tree):
    with pytest.raises(CommandError) as excinfo:
        createuser("a4", "--unit", "990100009999", "--role", "专干")
    message = str(excinfo.value)
    assert "990100009999" in message
    assert "990100001001 甲村" in message and "990100000000 示范县" in message
    assert not User.objects.filter(username="a4").exists()


def test_createuser_unknown_role_lists_the_valid_roles(tree):
    with pytest.raises(CommandError) as excinfo:
        createuser("a5", "--unit", "990100001001", "--role", "村长")
    message = str(excinfo.value)
    for name in ROLE_NAME_ZH.values():
        assert name in message
    assert not User.objects.filter(username="a5").exists()


def test_createuser_refuses_an_existing_username(tree, users):
    with pytest.raises(CommandError, match="already exists"):
        createuser("field_a", "--unit", "990100001001", "--role", "专干")


def test_createuser_on_an_empty_database_says_there_are_no_units(db):
    with pytest.raises(CommandError, match="no units"):
        createuser("a6", "--unit", "990100000000", "--role", "专干")


def test_createuser_prompts_with_getpass_on_a_terminal(tree, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return GOOD_PASSWORD

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    with translation.override("en"):
        call_command("createuser", "tty", "--unit", "990100001001", "--role", "专干",
                     stdin=Terminal(), stdout=io.StringIO())  # fmt: skip
    assert len(prompts) == 2
    assert User.objects.get(username="tty").check_password(GOOD_PASSWORD)


def test_createuser_requires_unit_and_role():
    with pytest.raises(CommandError):
        call_command("createuser", "nobody", "--role", "专干")
    with pytest.raises(CommandError):
        call_command("createuser", "nobody", "--unit", "990100000000")


# --- serve --------------------------------------------------------------------------


def test_serve_runs_gunicorn_with_this_interpreter():
    argv = gunicorn_argv(host="0.0.0.0", port=8123, workers=3, threads=4)
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "jisheng.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--threads") + 1] == "4"
    assert argv[argv.index("--worker-class") + 1] == "gthread"


def test_bind_address_brackets_ipv6():
    assert bind_address("::1", 80) == "[::1]:80"
    assert bind_address("127.0.0.1", 80) == "127.0.0.1:80"


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--workers", "0"]])
def test_serve_rejects_bad_numbers(args, monkeypatch):
    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("must not start a server"))
    with pytest.raises(CommandError):
        call_command("serve", *args)


def test_serve_replaces_the_process_with_gunicorn(monkeypatch):
    from jisheng.core.management.commands import serve

    calls, workers = [], []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append((path, argv)))
    monkeypatch.setattr(serve, "start_task_worker", lambda: workers.append(1))
    out = io.StringIO()
    call_command("serve", "--host", "127.0.0.1", "--port", "8765", "--workers", "2",
                 stdout=out)  # fmt: skip
    [(path, argv)] = calls
    assert path == sys.executable
    assert "127.0.0.1:8765" in argv
    assert "http://127.0.0.1:8765/" in out.getvalue()
    assert workers == [1]  # the background-task worker runs beside the server
    call_command("serve", "--no-task-worker", stdout=io.StringIO())
    assert workers == [1]


# --- the console script, end to end in a fresh data directory -----------------------
# These share one data directory (module fixture): with pytest-xdist's loadgroup they run
# in one worker, so the directory is made once.
e2e = pytest.mark.xdist_group("cli-e2e")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A data directory (SQLite + secret key) holding the demo, made by ``jisheng demo``."""
    folder = tmp_path_factory.mktemp("jisheng-cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JISHENG_", "DJANGO_"))}
    env.update(JISHENG_VAR_DIR=str(folder / "var"), PYTHONUNBUFFERED="1")
    first = subprocess.run(
        [str(JISHENG), "demo", "--no-serve"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return folder, env, first


def jisheng(data_dir, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    folder, env, _first = data_dir
    return subprocess.run(
        [str(JISHENG), *args],
        cwd=folder, env=env, input=stdin, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_console_script_is_installed():
    assert JISHENG.exists(), f"{JISHENG} missing: run uv sync"


@e2e
def test_demo_command_migrates_loads_and_prints_logins(data_dir):
    folder, _env, first = data_dir
    assert first.returncode == 0, first.stderr
    assert "Shifan-2026" in first.stdout
    for username in ("admin", "jsb", "zhuangan", "lingdao", "yaoju", "kaohe", "shenji"):
        assert username in first.stdout
    assert (folder / "var" / "jisheng.sqlite3").exists()
    assert (folder / "var" / "secret_key").exists()


@e2e
def test_demo_command_again_keeps_the_data(data_dir):
    import sqlite3

    folder, _env, first = data_dir
    assert first.returncode == 0, first.stderr
    database = folder / "var" / "jisheng.sqlite3"
    query = "select (select count(*) from orgs_unit), (select count(*) from orgs_user)"
    with sqlite3.connect(database) as conn:
        before = conn.execute(query).fetchone()
        conn.execute("update orgs_unit set name = '柳河村（改）' where code = '990100001001'")
    again = jisheng(data_dir, "demo", "--no-serve")
    assert again.returncode == 0, again.stderr
    assert "Shifan-2026" in again.stdout
    with sqlite3.connect(database) as conn:
        assert conn.execute(query).fetchone() == before
        name = conn.execute("select name from orgs_unit where code = '990100001001'").fetchone()
    assert name == ("柳河村（改）",)


@e2e
def test_createuser_through_the_console_script_with_piped_password(data_dir):
    ok = jisheng(
        data_dir, "createuser", "piped", "--unit", "990100002001", "--role", "专干/宣传员",
        stdin=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "piped" in ok.stdout
    mismatch = jisheng(
        data_dir, "createuser", "piped2", "--unit", "990100002001", "--role", "专干",
        stdin=f"{GOOD_PASSWORD}\nother-Password-1\n",
    )  # fmt: skip
    assert mismatch.returncode == 1
    assert mismatch.stderr.strip()


@e2e
def test_serve_answers_http_through_gunicorn(data_dir):
    folder, env, first = data_dir
    assert first.returncode == 0, first.stderr
    port = free_port()
    # DEBUG only so that static URLs need no collectstatic run in this throwaway folder.
    server = subprocess.Popen(
        [str(JISHENG), "serve", "--port", str(port), "--workers", "1", "--threads", "2",
         "--no-task-worker"],
        cwd=folder, env={**env, "JISHENG_DEBUG": "true"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        response = None
        while time.monotonic() < deadline:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=30)
                break
            except (urllib.error.URLError, OSError):  # not listening yet, or still booting
                if server.poll() is not None:
                    break
                time.sleep(0.3)
        assert response is not None, "server did not answer"
        assert response.status == 200
        assert response.headers["Server"].startswith("gunicorn")
        body = response.read().decode()
        assert 'lang="zh-hans"' in body
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert f"http://127.0.0.1:{port}/" in output  # the address it announced
    assert "Starting gunicorn" in output


def test_serve_knows_when_static_files_were_never_collected(tmp_path, settings):
    from django.core.files.storage import storages

    from jisheng.core.management.commands.serve import static_files_missing

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    storages._storages.pop("staticfiles", None)
    try:
        assert static_files_missing()
        (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
        storages._storages.pop("staticfiles", None)
        assert not static_files_missing()
    finally:
        storages._storages.pop("staticfiles", None)
