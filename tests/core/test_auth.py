"""Log in, log out, failed log-ins, lockout, password change and session expiry."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from tests.factories import PASSWORD

LOGIN = "/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_login_page_is_chinese_by_default_and_phone_ready(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert 'name="viewport"' in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html
    # no left menu for anonymous visitors
    assert 'id="js-sidebar"' not in html


def test_login_success_redirects_home_and_is_audited(client, users):
    response = _login(client, "field_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _logged_in(client)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.user_id == users.field_a.pk
    assert event.username == "field_a"
    assert event.unit_code == "990100001001"
    assert event.ip_address == "127.0.0.1"


def test_login_honours_next(client, users):
    response = client.post(
        LOGIN + "?next=/audit/", {"username": "auditor", "password": PASSWORD, "next": "/audit/"}
    )
    assert response["Location"] == "/audit/"


def test_failed_login_is_audited_without_password(client, users):
    response = _login(client, "field_a", "wrong-password-1")
    assert response.status_code == 200
    assert not _logged_in(client)
    assert response.context["form"].non_field_errors()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.username == "field_a"
    assert event.user_id is None
    # the attacked account is the object, so its unit's auditors see the attempt
    assert event.object_type == "orgs.user"
    assert event.object_id == str(users.field_a.pk)
    assert event.object_scope_path == users.field_a.unit.path
    assert "wrong-password-1" not in str(event.changes) + event.message


def test_failed_login_of_unknown_username_is_audited(client, db):
    _login(client, "nobody", "whatever-123")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.username == "nobody"
    assert event.object_type == ""


def test_logout_is_post_only_and_audited(client, users):
    _login(client, "office", PASSWORD)
    assert client.get("/logout/").status_code == 405
    assert _logged_in(client)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not _logged_in(client)
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.username == "office"
    assert event.user_id == users.office.pk


def test_logout_without_session_records_nothing(client, db):
    client.post("/logout/")
    assert not AuditEvent.objects.filter(action=AuditAction.LOGOUT).exists()


def test_lockout_after_five_failures_refuses_the_right_password(client, users):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "field_a", "wrong-password-1")
    response = _login(client, "field_a", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert 'data-testid="cooloff"' in response.content.decode()
    assert response.context["cooloff_timedelta"] == datetime.timedelta(minutes=30)
    # every refused attempt is in the audit log
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username="field_a").count() == 6
    )


def test_lockout_page_says_when_to_try_again(client, users):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "field_a", "wrong-password-1")
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.post(LOGIN, {"username": "field_a", "password": PASSWORD})
    html = response.content.decode()
    match = re.search(r'data-testid="cooloff">(.*?)</p>', html, re.S)
    assert match is not None
    assert "Try again in 30 minutes" in " ".join(match.group(1).split())


def test_lockout_is_per_username(client, users):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "field_a", "wrong-password-1")
    response = _login(client, "field_b", PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_four_failures_do_not_lock(client, users):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "field_a", "wrong-password-1")
    assert _login(client, "field_a", PASSWORD).status_code == 302


def test_logged_in_user_visiting_login_goes_home(client, users):
    client.force_login(users.office)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# --- password change ------------------------------------------------------------------

NEW_PASSWORD = "Another-pass-2027?"


def test_password_change_requires_login(client, db):
    response = client.get("/password/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_happy_path(client, users):
    client.force_login(users.field_a)
    assert client.get("/password/").status_code == 200
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    users.field_a.refresh_from_db()
    assert users.field_a.check_password(NEW_PASSWORD)
    assert _logged_in(client)  # the session survives the change
    assert client.get(reverse("password_change_done")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(users.field_a.pk))
    assert event.changes == {"password": ["***", "***"]}
    assert NEW_PASSWORD not in str(event.changes)


@pytest.mark.parametrize(
    ("old", "new1", "new2", "field"),
    [
        ("wrong-old-pass", NEW_PASSWORD, NEW_PASSWORD, "old_password"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "new_password2"),
        (PASSWORD, "12345678", "12345678", "new_password2"),
        (PASSWORD, "abc", "abc", "new_password2"),
    ],
    ids=["wrong-old", "mismatch", "numeric", "too-short"],
)
def test_password_change_bad_input(client, users, old, new1, new2, field):
    client.force_login(users.field_a)
    response = client.post(
        "/password/", {"old_password": old, "new_password1": new1, "new_password2": new2}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    users.field_a.refresh_from_db()
    assert users.field_a.check_password(PASSWORD)


# --- sessions -----------------------------------------------------------------------------


def test_session_settings_expire_idle_sessions_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_session_cookie_is_a_browser_session_cookie(client, users):
    response = _login(client, "office", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""  # ends when the browser closes
    assert cookie["httponly"]


def test_expired_session_redirects_to_login(client, users):
    _login(client, "office", PASSWORD)
    assert client.get("/").status_code == 200
    # eight idle hours later the stored session has expired
    Session.objects.all().update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_each_request_renews_the_session(client, users):
    _login(client, "office", PASSWORD)
    soon = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.all().update(expire_date=soon)
    client.get("/")
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + datetime.timedelta(hours=7)
