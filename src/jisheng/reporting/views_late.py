"""补报/更正记录 (/reporting/late/): the late entries of the user's data scope — records
dated inside a closed period, entered with a reason — filtered by unit and period, and
the closed periods of the unit, so staff see why a date is refused.

Scoped: a unit outside the user's subtree answers 404 (audited)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jisheng.core import periods
from jisheng.core.web import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.reporting import selectors_late

VIEW_LATE = "core.view_lateentry"
PAGE_SIZE = 50
CLOSED_SHOWN = 12


@require_GET
def late_list(request: HttpRequest) -> HttpResponse:
    """``unit`` (a code in scope; default the working unit) and ``period`` (2026-10,
    2026Q4, 2026 …; default all) narrow the list."""
    require_perm(request, VIEW_LATE)
    code = (request.GET.get("unit") or "").strip()
    unit = (
        org_selectors.unit_get(user=request.user, code=code)
        if code
        else getattr(request, "working_unit", None)
    )
    text = (request.GET.get("period") or "").strip()
    period, period_error = None, ""
    if text:
        try:
            period = periods.parse(text)
        except periods.PeriodError as exc:
            period_error = str(exc)
    entries = selectors_late.late_entries(
        request.user,
        unit=unit,
        first=period.first if period else None,
        last=period.last if period else None,
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in {"unit": code, "period": text}.items() if v})
    closed = list(selectors_late.closed_periods(unit)[:CLOSED_SHOWN]) if unit is not None else []
    for closure in closed:  # the unit is named once: the label repeats it
        closure.label_shown = closure.label.removeprefix(f"{closure.unit.name} · ")
    return render(
        request,
        "reporting/late_list.html",
        {
            "page": page,
            "rows": selectors_late.with_links(list(page.object_list), request.user),
            "unit": unit,
            "period": period,
            "period_text": text,
            "period_error": period_error,
            "query": query,
            "closed": closed,
        },
    )
