"""Issue 13: the production profile refuses a weak or default secret key and ``*`` in
ALLOWED_HOSTS, and ``check --deploy`` with the variables README's 生产部署 documents is
clean. Each case runs in a fresh interpreter (settings are read once per process)."""

from __future__ import annotations

import os
import secrets

import pytest

from tests.test_settings import clean_env, run_python

PRODUCTION = "jisheng.settings.production"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """A fresh, empty PostgreSQL database when a server answers (the documented
    production database), else an SQLite file."""
    server = os.environ.get("JISHENG_TEST_DB_URL_ACTIVE") or os.environ.get(
        "JISHENG_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    name = f"jisheng_deploy_{secrets.token_hex(4)}"
    try:
        import psycopg

        admin = psycopg.connect(server, autocommit=True, connect_timeout=3)
    except Exception:
        path = tmp_path_factory.mktemp("deploy") / "jisheng.sqlite3"
        yield f"sqlite:///{path}"
        return
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def documented_env(tmp_path, database_url: str = "", **extra: str) -> dict[str, str]:
    """The variables of README's 生产部署 section."""
    values = {
        "JISHENG_SECRET_KEY": secrets.token_urlsafe(64),
        "JISHENG_ALLOWED_HOSTS": "jisheng.example.org",
        "JISHENG_CSRF_TRUSTED_ORIGINS": "https://jisheng.example.org",
        "JISHENG_TRUSTED_PROXIES": "127.0.0.1",
    }
    if database_url:
        values["JISHENG_DATABASE_URL"] = database_url
    values.update(extra)
    return clean_env(tmp_path, PRODUCTION, **values)


def check_deploy(tmp_path, env):
    return run_python(
        tmp_path, env, "-m", "jisheng", "check", "--deploy", "--fail-level", "WARNING"
    )


def test_check_deploy_with_the_documented_variables_is_clean(tmp_path, database_url):
    result = check_deploy(tmp_path, documented_env(tmp_path, database_url))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr


def test_generated_secret_key_file_is_accepted(tmp_path, database_url):
    env = documented_env(tmp_path, database_url)
    del env["JISHENG_SECRET_KEY"]
    result = check_deploy(tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr


# A fixed random-looking tail: parameters must be the same in every pytest-xdist worker.
RANDOM_TAIL = "q7Vb2xKp9LmZr4TfW8sYc1NdH6jEa3UgQ5oPi0BvXnM_kR-tJyD"


@pytest.mark.parametrize(
    "key",
    [
        "too-short",
        "x" * 49,
        "ab" * 40,  # long, but two distinct characters
        "abcd" * 20,  # four
        "django-insecure-" + RANDOM_TAIL,
        "…至少 50 个随机字符…",  # README's placeholder copied as is
        "change-me-" + RANDOM_TAIL,
        "demo-secret-key-" + RANDOM_TAIL,
        "dev-key-" + RANDOM_TAIL,
        "insecure" + RANDOM_TAIL,
    ],
)
def test_weak_or_default_secret_key_is_refused(tmp_path, key):
    result = check_deploy(tmp_path, documented_env(tmp_path, JISHENG_SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "JISHENG_SECRET_KEY" in result.stderr and "生产配置拒绝启动" in result.stderr
    assert key not in result.stderr or len(key) < 20  # the key itself is not printed


@pytest.mark.parametrize("hosts", ["*", "jisheng.example.org,*", " * "])
def test_wildcard_allowed_hosts_is_refused(tmp_path, hosts):
    result = check_deploy(tmp_path, documented_env(tmp_path, JISHENG_ALLOWED_HOSTS=hosts))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "JISHENG_ALLOWED_HOSTS" in result.stderr


def test_the_same_values_are_accepted_outside_production(tmp_path):
    env = clean_env(
        tmp_path, "jisheng.settings.base", JISHENG_SECRET_KEY="x" * 60, JISHENG_ALLOWED_HOSTS="*"
    )
    result = run_python(tmp_path, env, "-m", "jisheng", "check")
    assert result.returncode == 0, result.stderr
