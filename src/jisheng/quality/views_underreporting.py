"""The under-reporting scan pages (出生漏报筛查, /quality/underreporting/):

- ``?unit=CODE&period=2025``: every village of the unit's subtree scanned for the period
  (a year by default; a quarter or a month), the flagged ones listed with the expected
  and registered births, the tail probability and the women by age group behind E;
- ``village/?unit=CODE&period=…&show=births|women``: one village's figures and the
  births or the women behind them (paginated).

Scoped: a unit outside the user's subtree answers 404 and the attempt is audited. The
pages flag villages for a check, never a person (SPEC §0)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jisheng.core.web import page_url, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.web import requested_unit
from jisheng.quality import selectors_underreporting as selectors
from jisheng.quality import underreporting
from jisheng.quality.permissions import VIEW_UNDERREPORTING

PAGE_SIZE = 50


def _bad_period(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "quality/underreporting_error.html", {"message": message}, status=400)


@require_GET
def underreporting_scan(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_UNDERREPORTING)
    unit = requested_unit(request)
    text = (request.GET.get("period") or "").strip()
    try:
        period = selectors.period_for(text, timezone.localdate())
    except ValueError as exc:
        return _bad_period(request, str(exc))
    result = selectors.underreporting_scan(user=request.user, unit=unit, period=period)
    page = Paginator(result.flagged, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/underreporting.html",
        {
            "unit": unit,
            "period": period,
            "scan": result,
            "page": page,
            "significance": underreporting.SIGNIFICANCE,
            "ancestors": org_selectors.unit_ancestors(user=request.user, unit=unit),
            "query": page_url("quality:underreporting", unit=unit.code, period=period.code).split(
                "?", 1
            )[-1],
        },
    )


@require_GET
def underreporting_village(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_UNDERREPORTING)
    village = requested_unit(request)
    try:
        period = selectors.period_for(request.GET.get("period"), timezone.localdate())
    except ValueError as exc:
        return _bad_period(request, str(exc))
    show = "women" if request.GET.get("show") == "women" else "births"
    result = selectors.village_scan(user=request.user, village=village, period=period)
    reference = selectors.village_reference(village=village, period=period)
    if show == "women":
        rows = selectors.village_women(user=request.user, village=village, period=period)
    else:
        rows = selectors.village_births(user=request.user, village=village, period=period)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/underreporting_village.html",
        {
            "unit": village,
            "period": period,
            "result": result,
            "reference": reference,
            "show": show,
            "page": page,
            "significance": underreporting.SIGNIFICANCE,
            "scan_url": page_url("quality:underreporting", unit=village.code, period=period.code),
            "births_url": page_url(
                "quality:underreporting_village", unit=village.code, period=period.code
            ),
            "women_url": page_url(
                "quality:underreporting_village",
                unit=village.code,
                period=period.code,
                show="women",
            ),
            "query": page_url(
                "quality:underreporting_village", unit=village.code, period=period.code, show=show
            ).split("?", 1)[-1],
        },
    )
