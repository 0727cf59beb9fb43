"""The demography page (/reports/demography/?unit=CODE&year=2026): population pyramid,
births by order and sex, birth rate, natural growth, sex ratio at birth, age-specific
fertility and the total fertility rate of a unit for a year; and its Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import xlsx_response
from jisheng.core.web import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.reports import dashboard as selectors
from jisheng.reports import exports
from jisheng.reports.views_dashboard import VIEW_FIGURES, BadInput, bad_input, page_url, unit_of

FIRST_YEAR = 1950


def year_of(request: HttpRequest, *, notify: bool = False) -> int:
    """``?year=``; the current year when empty or still to come (a message says so).
    ``BadInput`` for anything else than a year from :data:`FIRST_YEAR` on."""
    today = timezone.localdate()
    text = (request.GET.get("year") or "").strip()
    if not text:
        return today.year
    if text.isdigit() and len(text) <= 6 and int(text) > today.year:
        if notify:
            messages.info(
                request,
                _("The year %(asked)s has not begun yet; the figures of %(year)d are shown.")
                % {"asked": text, "year": today.year},
            )
        return today.year
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= today.year:
        raise BadInput(
            _("“%(text)s” is not a year from %(first)d to %(last)d.")
            % {"text": text, "first": FIRST_YEAR, "last": today.year}
        )
    return int(text)


@require_GET
def demography(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_FIGURES)
    unit = unit_of(request)
    try:
        year = year_of(request, notify=True)
    except BadInput as exc:
        return bad_input(request, str(exc))
    data = selectors.demography_for(unit, year, timezone.localdate())
    this_year = timezone.localdate().year
    return render(
        request,
        "reports/demography.html",
        {
            "data": data,
            "unit": unit,
            "year": year,
            "ancestors": org_selectors.unit_ancestors(user=request.user, unit=unit),
            "children": org_selectors.unit_children(user=request.user, unit=unit),
            "pyramid_chart": data.pyramid_chart(),
            "previous_url": page_url("reports:demography", unit=unit.code, year=year - 1),
            "next_url": page_url("reports:demography", unit=unit.code, year=year + 1)
            if year < this_year
            else "",
            "export_url": page_url("reports:demography_export", unit=unit.code, year=year),
        },
    )


@require_GET
def demography_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_FIGURES)
    unit = unit_of(request)
    try:
        year = year_of(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    data = selectors.demography_for(unit, year, timezone.localdate())
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=unit,
        changes={"year": year},
        message=_("Exported the demographic figures of %(unit)s for %(year)d.")
        % {"unit": unit.name, "year": year},
    )
    return xlsx_response(exports.demography_workbook(data), f"人口统计_{unit.code}_{year}.xlsx")
