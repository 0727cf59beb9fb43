"""Settings from the environment, and the production profile's ``check --deploy``.

``check --deploy`` and the secret-key file run in fresh interpreters (settings are read once
per process); the other cases execute the settings modules afresh in this one.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

PRINT_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "PORT": str(db.get("PORT", "")),
    "USER": db.get("USER", ""),
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
}))
"""


def clean_env(tmp_path: Path, module: str, **extra: str) -> dict[str, str]:
    # Nothing of this test process leaks in: no JISHENG_* nor DJANGO_* variable (the
    # browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly rejects).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JISHENG_", "DJANGO_"))
    }
    env.update(DJANGO_SETTINGS_MODULE=module, JISHENG_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def run_python(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_of(tmp_path: Path, module: str = "jisheng.settings.base", **extra: str) -> Any:
    result = run_python(tmp_path, clean_env(tmp_path, module, **extra), "-c", PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def long_secret() -> str:
    return secrets.token_urlsafe(64)


def test_production_profile_passes_check_deploy_without_warnings(tmp_path):
    env = clean_env(tmp_path, "jisheng.settings.production", JISHENG_SECRET_KEY=long_secret())
    result = run_python(
        tmp_path, env, "-m", "jisheng", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr


def test_check_deploy_is_not_vacuous_a_weak_secret_key_is_reported(tmp_path):
    # the production profile now refuses such a key itself (tests/test_settings_production.py);
    # Django's own check still reports it under the base settings
    env = clean_env(tmp_path, "jisheng.settings.base", JISHENG_SECRET_KEY="too-short")
    result = run_python(
        tmp_path, env, "-m", "jisheng", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def load_settings(
    monkeypatch, tmp_path: Path, module: str = "jisheng.settings.base", **env: str
) -> ModuleType:
    """Execute a settings module afresh under ``env`` (sys.modules restored afterwards)."""
    for key in list(os.environ):
        if key.startswith("JISHENG_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("JISHENG_VAR_DIR", str(tmp_path / "var"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for name in list(sys.modules):
        if name.startswith("jisheng.settings.") and name != "jisheng.settings.env":
            monkeypatch.delitem(sys.modules, name)
    return importlib.import_module(module)


def test_production_profile_forces_debug_off_and_secure_cookies(monkeypatch, tmp_path):
    prod = load_settings(
        monkeypatch,
        tmp_path,
        "jisheng.settings.production",
        JISHENG_SECRET_KEY=long_secret(),
        JISHENG_DEBUG="true",
    )
    assert prod.DEBUG is False
    assert prod.SESSION_COOKIE_SECURE is True
    assert prod.CSRF_COOKIE_SECURE is True
    assert prod.SECURE_HSTS_SECONDS >= 31536000


def test_debug_is_off_by_default_and_can_be_switched_on(monkeypatch, tmp_path):
    assert load_settings(monkeypatch, tmp_path).DEBUG is False
    assert load_settings(monkeypatch, tmp_path, JISHENG_DEBUG="true").DEBUG is True
    assert load_settings(monkeypatch, tmp_path, JISHENG_DEBUG="no").DEBUG is False


def test_secret_key_is_generated_once_into_var_with_mode_0600_and_reused(tmp_path):
    # Two separate processes, as two starts of the server would be.
    key_file = tmp_path / "var" / "secret_key"
    assert not key_file.exists()
    first = settings_of(tmp_path)["SECRET_KEY"]
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    second = settings_of(tmp_path)["SECRET_KEY"]
    assert second == first


def test_secret_key_from_the_environment_wins_and_writes_no_file(monkeypatch, tmp_path):
    secret = long_secret()
    loaded = load_settings(monkeypatch, tmp_path, JISHENG_SECRET_KEY=secret)
    assert secret == loaded.SECRET_KEY
    assert not (tmp_path / "var" / "secret_key").exists()


def test_default_database_is_sqlite_in_the_var_dir(monkeypatch, tmp_path):
    db = load_settings(monkeypatch, tmp_path).DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(db["NAME"]) == (tmp_path / "var" / "jisheng.sqlite3").resolve()


def test_database_url_is_honoured(monkeypatch, tmp_path):
    db = load_settings(
        monkeypatch,
        tmp_path,
        JISHENG_DATABASE_URL="postgresql://jisheng@db.example.test:6543/county",
    ).DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "county"
    assert db["HOST"] == "db.example.test"
    assert str(db["PORT"]) == "6543"
    assert db["USER"] == "jisheng"


def test_allowed_hosts_from_the_environment(monkeypatch, tmp_path):
    custom = load_settings(
        monkeypatch, tmp_path, JISHENG_ALLOWED_HOSTS="jisheng.example.test, 10.0.0.5"
    )
    assert custom.ALLOWED_HOSTS == ["jisheng.example.test", "10.0.0.5"]
    assert "127.0.0.1" in load_settings(monkeypatch, tmp_path).ALLOWED_HOSTS
