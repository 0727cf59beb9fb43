"""This system's Ed25519 signing key and the canonical form of a message (issue 17).

The private key lives in ``settings.JISHENG_EXCHANGE_KEY_FILE`` (``var/exchange_key``,
mode 0600, base64 of the 32-byte seed), generated on first use and never committed; the
public key goes to the other systems as a file (``jisheng exchange key --out FILE``:
``{"instance", "name", "public_key"}``) that they import as a :class:`PeerKey`.

A message is signed over its canonical JSON: the message without ``signature``, keys
sorted, no spaces, UTF-8 (``ensure_ascii`` off).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.signals import setting_changed

from jisheng.exchange.types import Message


def canonical(message: Message) -> bytes:
    """The bytes a signature covers: ``message`` without ``signature``, sorted keys, no
    spaces, UTF-8."""
    body = {k: v for k, v in message.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@lru_cache(maxsize=4)
def _private_key(path: str) -> Ed25519PrivateKey:
    from jisheng.settings.env import write_private

    file = Path(path)
    if not file.exists():
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        file.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process was first
            write_private(file, base64.b64encode(seed).decode() + "\n")
    seed = base64.b64decode(file.read_text().strip())
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key() -> Ed25519PrivateKey:
    """This system's signing key (generated into the var dir on first use)."""
    return _private_key(settings.JISHENG_EXCHANGE_KEY_FILE)


def public_key_text(key: Ed25519PublicKey | None = None) -> str:
    """Base64 of the 32 raw bytes of this system's public key (or of ``key``)."""
    key = key or private_key().public_key()
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def sign(message: Message) -> str:
    """Base64 of the Ed25519 signature of ``message``'s canonical JSON."""
    return base64.b64encode(private_key().sign(canonical(message))).decode()


@lru_cache(maxsize=64)
def load_public_key(text: str) -> Ed25519PublicKey:
    """The public key of a key file's ``public_key`` (ValueError when it is not one)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64") from exc
    if len(raw) != 32:
        raise ValueError("not 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(message: Message, public_key: Ed25519PublicKey) -> bool:
    """Whether ``message["signature"]`` is ``public_key``'s signature of its canonical
    JSON."""
    signature = message.get("signature")
    if not isinstance(signature, str):
        return False
    try:
        public_key.verify(base64.b64decode(signature, validate=True), canonical(message))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    if setting in ("JISHENG_EXCHANGE_KEY_FILE", "VAR_DIR"):
        _private_key.cache_clear()


setting_changed.connect(_on_setting_changed)
