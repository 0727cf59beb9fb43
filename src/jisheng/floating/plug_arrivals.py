"""What the floating app's arrivals part plugs in: menu items, grants, worklist sources,
indicators, API router, demo loader (issue 17)."""

from __future__ import annotations


def register() -> None:
    pass
