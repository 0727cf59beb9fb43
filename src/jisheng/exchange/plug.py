"""What the exchange app plugs in: menu items, grants, worklist sources, indicators, API
router, the notification hooks (issue 17)."""

from __future__ import annotations


def register() -> None:
    pass
