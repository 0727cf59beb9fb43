"""Issue 13 item 10: tokens expire (default 90 days, at most one year; old tokens without
an expiry are held to it) and end when the password changes or the user is deactivated."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jisheng.core.models import ApiToken, AuditEvent
from jisheng.core.tokens import (
    LEGACY_DEADLINE,
    token_authenticate,
    token_create,
    token_digest,
    token_expiry,
    token_status,
)

pytestmark = pytest.mark.django_db


def _legacy_token(user, *, created_at=None, expires_at=None) -> tuple[ApiToken, str]:
    """A token as the system made them before expiry was compulsory."""
    secret = "js_0123abcd_" + "x" * 43
    token = ApiToken.objects.create(
        user=user, prefix="0123abcd", digest=token_digest(secret), expires_at=expires_at
    )
    if created_at is not None:
        ApiToken.objects.filter(pk=token.pk).update(created_at=created_at)
        token.refresh_from_db()
    return token, secret


# --- lifetime ----------------------------------------------------------------------------


def test_longest_lifetime_is_one_year(users):
    now = timezone.now()
    token, _ = token_create(
        actor=None, user=users.field_a, expires_at=now + datetime.timedelta(days=365)
    )
    assert token_status(token) == "active"
    with pytest.raises(ValidationError) as exc:
        token_create(actor=None, user=users.field_a, expires_at=now + datetime.timedelta(days=366))
    assert "365" in exc.value.message_dict["expires_at"][0]
    assert ApiToken.objects.count() == 1


def test_api_log_in_token_is_capped_at_one_year(client, users, settings):
    settings.JISHENG_API_TOKEN_DAYS = 5000
    users.field_a.set_password("Str0ng-pass!")
    users.field_a.save()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "field_a", "password": "Str0ng-pass!"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get(user=users.field_a, revoked_at__isnull=True)
    assert 364 <= (token.expires_at - timezone.now()).days <= 365


def test_old_token_without_expiry_ends_on_the_deadline(users):
    token, secret = _legacy_token(users.field_a)
    assert token.expires_at is None
    assert token_authenticate(secret) == users.field_a  # made today: still usable
    assert token_expiry(token) <= LEGACY_DEADLINE
    assert LEGACY_DEADLINE - timezone.now() <= datetime.timedelta(days=91)
    assert token_status(token, now=LEGACY_DEADLINE + datetime.timedelta(seconds=1)) == "expired"
    assert token_status(token, now=LEGACY_DEADLINE - datetime.timedelta(days=1)) == "active"


def test_old_token_older_than_a_year_is_expired(users):
    created = timezone.now() - datetime.timedelta(days=400)
    token, secret = _legacy_token(users.field_a, created_at=created)
    assert token_status(token) == "expired"
    assert token_authenticate(secret) is None


def test_old_token_with_a_ten_year_expiry_ends_a_year_after_it_was_made(users):
    created = timezone.now() - datetime.timedelta(days=366)
    token, secret = _legacy_token(
        users.field_a, created_at=created, expires_at=created + datetime.timedelta(days=3650)
    )
    assert token_expiry(token) == created + datetime.timedelta(days=365)
    assert token_authenticate(secret) is None


# --- the password changes ----------------------------------------------------------------


def _live(user) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()


def test_set_password_and_save_ends_the_tokens(users):
    _, secret = token_create(actor=None, user=users.field_a)
    token_create(actor=None, user=users.field_a)
    _, other = token_create(actor=None, user=users.field_b)
    users.field_a.set_password("An0ther-pass!")
    users.field_a.save()
    assert _live(users.field_a) == 0
    assert token_authenticate(secret) is None
    assert token_authenticate(other) == users.field_b  # only that user's tokens
    events = AuditEvent.objects.filter(action="token", changes__has_key="revoked_at")
    assert events.count() == 2 and {e.username for e in events} == {"system"}


def test_set_password_saved_with_update_fields_ends_the_tokens(users):
    _, secret = token_create(actor=None, user=users.field_a)
    users.field_a.set_password("An0ther-pass!")
    users.field_a.save(update_fields=["password"])
    assert token_authenticate(secret) is None


def test_unusable_password_ends_the_tokens(users):
    _, secret = token_create(actor=None, user=users.field_a)
    users.field_a.set_unusable_password()
    users.field_a.save()
    assert token_authenticate(secret) is None


def test_password_change_page_ends_the_tokens(client, users):
    users.field_a.set_password("Old-pass-2026!")
    users.field_a.save()
    _, secret = token_create(actor=None, user=users.field_a)
    client.force_login(users.field_a)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Old-pass-2026!",
            "new_password1": "New-pass-2026!",
            "new_password2": "New-pass-2026!",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert token_authenticate(secret) is None


def test_rehash_of_the_same_password_at_log_in_keeps_the_tokens(users):
    users.field_a.set_password("Same-pass-2026!")
    users.field_a.save()
    _, secret = token_create(actor=None, user=users.field_a)
    # what AbstractBaseUser.check_password's setter does when the hasher's settings changed
    user = type(users.field_a).objects.get(pk=users.field_a.pk)
    user.set_password("Same-pass-2026!")
    user._password = None
    user.save(update_fields=["password"])
    assert token_authenticate(secret) == users.field_a


def test_other_saves_keep_the_tokens_and_cost_no_query(users, django_assert_num_queries):
    _, secret = token_create(actor=None, user=users.field_a)
    users.field_a.full_name = "新名字"
    users.field_a.save()
    assert token_authenticate(secret) == users.field_a
    with django_assert_num_queries(1):  # the UPDATE only: no look-up of the old row
        users.field_a.last_login = timezone.now()
        users.field_a.save(update_fields=["last_login"])


# --- the user is deactivated -------------------------------------------------------------


def test_deactivation_ends_the_tokens_and_reactivation_does_not_revive_them(users):
    _, secret = token_create(actor=None, user=users.field_a)
    users.field_a.is_active = False
    users.field_a.save()
    assert _live(users.field_a) == 0
    users.field_a.is_active = True
    users.field_a.save()
    assert token_authenticate(secret) is None
    assert AuditEvent.objects.filter(action="token", changes__has_key="revoked_at").count() == 1


def test_setting_default_days_is_ninety():
    from jisheng.core import tokens

    assert tokens.DEFAULT_DAYS == 90 and tokens.MAX_DAYS == 365
    assert settings.JISHENG_API_TOKEN_DAYS <= tokens.MAX_DAYS


def test_user_page_shows_when_an_old_token_ends(client, users):
    token, _secret = _legacy_token(users.field_a)
    client.force_login(users.field_a)
    page = client.get(reverse("orgs:user_detail", args=[users.field_a.pk])).content.decode()
    assert token.prefix in page
    assert "2027年3月7日" in page  # not "never"
