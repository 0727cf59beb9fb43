"""What the benefits app's flow part plugs in: menu items, worklist sources, API router
(issue 18)."""

from __future__ import annotations


def register() -> None:
    """Filled by the flow part."""
