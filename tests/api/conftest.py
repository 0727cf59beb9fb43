"""Fixtures for the REST API tests: a token per user and a client that sends it."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from jisheng.core.tokens import token_create, token_revoke
from tests import factories

API = "/api/v1"


class ApiClient:
    """Django's test client with an optional bearer token and language."""

    def __init__(self, token: str | None = None, language: str | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"
        if language is not None:
            self.headers["Accept-Language"] = language

    def get(self, path: str, **params):
        return self.client.get(f"{API}{path}", params, headers=self.headers)

    def request(self, method: str, path: str, **kwargs):
        return getattr(self.client, method.lower())(f"{API}{path}", headers=self.headers, **kwargs)

    def post_json(self, path: str, data: dict):
        return self.client.post(
            f"{API}{path}", data, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def tokens(users):
    """A valid token for each user of the ``users`` fixture, plus special cases."""
    result = {}
    for name in vars(users):
        _token, secret = token_create(actor=None, user=getattr(users, name), name="test")
        result[name] = secret
    return SimpleNamespace(**result)


@pytest.fixture
def nobody(tree):
    """A login in village A with no role (so without orgs.view_unit)."""
    return factories.user("nobody", tree.village_a)


@pytest.fixture
def bad_tokens(users):
    """Secrets that must not authenticate, by kind."""
    _t, revoked = token_create(actor=None, user=users.admin, name="revoked")
    token_revoke(actor=None, token=_t)
    expired_row, expired = token_create(
        actor=None,
        user=users.admin,
        name="expired",
        expires_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    expired_row.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    expired_row.save(update_fields=["expires_at"])
    _inactive_row, inactive = token_create(actor=None, user=users.leader, name="inactive")
    users.leader.is_active = False
    users.leader.save(update_fields=["is_active"])
    return {
        "garbage": "not-a-token",
        "unknown": "js_00000000_" + "x" * 43,
        "revoked": revoked,
        "expired": expired,
        "inactive_user": inactive,
    }


@pytest.fixture
def client_for(tokens):
    def make(name: str, language: str | None = None) -> ApiClient:
        return ApiClient(getattr(tokens, name), language=language)

    return make
