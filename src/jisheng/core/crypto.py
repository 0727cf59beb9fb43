"""Field encryption at rest and keyed hashes for exact look-up.

The encryption keys come from ``JISHENG_FIELD_KEYS`` (Fernet keys, the first encrypts, all
decrypt) or ``var/field_key`` (mode 0600) — never from the repository. Look-ups use a
keyed HMAC with a separate key (``JISHENG_LOOKUP_KEY`` or ``var/lookup_key``), so an exact
search by ID number is an index hit while the database holds no plain number, and
rotating the encryption keys keeps the hashes valid. A key is generated only while the
database is empty, and a missing or different key is refused
(:mod:`jisheng.core.keycheck`).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed


class DecryptionError(Exception):
    """The stored value cannot be decrypted with the configured keys."""


@lru_cache(maxsize=1)
def _keys() -> tuple[bytes, ...]:
    raw = settings.JISHENG_FIELD_KEYS
    if not raw:  # no key configured: generated for an empty database, else refused
        from jisheng.core import keycheck

        raw = keycheck.field_keys(generate=True)
    return tuple(k.encode() if isinstance(k, str) else k for k in raw)


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    """The look-up hash key: its own setting, so rotating the encryption keys leaves
    every stored hash valid."""
    raw = settings.JISHENG_LOOKUP_KEY
    if not raw:  # as for the field keys
        from jisheng.core import keycheck

        raw = keycheck.lookup_key(generate=True)
    return derive_hash_key(raw)


def derive_hash_key(raw: str | bytes) -> bytes:
    """The HMAC key of the look-up hashes, derived from the configured look-up key."""
    return hashlib.sha256(
        b"jisheng-lookup-hash:" + (raw.encode() if isinstance(raw, str) else raw)
    ).digest()


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


def lookup_hash_with(raw_key: str | bytes, value: str) -> str:
    """:func:`lookup_hash` under another look-up key (checking a key before use)."""
    if not value:
        return ""
    return hmac.new(derive_hash_key(raw_key), value.encode(), hashlib.sha256).hexdigest()


def clear_caches(**kwargs: object) -> None:
    _keys.cache_clear()
    _fernet.cache_clear()
    _hash_key.cache_clear()
    from jisheng.core import keycheck

    keycheck.clear_cache()


def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    if setting in ("JISHENG_FIELD_KEYS", "JISHENG_LOOKUP_KEY"):
        clear_caches()


setting_changed.connect(_on_setting_changed, dispatch_uid="jisheng.crypto.keys")
