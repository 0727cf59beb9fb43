"""Template filters for Chinese printed documents.

``{{ day|cn_date }}`` → ``2026年11月23日`` (no leading zeros), the form dates take on
printed cards, clearances and certificates. Datetimes are shown in local time.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


def format_cn_date(value: datetime.date | datetime.datetime | str | None) -> str:
    """``2026年11月23日`` for a date, a datetime or an ISO date string; ``""`` for nothing.

    Anything else is returned as text, unchanged.
    """
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if not isinstance(value, datetime.date):
        return str(value)
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_date(value: datetime.date | datetime.datetime | str | None) -> str:
    return format_cn_date(value)
