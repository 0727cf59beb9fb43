"""What the benefits app's eligibility part plugs in: menu items, worklist sources, API router
(issue 18)."""

from __future__ import annotations


def register() -> None:
    """Filled by the eligibility part."""
