"""Tests' helper: a registry store (``jisheng.core.registry``) replaced for a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jisheng.core.registry import registry


@contextmanager
def replaced_store(name: str, contents: Any) -> Iterator[Any]:
    """Empty the store ``name`` and fill it with ``contents`` (a dict or a list) for the
    block, then put back what it held (the store object stays the same: the apps' views
    of it, e.g. ``engine.POPULATIONS``, see the change)."""
    store = registry[name]
    saved = store.copy()
    store.clear()
    store.update(contents) if isinstance(store, dict) else store.extend(contents)
    try:
        yield store
    finally:
        store.clear()
        store.update(saved) if isinstance(store, dict) else store.extend(saved)
