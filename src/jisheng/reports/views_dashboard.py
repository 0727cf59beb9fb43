"""The dashboard (/reports/dashboard/): the key indicators of a unit against their
targets, 12-month trends, the child units ranked, the worklist counts; its Excel export
and its printable A4 report (PDF through Chromium; the HTML print page without it).

Thin views: check the permission (403), find the unit inside the user's data scope
(``?unit=CODE``; another unit's code is a 404 and an audited denial; default: the
working unit), read the period (``?period=2026Q3``; default: the current quarter),
call :mod:`jisheng.reports.dashboard`, render.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core import audit, periods
from jisheng.core.choices import AuditAction
from jisheng.core.excel import xlsx_response
from jisheng.core.periods import Period
from jisheng.core.web import BadInput, page_url, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.orgs.web import requested_unit as unit_of
from jisheng.reports import dashboard as selectors
from jisheng.reports import exports

# Who reads the registry reads its figures (as the indicators API).
VIEW_FIGURES = "people.view_person"
# Indicators shown beside the ranking one in the child-unit table (wide screens).
OTHER_COLUMNS = 4


# --------------------------------------------------------------------------- helpers


def period_of(request: HttpRequest, name: str = "period") -> Period:
    """The period of the address (default: the current quarter); one that has not begun
    yet gives the current period of the same kind (with a message on the page)."""
    today = timezone.localdate()
    try:
        asked = periods.parse_or_current(request.GET.get(name), today)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    period = periods.not_after(asked, today)
    if period != asked:
        request.future_period = asked  # type: ignore[attr-defined]
    return period


def _future_notice(request: HttpRequest, period: Period) -> None:
    asked = getattr(request, "future_period", None)
    if asked is not None:
        messages.info(
            request,
            _("%(asked)s has not begun yet; the figures of %(period)s are shown.")
            % {"asked": asked.label, "period": period.label},
        )


def bad_input(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page that says what is wrong with the address."""
    return render(request, "reports/dashboard_error.html", {"message": message}, status=400)


def dashboard_url(unit: Unit, period: Period, rank: str | None = None) -> str:
    return page_url("reports:dashboard", unit=unit.code, period=period.code, rank=rank)


def drill_url(unit: Unit, period: Period, indicator_id: str, side: str) -> str:
    return page_url(
        "reports:drill", unit=unit.code, period=period.code, indicator=indicator_id, side=side
    )


def _ancestors(request: HttpRequest, unit: Unit) -> list[Unit]:
    return org_selectors.unit_ancestors(user=request.user, unit=unit)


def _load(request: HttpRequest, *, with_trends: bool = True) -> selectors.Dashboard:
    unit = unit_of(request)
    period = period_of(request)
    return selectors.dashboard(
        request.user,
        unit,
        period,
        rank_by=request.GET.get("rank"),
        today=timezone.localdate(),
        refresh=request.GET.get("refresh") == "1",
        with_trends=with_trends,
    )


def _charts(data: selectors.Dashboard) -> dict[str, Any]:
    """The JSON the page's charts read: trends (a point links to the persons behind
    its numerator) and the children by the ranking indicator (a bar opens the child's
    dashboard)."""
    trends = [
        trend.chart(lambda month, i=trend.indicator.id: drill_url(data.unit, month, i, "numerator"))
        for trend in data.trends
    ]
    ranked = [row for row in data.children if row.figure(data.rank_by.id).defined]
    children = {
        "name": data.rank_by.name_zh,
        "unit": data.rank_by.unit,
        "labels": [row.unit.name for row in ranked],
        "values": [round(float(row.figure(data.rank_by.id).value.value), 2) for row in ranked],
        "urls": [dashboard_url(row.unit, data.period, data.rank_by.id) for row in ranked],
    }
    return {"trends": trends, "children": children}


# --------------------------------------------------------------------------- pages


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard of a unit for a period."""
    require_perm(request, VIEW_FIGURES)
    try:
        data = _load(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    period = data.period
    _future_notice(request, period)
    following = periods.next_begun(period, timezone.localdate())
    others = [i for i in data.indicators if i.id != data.rank_by.id][:OTHER_COLUMNS]
    for row in data.children:
        row.others = [row.figures[i.id] for i in others]
    return render(
        request,
        "reports/dashboard.html",
        {
            "data": data,
            "unit": data.unit,
            "period": period,
            "ancestors": _ancestors(request, data.unit),
            "charts": _charts(data),
            "previous_url": dashboard_url(data.unit, period.previous(), data.rank_by.id),
            "next_url": dashboard_url(data.unit, following, data.rank_by.id) if following else "",
            "refresh_url": page_url(
                "reports:dashboard",
                unit=data.unit.code,
                period=period.code,
                rank=data.rank_by.id,
                refresh="1",
            ),
            "query": urlencode(
                {"unit": data.unit.code, "period": period.code, "rank": data.rank_by.id}
            ),
            "is_working_unit": getattr(request, "working_unit", None) is not None
            and request.working_unit.pk == data.unit.pk,
            "other_columns": others,
        },
    )


@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """Every table of the dashboard as one .xlsx workbook (a sheet a table), audited."""
    require_perm(request, VIEW_FIGURES)
    try:
        data = _load(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    workbook = exports.dashboard_workbook(data)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=data.unit,
        changes={"period": data.period.code, "rank": data.rank_by.id},
        message=_("Exported the dashboard of %(unit)s for %(period)s.")
        % {"unit": data.unit.name, "period": data.period.code},
    )
    return xlsx_response(workbook, f"仪表盘_{data.unit.code}_{data.period.code}.xlsx")


def _print_html(request: HttpRequest, data: selectors.Dashboard, *, for_pdf: bool) -> str:
    return render_to_string(
        "reports/dashboard_print.html",
        {
            "data": data,
            "for_pdf": for_pdf,
            "today": timezone.localdate(),
            "printed_at": timezone.localtime(),
            "trend_months": [p.period for p in data.trends[0].points] if data.trends else [],
        },
        request=request,
    )


@require_GET
def dashboard_print(request: HttpRequest) -> HttpResponse:
    """The A4 report of the dashboard as an HTML page to print."""
    require_perm(request, VIEW_FIGURES)
    try:
        data = _load(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    return HttpResponse(_print_html(request, data, for_pdf=False))


@require_GET
def dashboard_pdf(request: HttpRequest) -> HttpResponse:
    """The A4 report as a PDF (Chinese in Noto CJK); the print page without Chromium."""
    from jisheng.core.pdf import PdfBusy, pdf_busy_response
    from jisheng.services import letters

    require_perm(request, VIEW_FIGURES)
    try:
        data = _load(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    try:
        pdf = letters.render_pdf(_print_html(request, data, for_pdf=True))
    except PdfBusy:  # every render slot stayed taken: 503, in Chinese
        return pdf_busy_response(request)
    except letters.PdfUnavailable:
        messages.warning(request, _("PDF printing is not available here; print this page."))
        return redirect(
            page_url(
                "reports:dashboard_print",
                unit=data.unit.code,
                period=data.period.code,
                rank=data.rank_by.id,
            )
        )
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=data.unit,
        changes={"period": data.period.code, "format": "pdf"},
        message=_("Printed the dashboard report of %(unit)s for %(period)s.")
        % {"unit": data.unit.name, "period": data.period.code},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="dashboard-{data.unit.code}-{data.period.code}.pdf"'
    )
    return response
