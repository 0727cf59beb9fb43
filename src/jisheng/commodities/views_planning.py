"""Planning pages: the demand plan 《育龄妇女使用药具计划表》 (screen, print, Excel) and the
suggested transfers. ``?unit=CODE`` (in scope, else 404 and an audited denial; default
the working unit), ``?year=`` and ``?as_of=YYYY-MM-DD`` (default today)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.commodities import planning, selectors
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.scope import path_in_scope
from jisheng.core.web import BadInput, page_url, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.web import requested_unit

VIEW = "commodities.view_store"
TRANSFER = "commodities.transfer_stock"  # the permission to send a transfer

PLAN_HEADERS = [
    "单位",
    "层级",
    "药具名称",
    "计量单位",
    "使用人数",
    "月需要量/人",
    "按人数年需要量",
    "近12个月发放量",
    "计划依据",
    "现有库存",
    "计划数量",
]


def as_of_of(request: HttpRequest) -> datetime.date:
    today = timezone.localdate()
    text = (request.GET.get("as_of") or "").strip()
    if not text:
        return today
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or day > today or day.year < planning.FIRST_YEAR:
        raise BadInput(
            _("“%(text)s” is not a date (YYYY-MM-DD) from %(first)d to today.")
            % {"text": text, "first": planning.FIRST_YEAR}
        )
    return day


def bad_input(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "commodities/plan_error.html", {"message": message}, status=400)


def _plan(request: HttpRequest) -> planning.DemandPlan:
    unit = requested_unit(request)
    as_of = as_of_of(request)
    year = (request.GET.get("year") or "").strip() or as_of.year
    try:
        return planning.demand_plan(unit, year, as_of=as_of, user=request.user)
    except ValidationError as exc:
        raise BadInput(" ".join(exc.messages)) from exc


def _level_label(level: str, holder: Any) -> str:
    if level == "total":
        return _("Total")
    if level == "subtotal":
        return _("Township subtotal")
    if holder.own_stores:
        return _("Stores of the unit itself")
    return _("Village / community")


def plan_rows(plan: planning.DemandPlan) -> list[list[Any]]:
    out = []
    for level, holder, row in plan.lines():
        name = plan.unit.name if holder is None else holder.unit.name
        out.append(
            [
                name,
                _level_label(level, holder),
                row.product.name,
                row.product.unit,
                row.users,
                row.product.monthly_need,
                row.need,
                row.consumption,
                row.basis,
                row.on_hand,
                row.planned,
            ]
        )
    return out


@require_GET
def plan(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    try:
        data = _plan(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    params = {"unit": data.unit.code, "year": data.year, "as_of": request.GET.get("as_of")}
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        audit.record(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=data.unit,
            changes={"year": data.year, "as_of": data.as_of.isoformat()},
            message=_("Exported the commodity demand plan of %(unit)s for %(year)d.")
            % {"unit": data.unit.name, "year": data.year},
        )
        workbook = write_workbook(
            title="育龄妇女使用药具计划表", headers=PLAN_HEADERS, rows=plan_rows(data)
        )
        return xlsx_response(workbook, f"育龄妇女使用药具计划表_{data.unit.code}_{data.year}.xlsx")
    context = {
        "plan": data,
        "lines": [(level, holder, row) for level, holder, row in data.lines()],
        "ancestors": org_selectors.unit_ancestors(user=request.user, unit=data.unit),
        "children": org_selectors.unit_children(user=request.user, unit=data.unit),
        "export_url": page_url("commodities:plan", format="xlsx", **params),
        "print_url": page_url("commodities:plan", format="print", **params),
        "today": timezone.localdate(),
    }
    template = "commodities/plan_print.html" if fmt == "print" else "commodities/plan.html"
    return render(request, template, context)


def transfer_url(suggestion: planning.Suggestion) -> str:
    """The transfer form of the sending store, filled in; "" while it does not exist."""
    try:
        url = reverse("commodities:transfer", args=[suggestion.from_store.pk])
    except NoReverseMatch:
        return ""
    query = {
        "to": suggestion.to_store.pk,
        "product": suggestion.product.pk,
        "quantity": suggestion.quantity,
    }
    return f"{url}?{urlencode(query)}"


@require_GET
def transfers(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    unit = requested_unit(request)
    try:
        as_of = as_of_of(request)
    except BadInput as exc:
        return bad_input(request, str(exc))
    stores = selectors.stores_visible(request.user, unit).filter(active=True)
    review = planning.transfer_review(stores, as_of)
    can_transfer = request.user.has_perm(TRANSFER)
    rows = []
    for suggestion in review.suggestions:
        # The button only for a sending store the user may write to.
        own = path_in_scope(suggestion.from_store.unit.path, request.user)
        link = transfer_url(suggestion) if can_transfer and own else ""
        rows.append((suggestion, link))
    return render(
        request,
        "commodities/plan_transfers.html",
        {
            "unit": unit,
            "as_of": as_of,
            "rows": rows,
            "skipped": review.skipped,
            "ancestors": org_selectors.unit_ancestors(user=request.user, unit=unit),
            "children": org_selectors.unit_children(user=request.user, unit=unit),
            "months": selectors.CONSUMPTION_MONTHS,
        },
    )
