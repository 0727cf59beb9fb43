"""Issue 13 item 9: the client's address behind a reverse proxy (JISHENG_TRUSTED_PROXIES),
one function for the audit log and the log-in lockout (django-axes)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from jisheng.core.choices import AuditAction
from jisheng.core.clientip import client_ip, trusted_proxies
from jisheng.core.models import AuditEvent
from tests.factories import PASSWORD

LOGIN = "/login/"
PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.7"
CLIENT_B = "198.51.100.9"


def _ip(remote: str, xff: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_peer_is_the_client():
    assert settings.JISHENG_TRUSTED_PROXIES == []  # the default: nobody is believed
    assert _ip("127.0.0.1", "1.2.3.4") == "127.0.0.1"
    assert _ip(CLIENT_A) == CLIENT_A


@override_settings(JISHENG_TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"])
@pytest.mark.parametrize(
    ("remote", "xff", "expected"),
    [
        (PROXY, CLIENT_A, CLIENT_A),  # through the proxy
        ("127.0.0.1", f"{CLIENT_A}, 10.1.1.1", CLIENT_A),  # two trusted hops
        (PROXY, f"6.6.6.6, {CLIENT_A}", CLIENT_A),  # a forged left part is skipped
        (PROXY, "6.6.6.6, 10.9.9.9, 10.1.1.1", "6.6.6.6"),
        (PROXY, "10.9.9.9", "10.9.9.9"),  # only trusted hops: the left-most
        (PROXY, None, PROXY),  # no header
        (PROXY, "", PROXY),
        (PROXY, "not-an-ip", PROXY),  # garbage: stop at the last sound hop
        (PROXY, f"{CLIENT_A}, garbage", PROXY),
        (PROXY, f"{CLIENT_A}:5555", CLIENT_A),
        ("2001:db8::1", "[2001:db9::5]:443", "2001:db9::5"),
        ("::ffff:10.0.0.2", CLIENT_A, CLIENT_A),  # IPv4-mapped peer
        (CLIENT_B, CLIENT_A, CLIENT_B),  # spoofed header from an untrusted peer: ignored
        ("1.2.3.4", "10.0.0.5", "1.2.3.4"),
    ],
)
def test_forwarded_for_is_believed_only_from_a_trusted_peer(remote, xff, expected):
    assert _ip(remote, xff) == expected


def test_setting_is_read_once_and_checked():
    with override_settings(JISHENG_TRUSTED_PROXIES=["10.0.0.0/8"]):
        first = trusted_proxies()
        assert trusted_proxies() is first  # cached
    with (
        override_settings(JISHENG_TRUSTED_PROXIES=["10.0.0.0/33"]),
        pytest.raises(ImproperlyConfigured, match="JISHENG_TRUSTED_PROXIES"),
    ):
        trusted_proxies()
    assert trusted_proxies() == ()


def test_axes_and_the_audit_log_use_the_same_function():
    from axes.helpers import get_client_ip_address

    assert settings.AXES_CLIENT_IP_CALLABLE == "jisheng.core.clientip.client_ip"
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A)
    with override_settings(JISHENG_TRUSTED_PROXIES=[PROXY]):
        assert get_client_ip_address(request) == CLIENT_A


def _login(client, username, password, *, remote, xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_spoofed_forwarded_for_from_an_untrusted_peer_is_not_audited(client, users):
    _login(client, "field_a", "wrong-password-1", remote=CLIENT_B, xff="6.6.6.6")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.ip_address == CLIENT_B


@pytest.mark.django_db
@override_settings(JISHENG_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_through_a_trusted_proxy_the_client_is_audited(client, users):
    _login(client, "field_a", "wrong-password-1", remote=PROXY, xff=CLIENT_A)
    response = _login(client, "field_a", PASSWORD, remote=PROXY, xff=CLIENT_B)
    assert response.status_code == 302
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert failed.ip_address == CLIENT_A and login.ip_address == CLIENT_B


@pytest.mark.django_db
@override_settings(JISHENG_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_lockout_behind_a_proxy_locks_only_the_attackers_address(client, users):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "field_a", "wrong-password-1", remote=PROXY, xff=CLIENT_A)
    # the attacker is locked out, even with the right password
    locked = _login(client, "field_a", PASSWORD, remote=PROXY, xff=CLIENT_A)
    assert locked.status_code == 429
    # the owner, behind the same proxy from another address, still logs in
    client.cookies.clear()
    response = _login(client, "field_a", PASSWORD, remote=PROXY, xff=CLIENT_B)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_an_untrusted_peer_cannot_dodge_the_lockout_by_changing_the_header(client, users):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "field_a", "wrong", remote=CLIENT_A, xff=f"192.0.2.{attempt}")
    response = _login(client, "field_a", PASSWORD, remote=CLIENT_A, xff="192.0.2.99")
    assert response.status_code == 429
