"""Every endpoint × {no token, bad tokens, no permission, out of scope, happy path}."""

from __future__ import annotations

import re

import pytest

from jisheng.core.models import AuditEvent
from tests.api.conftest import ApiClient

# (method, path, permission needed or None). Paths name units that field_a may see.
ENDPOINTS = [
    ("GET", "/me", None),
    ("GET", "/units", "orgs.view_unit"),
    ("GET", "/units?parent=990100001001", "orgs.view_unit"),
    ("GET", "/units/990100001001", "orgs.view_unit"),
]
# What field_a (village A) must not reach: village B's unit, by code and as a filter.
OUT_OF_SCOPE = [
    "/units/990100001002",
    "/units?parent=990100001002",
    "/units/990100000000",
    "/units?parent=990100001000",
]


def _get(client: ApiClient, path: str):
    return client.client.get(f"/api/v1{path}", headers=client.headers)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "perm"), ENDPOINTS)
def test_no_token_is_401(tree, method, path, perm):
    response = _get(ApiClient(), path)
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "perm"), ENDPOINTS)
@pytest.mark.parametrize("kind", ["garbage", "unknown", "revoked", "expired", "inactive_user"])
def test_bad_token_is_401(bad_tokens, method, path, perm, kind):
    assert_error(_get(ApiClient(bad_tokens[kind]), path), 401, "unauthorized")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "perm"), ENDPOINTS)
@pytest.mark.parametrize("header", ["Token {t}", "Basic {t}", "Bearer", "bearer  {t}x", "{t}"])
def test_malformed_authorization_header_is_401(tokens, method, path, perm, header):
    client = ApiClient()
    client.headers["Authorization"] = header.format(t=tokens.admin)
    assert_error(_get(client, path), 401, "unauthorized")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "perm"), ENDPOINTS)
def test_session_login_alone_is_not_enough(client, users, method, path, perm):
    """The API takes bearer tokens only: a browser session does not authenticate it."""
    client.force_login(users.admin)
    assert_error(client.get(f"/api/v1{path}"), 401, "unauthorized")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "perm"), [e for e in ENDPOINTS if e[2]])
def test_missing_permission_is_403(nobody, method, path, perm):
    from jisheng.core.tokens import token_create

    assert not nobody.has_perm(perm)
    _row, secret = token_create(actor=None, user=nobody)
    assert_error(_get(ApiClient(secret), path), 403, "forbidden")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "perm"), ENDPOINTS)
def test_happy_path(client_for, method, path, perm):
    response = _get(client_for("field_a"), path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("path", OUT_OF_SCOPE)
def test_out_of_scope_is_404_and_audited(client_for, users, path):
    code = re.search(r"(\d{12})", path).group(1)
    before = AuditEvent.objects.filter(action="denied").count()
    body = assert_error(_get(client_for("field_a"), path), 404, "not_found")
    denied = AuditEvent.objects.filter(action="denied").order_by("-id")
    assert denied.count() == before + 1
    event = denied.first()
    assert event.user_id == users.field_a.pk
    assert event.object_type == "orgs.unit"
    from jisheng.orgs.models import Unit

    assert event.object_id == str(Unit.objects.get(code=code).pk)
    assert event.request_path.startswith("/api/v1/units")
    # Same body as a code that does not exist at all: existence cannot be probed.
    missing = path.replace(code, "990100009999")
    assert _get(client_for("field_a"), missing).json() == body


@pytest.mark.django_db
def test_missing_code_is_404_without_denied_event(client_for):
    assert_error(_get(client_for("admin"), "/units/990100009999"), 404, "not_found")
    assert not AuditEvent.objects.filter(action="denied").exists()


@pytest.mark.django_db
def test_user_without_unit_sees_nothing(tree):
    from jisheng.core.tokens import token_create
    from jisheng.orgs.models import User
    from jisheng.orgs.roles import sync_role_groups

    sync_role_groups()
    loner = User.objects.create_user("loner", password="x-Secret-2026")
    from django.contrib.auth.models import Group

    loner.groups.add(Group.objects.get(name="leader"))
    _row, secret = token_create(actor=None, user=loner)
    client = ApiClient(secret)
    body = _get(client, "/units").json()
    assert body["count"] == 0 and body["items"] == []
    assert_error(_get(client, "/units/990100001001"), 404, "not_found")
