"""Pages of the commodity reports (/commodities/reports/): the index, the stock status and
the three statistics forms, for ``?unit=CODE`` (default: the working unit) and
``?period=`` (``2026-07``, ``2026Q3``, ``2026H2``, ``2026``; default: this quarter).
Each page prints on A4 and ``?format=xlsx`` downloads the same figures (audited)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from jisheng.commodities import reports, selectors
from jisheng.core import periods, statforms
from jisheng.core.excel import add_sheet, xlsx_response
from jisheng.core.periods import Period
from jisheng.core.web import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.orgs.web import requested_unit

VIEW_REPORTS = "commodities.view_ledgerline"
INDEX_TEXT = {
    "stock": gettext_lazy(
        "Opening, receipts, issues, write-offs and closing per store and product; stock in transit."
    ),
    "users": gettext_lazy(
        "Women using each commodity method on the last day, and persons supplied in the period."
    ),
    "effect": gettext_lazy(
        "Free commodities: persons supplied, quantities, method failures, adverse "
        "reactions and the effective rate."
    ),
    "methods": gettext_lazy(
        "Married women of reproductive age by current method, contraceptive prevalence "
        "and long-acting share."
    ),
}
FORM_URLS = {"users": "report_users", "effect": "report_effect", "methods": "report_methods"}


def _url(name: str, unit: Unit, period: Period, **extra: str) -> str:
    query = {"unit": unit.code, "period": period.code, **extra}
    return f"{reverse(f'commodities:{name}')}?{urlencode(query)}"


def _bad_period(request: HttpRequest, name: str, message: str) -> HttpResponse:
    return render(
        request,
        "commodities/report_error.html",
        {"message": message, "back_url": reverse(f"commodities:{name}")},
        status=400,
    )


def _context(request: HttpRequest, name: str, unit: Unit, period: Period) -> dict[str, Any]:
    user = request.user
    return {
        "unit": unit,
        "period": period,
        "period_label": period.long_label,
        "today": timezone.localdate(),
        "units": [
            *org_selectors.unit_ancestors(user=user, unit=unit),
            unit,
            *org_selectors.unit_children(user=user, unit=unit),
        ],
        "url_name": f"commodities:{name}",
        "previous_url": _url(name, unit, period.previous()),
        "next_url": _url(name, unit, period.next()),
        "export_url": _url(name, unit, period, format="xlsx"),
    }


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_REPORTS)
    unit = requested_unit(request)
    period = periods.current(today=timezone.localdate())
    entries = [
        ("report_stock_status", "stock", INDEX_TEXT["stock"]),
        ("report_users", "users", INDEX_TEXT["users"]),
        ("report_effect", "effect", INDEX_TEXT["effect"]),
        ("report_methods", "methods", INDEX_TEXT["methods"]),
    ]
    return render(
        request,
        "commodities/report_index.html",
        {
            "unit": unit,
            "period": period,
            "entries": [
                (_url(name, unit, period), reports.TITLES[key], str(text))
                for name, key, text in entries
            ],
        },
    )


@require_GET
def stock_status(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_REPORTS)
    unit = requested_unit(request)
    try:
        period = periods.parse_or_current(request.GET.get("period"), timezone.localdate())
    except ValueError as exc:
        return _bad_period(request, "report_stock_status", str(exc))
    stores = selectors.stores_visible(request.user, unit)
    status = reports.stock_status(stores, period.first, period.last)
    title = reports.TITLES["stock"]
    if request.GET.get("format") == "xlsx":
        statforms.record_export(actor=request.user, unit=unit, period=period, title=title)
        return xlsx_response(
            stock_workbook(status, unit, period), f"{title}_{unit.code}_{period.code}.xlsx"
        )
    context = _context(request, "report_stock_status", unit, period)
    context.update({"status": status, "title": title})
    return render(request, "commodities/report_stock_status.html", context)


def _figures(row: reports.StockRow) -> list[Any]:
    return [getattr(row, name) for name in reports.FIGURES]


def stock_headers() -> list[str]:
    return [
        _("Opening"),
        _("Receipts"),
        _("Transfers in"),
        _("Issued to persons"),
        _("Transfers out"),
        _("Written off"),
        _("Adjustments"),
        _("Closing"),
        _("In transit"),
    ]


def stock_workbook(status: reports.StockStatus, unit: Unit, period: Period) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    balanced = {True: _("yes"), False: _("NO")}
    add_sheet(
        workbook,
        title=_("Totals"),
        headers=[_("Product"), _("Unit of issue"), *stock_headers(), _("Balanced")],
        rows=[
            [r.product.name, r.product.unit, *_figures(r), balanced[r.balanced]]
            for r in status.totals
        ],
    )
    add_sheet(
        workbook,
        title=_("By store"),
        headers=[
            _("Unit"),
            _("Store"),
            _("Product"),
            _("Unit of issue"),
            *stock_headers(),
            _("Balanced"),
        ],
        rows=[
            [
                r.store.unit.name if r.store else "",
                r.store.name if r.store else "",
                r.product.name,
                r.product.unit,
                *_figures(r),
                balanced[r.balanced],
            ]
            for r in status.rows
        ],
    )
    statforms.about_sheet(workbook, title=reports.TITLES["stock"], unit=unit, period=period)
    return workbook


def _form(request: HttpRequest, key: str) -> HttpResponse:
    require_perm(request, VIEW_REPORTS)
    name = FORM_URLS[key]
    unit = requested_unit(request)
    try:
        period = periods.parse_or_current(request.GET.get("period"), timezone.localdate())
    except ValueError as exc:
        return _bad_period(request, name, str(exc))
    form = reports.FORMS[key](unit, period)
    if request.GET.get("format") == "xlsx":
        statforms.record_export(actor=request.user, unit=unit, period=period, title=form.title)
        return xlsx_response(
            statforms.form_workbook(form), f"{form.title}_{unit.code}_{period.code}.xlsx"
        )
    context = _context(request, name, unit, period)
    context.update({"form": form, "title": form.title, "table": form.table()})
    return render(request, "commodities/report_form.html", context)


@require_GET
def users(request: HttpRequest) -> HttpResponse:
    return _form(request, "users")


@require_GET
def effect(request: HttpRequest) -> HttpResponse:
    return _form(request, "effect")


@require_GET
def methods(request: HttpRequest) -> HttpResponse:
    return _form(request, "methods")
