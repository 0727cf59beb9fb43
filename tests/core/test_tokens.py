"""API tokens: creation, hashing, authentication, revocation, audit, the command."""

from __future__ import annotations

import datetime
import hashlib
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from jisheng.core.models import ApiToken, AuditEvent
from jisheng.core.tokens import (
    LAST_USED_RESOLUTION,
    token_authenticate,
    token_create,
    token_get_by_prefix,
    token_list,
    token_revoke,
    token_status,
)

SECRET_RE = re.compile(r"^js_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")


# --- create ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_returns_the_secret_once_and_stores_a_digest(users):
    token, secret = token_create(actor=users.admin, user=users.field_a, name="手机")
    assert SECRET_RE.match(secret)
    assert secret.split("_")[1] == token.prefix
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(
        str(v) for v in ApiToken.objects.filter(pk=token.pk).values().first().values()
    )
    assert secret not in stored
    assert secret[len("js_") + 9 :] not in stored
    assert token.user == users.field_a and token.name == "手机"
    assert token.revoked_at is None
    # no expiry asked for: the default lifetime, 90 days
    expected = timezone.now() + datetime.timedelta(days=90)
    assert abs((token.expires_at - expected).total_seconds()) < 60


@pytest.mark.django_db
def test_secrets_and_prefixes_are_unique(users):
    made = [token_create(actor=None, user=users.field_a) for _ in range(20)]
    assert len({secret for _t, secret in made}) == 20
    assert len({token.prefix for token, _s in made}) == 20


@pytest.mark.django_db
def test_create_is_audited_without_the_secret(users):
    token, secret = token_create(actor=users.admin, user=users.field_a, name="x")
    event = AuditEvent.objects.get(action="token", object_id=str(token.pk))
    assert event.user_id == users.admin.pk
    assert event.object_type == "core.apitoken"
    assert event.changes["user"] == [None, "field_a"]
    assert secret not in f"{event.changes}{event.message}{event.object_repr}"


@pytest.mark.django_db
def test_create_refuses_bad_values(users):
    with pytest.raises(ValidationError) as exc:
        token_create(
            actor=None,
            user=users.field_a,
            expires_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    assert "expires_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        token_create(actor=None, user=users.field_a, name="x" * 101)
    assert "name" in exc.value.message_dict
    users.field_b.is_active = False
    users.field_b.save()
    with pytest.raises(ValidationError):
        token_create(actor=None, user=users.field_b)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("field_a", "field_a", True),  # one's own token
        ("admin", "field_a", True),  # change_user, target in scope
        ("field_b", "field_a", False),  # no change_user
        ("town_office", "field_a", False),  # office: view_user only
        ("leader", "admin", False),
    ],
)
def test_who_may_create_and_revoke(users, actor, target, allowed):
    actor_user, target_user = getattr(users, actor), getattr(users, target)
    if allowed:
        token, _secret = token_create(actor=actor_user, user=target_user)
        token_revoke(actor=actor_user, token=token)
        assert token.revoked_at is not None
    else:
        with pytest.raises(PermissionDenied):
            token_create(actor=actor_user, user=target_user)
        token, _secret = token_create(actor=None, user=target_user)
        with pytest.raises(PermissionDenied):
            token_revoke(actor=actor_user, token=token)
        token.refresh_from_db()
        assert token.revoked_at is None


@pytest.mark.django_db
def test_admin_cannot_manage_tokens_outside_scope(tree, users):
    from tests import factories

    town_admin = factories.user("town_admin", tree.town, "admin")
    with pytest.raises(PermissionDenied):
        token_create(actor=town_admin, user=users.admin)
    token, _ = token_create(actor=town_admin, user=users.field_a)
    assert token.user == users.field_a


# --- authenticate ------------------------------------------------------------------------


@pytest.mark.django_db
def test_authenticate_good_secret(users):
    _token, secret = token_create(actor=None, user=users.field_a)
    user = token_authenticate(secret)
    assert user == users.field_a
    assert user.unit == users.field_a.unit


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # one character changed
        lambda s: s[:-1],
        lambda s: s + "x",
        lambda s: s.upper(),
        lambda s: s.replace("js_", "xx_", 1),
        lambda s: "",
        lambda s: "js_" + "a" * 500,
        lambda s: hashlib.sha256(s.encode()).hexdigest(),  # the stored digest itself
    ],
)
def test_authenticate_rejects_other_strings(users, mangle):
    _token, secret = token_create(actor=None, user=users.field_a)
    assert token_authenticate(mangle(secret)) is None


