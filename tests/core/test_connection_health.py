"""Kept database connections are health-checked (issue 13, item 3): after the server
terminates every backend, the next request reconnects instead of answering 500."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory

import jisheng.settings.base
from tests import factories


def test_the_settings_turn_health_checks_on(tmp_path, monkeypatch):
    monkeypatch.setenv("JISHENG_VAR_DIR", str(tmp_path))
    for url in ("postgresql://jisheng@127.0.0.1:5432/jisheng", ""):
        monkeypatch.setenv("JISHENG_DATABASE_URL", url)
        values = runpy.run_path(str(Path(jisheng.settings.base.__file__)))
        database = values["DATABASES"]["default"]
        assert database["CONN_HEALTH_CHECKS"] is True
        if url:
            assert database["CONN_MAX_AGE"] == 60


def _get(handler: WSGIHandler, path: str, cookies: str) -> int:
    """One request through the WSGI handler, as gunicorn makes it: request_started and
    request_finished (which keep or close the connection) are sent."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE=cookies
    )
    statuses = []
    response = handler(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()  # request_finished
    return int(statuses[0].split()[0])


def _terminate_other_backends() -> int:
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


@pytest.mark.parametrize("health_checks", [True, False])
def test_next_request_succeeds_after_every_backend_is_terminated(
    transactional_db, health_checks, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL")
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True  # as in production
    county = factories.unit("990100000000", "示范县", "county")
    user = factories.user("admin", county, "admin")
    client = Client()
    client.force_login(user)
    cookies = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    handler = WSGIHandler()
    saved = dict(connection.settings_dict)
    connection.close()
    # production's CONN_MAX_AGE (the test settings close connections after each request)
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = health_checks
    try:
        assert _get(handler, "/", cookies) == 200
        assert connection.connection is not None  # kept for the next request
        before = connection.connection.info.backend_pid
        assert _terminate_other_backends() >= 1
        status = _get(handler, "/", cookies)
        if health_checks:
            assert status == 200
            assert connection.connection.info.backend_pid != before
        else:  # what happened before: the dead connection answers 500
            assert status == 500
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
