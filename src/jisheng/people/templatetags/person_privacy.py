"""Birth dates and ages on pages, as the reader may see them (``people.privacy``).

``{% load person_privacy %}`` then ``{% birth_shown person.birth_date %}`` →
``1990年5月17日`` for a reader with ``people.view_full_id``, ``1990年5月`` for the others
(``{% birth_shown person.birth_date "iso" %}``: ``1990-05-17`` / ``1990年5月``);
``{% age_shown person.birth_date %}`` → the age (counted from the birth month for the
others). The reader is the request's user; without one the date is restricted.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone

from jisheng.core.templatetags.cn import format_cn_date
from jisheng.people import privacy

register = template.Library()


def _full(context: Any) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    return privacy.sees_full_birth(user)


@register.simple_tag(takes_context=True)
def birth_shown(context: Any, value: datetime.date | None, fmt: str = "cn") -> str:
    if not value:
        return ""
    if not _full(context):
        return privacy.birth_month_cn(value)
    return format_cn_date(value) if fmt == "cn" else value.isoformat()


@register.simple_tag(takes_context=True)
def age_shown(context: Any, value: datetime.date | None) -> Any:
    if not value:
        return ""
    return privacy.shown_age(value, timezone.localdate(), full=_full(context))
