"""Query helpers every app's reads share."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Count, Model, QuerySet, Window

M = TypeVar("M", bound=Model)

TOTAL = "group_total"


def count_and_first(queryset: QuerySet[M], limit: int) -> tuple[int, list[M]]:
    """The number of rows of ``queryset`` and its first ``limit`` rows (in its order),
    in ONE query: ``COUNT(*) OVER ()`` beside the rows.

    A worklist group shows both. As two queries (a count, then the first rows) the
    database finds the group's rows twice. With the window it finds them once and keeps
    the first ones by a top-N sort. PostgreSQL costs the window as if it could stop
    early, so an index in the group's order that is not the scope's (a county-wide
    ``(status, due_on)``) would be walked to its end: a source's indexes lead with its
    scope (``unit``), as ``floating_arrival_toverify`` does. ``limit`` 0 is a plain
    count (the home page's card)."""
    if limit <= 0:
        return queryset.count(), []
    rows = list(queryset.annotate(**{TOTAL: Window(Count("*"))})[:limit])
    return (getattr(rows[0], TOTAL) if rows else 0), rows