@pytest.mark.django_db
def test_revoked_token_is_rejected_and_revocation_audited(users):
    token, secret = token_create(actor=None, user=users.field_a)
    token_revoke(actor=users.admin, token=token)
    assert token_authenticate(secret) is None
    assert token_status(token) == "revoked"
    event = AuditEvent.objects.filter(action="token", object_id=str(token.pk)).first()
    assert "revoked_at" in event.changes and event.user_id == users.admin.pk
    # revoking again changes nothing and writes nothing
    count = AuditEvent.objects.count()
    first = token.revoked_at
    token_revoke(actor=users.admin, token=token)
    assert token.revoked_at == first and AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_expired_token_is_rejected(users):
    token, secret = token_create(
        actor=None, user=users.field_a, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert token_authenticate(secret) == users.field_a
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert token_authenticate(secret) is None
    token.refresh_from_db()
    assert token_status(token) == "expired"


@pytest.mark.django_db
def test_inactive_user_is_rejected(users):
    _token, secret = token_create(actor=None, user=users.field_a)
    users.field_a.is_active = False
    users.field_a.save(update_fields=["is_active"])
    assert token_authenticate(secret) is None


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(users):
    token, secret = token_create(actor=None, user=users.field_a)
    assert token.last_used_at is None
    token_authenticate(secret)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: not rewritten
    older = timezone.now() - LAST_USED_RESOLUTION - datetime.timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=older)
    token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at > older + datetime.timedelta(seconds=30)


@pytest.mark.django_db
def test_authentication_within_the_minute_does_not_write(users, django_assert_num_queries):
    _token, secret = token_create(actor=None, user=users.field_a)
    token_authenticate(secret)
    with django_assert_num_queries(1):  # the lookup only
        token_authenticate(secret)


@pytest.mark.django_db
def test_lookup_by_prefix_and_list(users):
    token, secret = token_create(actor=None, user=users.field_a)
    other, _ = token_create(actor=None, user=users.field_a)
    token_create(actor=None, user=users.field_b)
    assert token_get_by_prefix(token.prefix) == token
    assert token_get_by_prefix(secret) == token  # a whole secret names its prefix
    assert token_get_by_prefix(f"js_{token.prefix}") == token
    with pytest.raises(ApiToken.DoesNotExist):
        token_get_by_prefix("zzzzzzzz")
    assert list(token_list(user=users.field_a)) == [other, token]


# --- jisheng token -----------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_command_create_prints_a_working_token_once(users):
    out, err = run("create", "field_a", "--name", "脚本")
    secret = out.strip()
    assert SECRET_RE.match(secret)
    assert token_authenticate(secret) == users.field_a
    token = ApiToken.objects.get(user=users.field_a)
    assert token.name == "脚本"
    expected = timezone.now() + datetime.timedelta(days=90)  # the default lifetime
    assert abs((token.expires_at - expected).total_seconds()) < 60
    assert token.prefix in err and secret not in err


@pytest.mark.django_db
def test_command_create_with_days(users):
    out, _err = run("create", "field_a", "--days", "7")
    token = ApiToken.objects.get(user=users.field_a)
    expected = timezone.now() + datetime.timedelta(days=7)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    assert token_authenticate(out.strip()) == users.field_a


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ("create", "no-such-user"),
        ("create", "field_a", "--days", "0"),
        ("create", "field_a", "--days", "-3"),
        ("create", "field_a", "--days", "99999"),
        ("create", "field_a", "--days", "366"),
        ("create", "field_a", "--name", "x" * 101),
        ("list", "no-such-user"),
        ("revoke", "deadbeef"),
    ],
)
def test_command_errors(users, args):
    with pytest.raises(CommandError):
        run(*args)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_command_list_shows_tokens_but_no_secret(users):
    out1, _ = run("create", "field_a", "--name", "甲")
    token = ApiToken.objects.get(user=users.field_a)
    token_revoke(actor=None, token=token)
    out2, _ = run("create", "field_a", "--name", "乙", "--days", "3")
    listing, _ = run("list", "field_a")
    lines = listing.strip().splitlines()
    assert len(lines) == 3  # header and two tokens
    assert out1.strip() not in listing and out2.strip() not in listing
    assert "revoked" in lines[2] and "甲" in lines[2]
    assert "active" in lines[1] and "乙" in lines[1]
    empty, _ = run("list", "field_b")
    assert "field_b" in empty and len(empty.strip().splitlines()) == 1


@pytest.mark.django_db
def test_command_revoke(users):
    out, _ = run("create", "field_a")
    secret = out.strip()
    prefix = secret.split("_")[1]
    said, _ = run("revoke", prefix)
    assert prefix in said
    assert token_authenticate(secret) is None
    again, _ = run("revoke", prefix)
    assert prefix in again
    assert AuditEvent.objects.filter(action="token").count() == 2  # create, revoke


@pytest.mark.django_db
def test_command_requires_an_action(users):
    with pytest.raises(CommandError):
        run()
