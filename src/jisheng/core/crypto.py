"""Field encryption at rest and keyed hashes for exact look-up.

The key comes from ``JISHENG_FIELD_KEY`` (a Fernet key: 32 url-safe base64 bytes) or is
generated once into ``var/field_key`` (mode 0600) — never in the repository. The hash key
for look-ups is derived from it, so an exact search by ID number is an index hit on a
keyed HMAC while the database holds no plain number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """The stored value cannot be decrypted with the configured keys."""


@lru_cache(maxsize=1)
def _keys() -> tuple[bytes, ...]:
    raw = settings.JISHENG_FIELD_KEYS
    return tuple(k.encode() if isinstance(k, str) else k for k in raw)


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return hashlib.sha256(b"jisheng-lookup-hash:" + base64.urlsafe_b64decode(_keys()[0])).digest()


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("cannot decrypt: wrong key or damaged value") from exc


def lookup_hash(value: str) -> str:
    """Keyed HMAC-SHA256 (hex) of a normalised value, for exact-match indexes."""
    if not value:
        return ""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def clear_caches() -> None:
    _keys.cache_clear()
    _fernet.cache_clear()
    _hash_key.cache_clear()
