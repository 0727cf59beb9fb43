"""Page-number pagination: ``?page=&page_size=`` → ``{items, count, page, page_size}``.

``page`` starts at 1. ``page_size`` defaults to ``settings.JISHENG_PAGE_SIZE`` and may be
at most ``settings.JISHENG_API_MAX_PAGE_SIZE``; a value outside 1…max is refused with
422 ``invalid`` (rather than silently changed). A page past the last one is not an
error: it answers 200 with no items, and ``count`` tells how many there are.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_PAGE = 1_000_000


class PageNumber(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
        page_size: int = Field(
            settings.JISHENG_PAGE_SIZE,
            ge=1,
            le=settings.JISHENG_API_MAX_PAGE_SIZE,
            description="Items per page.",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Number of items on all pages.")
        page: int
        page_size: int

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page_size = pagination.page_size
        offset = (pagination.page - 1) * page_size
        items = list(queryset[offset : offset + page_size])
        if len(items) < page_size and (items or offset == 0):
            count = offset + len(items)  # the last page: no COUNT query needed
        else:
            count = self._items_count(queryset)
        return {
            "items": items,
            "count": count,
            "page": pagination.page,
            "page_size": page_size,
        }
