"""POST /api/v1/auth/token: username + password → a token; lockout after failures."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jisheng.core.models import ApiToken, AuditEvent
from jisheng.core.tokens import token_digest
from tests.api.conftest import ApiClient
from tests.factories import PASSWORD


def post_token(client: ApiClient, username: str, password: str, **extra):
    return client.post_json("/auth/token", {"username": username, "password": password, **extra})


@pytest.mark.django_db
def test_good_credentials_give_a_working_token(users, settings):
    response = post_token(ApiClient(), "field_a", PASSWORD, name="手机")
    assert response.status_code == 200, response.content
    body = response.json()
    secret = body["token"]
    assert secret.startswith(f"js_{body['prefix']}_")
    expires_at = datetime.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    expected = timezone.now() + datetime.timedelta(days=settings.JISHENG_API_TOKEN_DAYS)
    assert abs((expires_at - expected).total_seconds()) < 60

    me = ApiClient(secret).get("/me")
    assert me.status_code == 200
    assert me.json()["username"] == "field_a"

    row = ApiToken.objects.get(prefix=body["prefix"])
    assert row.user == users.field_a
    assert row.name == "手机"
    assert row.digest == token_digest(secret)
    assert AuditEvent.objects.filter(action="token", user=users.field_a).exists()
    assert AuditEvent.objects.filter(action="login", user=users.field_a).exists()


@pytest.mark.django_db
def test_token_is_stored_hashed_only(users):
    secret = post_token(ApiClient(), "admin", PASSWORD).json()["token"]
    for row in ApiToken.objects.values():
        assert all(secret not in str(value) for value in row.values())
    random_part = secret.split("_", 2)[2]  # may itself contain "_"
    assert not ApiToken.objects.filter(digest__contains=random_part).exists()
    for event in AuditEvent.objects.all():
        assert secret not in f"{event.changes} {event.message} {event.object_repr}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password"),
    [("field_a", "wrong-password"), ("nobody-here", PASSWORD), ("field_a", PASSWORD + "x")],
)
def test_bad_credentials_are_401(users, username, password):
    response = post_token(ApiClient(), username, password)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_inactive_user_gets_no_token(users):
    users.field_a.is_active = False
    users.field_a.save(update_fields=["is_active"])
    response = post_token(ApiClient(), "field_a", PASSWORD)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"username": "field_a"}, ["password"]),
        ({"password": PASSWORD}, ["username"]),
        ({}, ["username", "password"]),
        ({"username": "", "password": ""}, ["username", "password"]),
        ({"username": "field_a", "password": PASSWORD, "name": "x" * 101}, ["name"]),
    ],
)
def test_malformed_payload_is_422(users, payload, fields):
    response = ApiClient().post_json("/auth/token", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert sorted(d["field"] for d in body["details"]) == sorted(fields)


@pytest.mark.django_db
def test_body_that_is_not_json_is_400(users):
    response = ApiClient().client.post(
        "/api/v1/auth/token", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_lockout_after_five_failures(users, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = ApiClient()
    statuses = [post_token(client, "field_b", "wrong-password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 401]
    fifth = post_token(client, "field_b", "wrong-password")
    assert fifth.status_code == 403
    assert fifth["Content-Type"].startswith("application/json")
    assert fifth.json()["code"] == "locked_out"
    # Now even the right password is refused, and no token is made.
    locked = post_token(client, "field_b", PASSWORD)
    assert locked.status_code == 403
    assert locked.json()["code"] == "locked_out"
    assert not ApiToken.objects.filter(user=users.field_b).exists()
    # Another account from the same address is not locked.
    assert post_token(client, "field_a", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_success_resets_the_failure_count(users):
    client = ApiClient()
    for _ in range(4):
        assert post_token(client, "field_b", "wrong-password").status_code == 401
    assert post_token(client, "field_b", PASSWORD).status_code == 200
    for _ in range(4):
        assert post_token(client, "field_b", "wrong-password").status_code == 401
    assert post_token(client, "field_b", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_auth_endpoint_only_accepts_post(users):
    response = ApiClient().get("/auth/token")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "POST" in response["Allow"]


@pytest.mark.django_db
def test_me_describes_the_caller(client_for, tree):
    body = client_for("town_office", language="en").get("/me").json()
    assert body["username"] == "town_office"
    assert body["unit"]["code"] == "990100001000"
    assert body["unit"]["path"] == tree.town.path
    assert body["roles"] == [{"code": "office", "label": "Family-planning office"}]
    assert "orgs.view_unit" in body["permissions"]
    assert "core.view_auditevent" not in body["permissions"]
    assert body["is_superuser"] is False


@pytest.mark.django_db
def test_me_for_a_user_without_roles(nobody):
    from jisheng.core.tokens import token_create

    _row, secret = token_create(actor=None, user=nobody)
    body = ApiClient(secret).get("/me").json()
    assert body["roles"] == [] and body["permissions"] == []
