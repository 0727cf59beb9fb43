"""REST API of the commodities app (filled in by its part)."""

from ninja import Router

router = Router(tags=["commodities"])
