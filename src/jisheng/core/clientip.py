"""The client's IP address, for the audit log and the log-in lockout alike.

Behind a reverse proxy every request comes from the proxy, so the direct peer
(``REMOTE_ADDR``) says nothing about the client. ``JISHENG_TRUSTED_PROXIES`` lists the
proxies (addresses or networks) whose ``X-Forwarded-For`` is believed: only when the
direct peer is one of them is the header read, from right to left, skipping the trusted
proxies it names, and the first address that is not a trusted proxy is the client. A
header sent by anyone else is ignored, so a client cannot choose the address it is
audited and locked out under. Empty (the default): the direct peer is the client.

:func:`client_ip` is the one function that answers; the audit log
(``RequestContextMiddleware``) and django-axes (``AXES_CLIENT_IP_CALLABLE``) both call it.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Hops read from X-Forwarded-For at most (a longer header is cut from the left).
MAX_HOPS = 20


@functools.cache
def trusted_proxies() -> tuple[IPNetwork, ...]:
    """``JISHENG_TRUSTED_PROXIES`` parsed once (a setting change in tests clears it)."""
    value = settings.JISHENG_TRUSTED_PROXIES or []
    if isinstance(value, str):
        value = [item for item in value.split(",")]
    networks = []
    for item in value:
        text = str(item).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"JISHENG_TRUSTED_PROXIES: {text!r} 不是 IP 地址或网段 "
                "(not an IP address or network, e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from exc
    return tuple(networks)


@receiver(setting_changed)
def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "JISHENG_TRUSTED_PROXIES":
        trusted_proxies.cache_clear()


def _address(text: str) -> IPAddress | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.5:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: Any) -> str | None:
    """The client's address: the direct peer, or — when the peer is a trusted proxy —
    the right-most address of ``X-Forwarded-For`` that is not a trusted proxy."""
    meta = getattr(request, "META", None) or {}
    peer = _address(str(meta.get("REMOTE_ADDR") or ""))
    if peer is None:
        return None
    networks = trusted_proxies()
    if not networks or not _trusted(peer, networks):
        return str(peer)
    header = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    client = peer
    for hop in reversed(header.split(",")[-MAX_HOPS:]):
        if not hop.strip():
            continue
        address = _address(hop)
        if address is None:  # garbage in the header: stop at the last sound hop
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
