"""Context shared by every page: site title, working unit, module menu."""

from __future__ import annotations

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.functional import SimpleLazyObject

from jisheng.core.menu import menu_for

UNIT_SELECTOR_TEMPLATE = "orgs/_unit_selector.html"


_found: set[str] = set()


def _template_exists(name: str) -> bool:
    """Whether an optional template is installed (remembered once found)."""
    if name in _found:
        return True
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    _found.add(name)
    return True


def shell(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "site_title": settings.JISHENG_SITE_TITLE,
        "working_unit": getattr(request, "working_unit", None),
        "menu": SimpleLazyObject(lambda: menu_for(user, request.path)),
        "has_unit_selector": (
            getattr(user, "is_authenticated", False) and _template_exists(UNIT_SELECTOR_TEMPLATE)
        ),
    }
