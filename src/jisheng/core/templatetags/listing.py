"""Tags of the list pages (core/_list.html)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def filters_beyond_first(form: Any) -> bool:
    """Whether a filter other than the first (the search box) has a value: the list page
    then shows the folded filters open on a phone."""
    if not getattr(form, "is_bound", False):
        return False
    for field in list(form.visible_fields())[1:]:
        value = form.data.get(field.html_name) if hasattr(form.data, "get") else None
        if value not in (None, "", []):
            return True
    return False
