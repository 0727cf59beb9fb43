"""What the floating app's outflows part plugs in: menu items, grants, worklist sources,
indicators, API router, demo loader (issue 17)."""

from __future__ import annotations


def register() -> None:
    pass
