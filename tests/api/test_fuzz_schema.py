"""Schemathesis over the whole OpenAPI document (issue 13): every operation, with inputs
generated from its schema (valid ones and broken ones), as an office user with a token,
on the database of the run (SQLite and PostgreSQL). No answer may be a 5xx, and every
4xx answer is JSON whose every message is Chinese.

The calls go through the WSGI application in the test's own transaction, so the
fixtures' people, stores and documents are there to be found and what the fuzzer writes
is rolled back. ``JISHENG_FUZZ_EXAMPLES`` sets the examples per operation (default 25,
which keeps a run well under two minutes per database).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings

from tests import factories
from tests.api.chinese import english_words, is_chinese, messages_of

EXAMPLES = int(os.environ.get("JISHENG_FUZZ_EXAMPLES", "25"))


@pytest.fixture
def keep_connection():
    """The requests run in the test's transaction: like Django's test client, do not close
    the connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(users, tree, keep_connection):
    """An office token at the county, and some data for the fuzzer to find."""
    from jisheng.core.tokens import token_create

    factories.person(tree.village_a, "李红", seq=1)
    factories.person(tree.village_b, "张三", "M", seq=2)
    _token, secret = token_create(actor=None, user=users.office, name="fuzz")
    return secret


def _schema():
    from jisheng.api.urls import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


def pytest_generate_tests(metafunc):
    """One parameter for every operation's test: on pytest 9 it gives each operation's
    test its own node id (``…[GET /api/v1/units][zh]``), which pytest-xdist needs."""
    if "language" in metafunc.fixturenames:
        metafunc.parametrize("language", ["zh"])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the message names the case
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_server_error_and_every_error_in_chinese(case, fuzz_token, language):
    response = case.call(headers={"Authorization": f"Bearer {fuzz_token}"})
    where = f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:500]}"
    assert response.status_code < 500, where
    if 400 <= response.status_code < 500:
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith("application/json"), where
        body = response.json()
        assert body.get("code"), where
        messages = messages_of(body)
        assert messages, where
        sent = sorted(_texts(case), key=len, reverse=True)
        for message in messages:
            shown = message
            for text in sent:  # the request's own values, echoed, are not English
                shown = shown.replace(text, " ")
            assert is_chinese(shown), (where, message, english_words(shown))


def _texts(case) -> set[str]:
    """Every text the case sent (body, query, path, headers), at any depth."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value).strip()
            if len(text) >= 2:
                found.add(text)

    for part in (case.body, case.query, case.path_parameters, case.headers):
        if part is not None and not isinstance(part, bytes):
            walk(part)
    return found
