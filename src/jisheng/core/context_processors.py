"""Context shared by every page: the working unit and the module menu."""

from __future__ import annotations

from django.conf import settings


def shell(request) -> dict:
    return {
        "site_title": settings.JISHENG_SITE_TITLE,
        "working_unit": getattr(request, "working_unit", None),
    }
