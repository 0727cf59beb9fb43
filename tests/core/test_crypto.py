"""Field encryption (Fernet, with key rotation) and keyed look-up hashes."""

import base64

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from jisheng.core import crypto

NUMBER = "11010519900517002X"


def new_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def fresh_caches():
    """Keys are cached; start and end every test with the configured ones."""
    crypto.clear_caches()
    yield
    crypto.clear_caches()


def with_keys(*keys: str):
    """Settings with these keys (first one encrypts), caches cleared."""
    override = override_settings(JISHENG_FIELD_KEYS=list(keys))
    override.enable()
    crypto.clear_caches()
    return override


def test_round_trip():
    token = crypto.encrypt(NUMBER)
    assert token != NUMBER
    assert NUMBER not in token
    assert crypto.decrypt(token) == NUMBER


def test_unicode_round_trip():
    assert crypto.decrypt(crypto.encrypt("北京市某街道 1 号")) == "北京市某街道 1 号"


def test_empty_stays_empty():
    assert crypto.encrypt("") == ""
    assert crypto.decrypt("") == ""
    assert crypto.lookup_hash("") == ""


def test_same_value_gives_different_ciphertexts():
    first, second = crypto.encrypt(NUMBER), crypto.encrypt(NUMBER)
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == NUMBER


def test_lookup_hash_is_stable_hex_and_distinguishes_values():
    digest = crypto.lookup_hash(NUMBER)
    assert digest == crypto.lookup_hash(NUMBER)
    assert len(digest) == 64
    int(digest, 16)  # hexadecimal
    assert NUMBER not in digest
    assert crypto.lookup_hash("110105199005170021") != digest


def test_lookup_hash_is_keyed():
    with override_settings(JISHENG_LOOKUP_KEY="key-a"):
        under_a = crypto.lookup_hash(NUMBER)
    with override_settings(JISHENG_LOOKUP_KEY="key-b"):
        under_b = crypto.lookup_hash(NUMBER)
    assert under_a != under_b
    # and it is not a plain (unkeyed) SHA-256 of the number
    import hashlib

    assert hashlib.sha256(NUMBER.encode()).hexdigest() not in (under_a, under_b)


def test_same_key_gives_the_same_hash_after_clearing_caches():
    key = new_key()
    override = with_keys(key)
    try:
        first = crypto.lookup_hash(NUMBER)
        crypto.clear_caches()
        assert crypto.lookup_hash(NUMBER) == first
    finally:
        override.disable()


def test_key_rotation_keeps_lookup_hashes():
    """Rotating the encryption keys must not break exact look-ups by ID number."""
    override = with_keys(new_key())
    try:
        before = crypto.lookup_hash(NUMBER)
    finally:
        override.disable()
    override = with_keys(new_key())
    try:
        assert crypto.lookup_hash(NUMBER) == before
    finally:
        override.disable()


def test_key_rotation_old_values_still_decrypt():
    old, new = new_key(), new_key()
    override = with_keys(old)
    try:
        token_old = crypto.encrypt(NUMBER)
    finally:
        override.disable()
    # The new key is put first; the old one stays for reading.
    override = with_keys(new, old)
    try:
        assert crypto.decrypt(token_old) == NUMBER
        token_new = crypto.encrypt(NUMBER)
    finally:
        override.disable()
    # New values are written with the new key only.
    override = with_keys(new)
    try:
        assert crypto.decrypt(token_new) == NUMBER
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token_old)
    finally:
        override.disable()


def test_wrong_key_cannot_decrypt():
    token = crypto.encrypt(NUMBER)
    override = with_keys(new_key())
    try:
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token)
    finally:
        override.disable()


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"),  # changed signature
        lambda t: t[:20],  # truncated
        lambda t: t[:30] + ("x" if t[30] != "x" else "y") + t[31:],  # one byte changed
        lambda t: "not-a-token",
        lambda t: base64.urlsafe_b64encode(b"\x80" + bytes(range(73))).decode(),  # forged
    ],
)
def test_damaged_token_raises_decryption_error(damage):
    token = crypto.encrypt(NUMBER)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(damage(token))
