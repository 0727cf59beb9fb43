"""Template filters for Chinese printed documents.

``{{ day|cn_date }}`` → ``2026年11月23日`` (no leading zeros), the one style of dates on
every page and print (ISO only in inputs and exports); ``{{ at|cn_datetime }}`` →
``2026年11月23日 14:05``. Datetimes are shown in local time. Both are template builtins
(settings ``TEMPLATES``): no ``{% load %}`` needed.
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


def format_cn_datetime(value: datetime.datetime | None, seconds: bool = False) -> str:
    """``2026年11月23日 14:05`` (local time; ``:07`` more with ``seconds``); a date alone
    as :func:`format_cn_date`; ``""`` for nothing."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.datetime):
        return format_cn_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    clock = value.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{format_cn_date(value.date())} {clock}"


@register.filter
def cn_date(value: datetime.date | datetime.datetime | str | None) -> str:
    return format_cn_date(value)


@register.filter
def cn_datetime(value: datetime.datetime | None, arg: str = "") -> str:
    """``{{ at|cn_datetime }}`` → 2026年11月23日 14:05; ``{{ at|cn_datetime:"s" }}`` with
    the seconds."""
    return format_cn_datetime(value, seconds=arg == "s")
