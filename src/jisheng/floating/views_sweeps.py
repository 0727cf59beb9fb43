"""Sweep pages (/floating/sweeps/…): the list, opening a sweep, its checklist (made for
a phone: big buttons per line, a "not yet visited" filter), recording a finding, the
findings list, resolving one, completing the sweep, and its report (page, print, Excel).
Scoped: another unit's sweep, line or finding answers 404 (audited)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import xlsx_response
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import path_in_scope
from jisheng.core.web import GET_POST, require_perm
from jisheng.floating import exports_sweeps
from jisheng.floating import selectors_sweeps as selectors
from jisheng.floating import services_sweeps as services
from jisheng.floating.choices import FindingKind, SweepItemOutcome, SweepStatus
from jisheng.floating.forms_housing import CloseForm, FindingForm, ResolveForm, SweepForm
from jisheng.floating.models import Sweep, SweepFinding
from jisheng.floating.views_housing import _user, form_messages, units_below
from jisheng.orgs import selectors as org_selectors

VIEW = "floating.view_sweep"
ADD = "floating.add_sweep"
CHANGE = "floating.change_sweep"
ADD_FINDING = "floating.add_sweepfinding"
CHANGE_FINDING = "floating.change_sweepfinding"
PAGE_SIZE = 50
LINES_PAGE = 100


def _unit(request: HttpRequest):  # type: ignore[no-untyped-def]
    code = (request.GET.get("unit") or "").strip()
    if code:
        return code, org_selectors.unit_get(user=request.user, code=code)
    return "", getattr(request, "working_unit", None)


@require_GET
def sweep_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    code, unit = _unit(request)
    status = request.GET.get("status", "")
    if status not in SweepStatus.values:
        status = ""
    rows = selectors.sweep_list(_user(request), unit=unit, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"unit": code, "status": status}.items() if v}
    return render(
        request,
        "floating/sweep_list.html",
        {
            "page": page,
            "unit": unit,
            "status": status,
            "statuses": SweepStatus.choices,
            "query": urlencode(query),
            "can_add": request.user.has_perm(ADD),
        },
    )


@GET_POST
def sweep_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, ADD)
    working = getattr(request, "working_unit", None)
    today = timezone.localdate()
    form = SweepForm(
        request.POST if request.method == "POST" else None,
        units=units_below(request),
        initial={"unit": working.pk if working else None, "starts_on": today},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("unit")
        try:
            sweep = services.sweep_open(actor=_user(request), unit=form.chosen_unit(), **data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Sweep,))
        else:
            messages.success(request, _("The sweep was opened with its checklist."))
            return redirect("floating:sweep_detail", sweep.pk)
    return render(request, "floating/sweep_form.html", {"form": form})


@require_GET
def sweep_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The sweep and its checklist (the user's lines), ``pending=1``: not yet visited."""
    require_perm(request, VIEW)
    sweep = selectors.sweep_get(_user(request), pk)
    pending = request.GET.get("pending") == "1"
    q = request.GET.get("q", "")
    lines = selectors.sweep_items(_user(request), sweep, pending_only=pending, q=q)
    page = Paginator(lines, LINES_PAGE).get_page(request.GET.get("page"))
    report = selectors.sweep_report(_user(request), sweep)
    query = {k: v for k, v in {"pending": "1" if pending else "", "q": q}.items() if v}
    return render(
        request,
        "floating/sweep_detail.html",
        {
            "sweep": sweep,
            "page": page,
            "pending": pending,
            "q": q,
            "query": urlencode(query),
            "total": report.total,
            "outcomes": [
                (v, label) for v, label in SweepItemOutcome.choices if v != SweepItemOutcome.PENDING
            ],
            "is_open": sweep.status == SweepStatus.OPEN,
            "can_record": request.user.has_perm(CHANGE),
            "can_find": request.user.has_perm(ADD_FINDING),
            "close_form": CloseForm(initial={"closed_on": timezone.localdate()}),
        },
    )


@require_POST
def sweep_item_record(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap on a checklist line: its outcome (back to the checklist, same filter)."""
    require_perm(request, VIEW)
    item = selectors.item_get(_user(request), pk)
    require_perm(request, CHANGE)
    try:
        services.sweep_item_record(
            actor=_user(request), item=item, outcome=request.POST.get("outcome", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    back = reverse("floating:sweep_detail", args=[item.sweep_id])
    query = {k: request.POST.get(k, "") for k in ("pending", "q", "page")}
    query = {k: v for k, v in query.items() if v}
    return redirect(
        f"{back}?{urlencode(query)}#line-{item.pk}" if query else f"{back}#line-{item.pk}"
    )


@require_POST
def sweep_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    sweep = selectors.sweep_get(_user(request), pk)
    require_perm(request, CHANGE)
    form = CloseForm(request.POST)
    if not form.is_valid():
        for message in form_messages(form):
            messages.error(request, message)
        return redirect("floating:sweep_detail", sweep.pk)
    try:
        services.sweep_close(
            actor=_user(request), sweep=sweep, closed_on=form.cleaned_data["closed_on"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The sweep is completed."))
    return redirect("floating:sweep_detail", sweep.pk)


@GET_POST
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding of the sweep, at a checklist line (``?item=``) or in the sweep's unit."""
    require_perm(request, VIEW)
    sweep = selectors.sweep_get(_user(request), pk)
    require_perm(request, ADD_FINDING)
    item_id = request.GET.get("item") or request.POST.get("item") or ""
    item = selectors.item_get(_user(request), int(item_id)) if item_id.isdigit() else None
    form = FindingForm(
        request.POST if request.method == "POST" else None,
        initial={"found_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_record(
                actor=_user(request),
                sweep=sweep,
                item=item,
                unit=None if path_in_scope(sweep.unit.path, request.user) else _user(request).unit,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, models=(SweepFinding,))
        else:
            messages.success(request, _("The finding was recorded and is on the worklist."))
            return redirect("floating:sweep_detail", sweep.pk)
    return render(
        request, "floating/finding_form.html", {"sweep": sweep, "item": item, "form": form}
    )


@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    code, unit = _unit(request)
    open_only = request.GET.get("open", "1") == "1"
    kind = request.GET.get("kind", "")
    if kind not in FindingKind.values:
        kind = ""
    rows = selectors.finding_list(_user(request), unit=unit, open_only=open_only, kind=kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    dues = services.finding_dues(page)
    for finding in page:
        finding.due = dues[finding.pk]  # type: ignore[attr-defined]
    query = {"open": "1" if open_only else "0"}
    query.update({k: v for k, v in {"unit": code, "kind": kind}.items() if v})
    return render(
        request,
        "floating/finding_list.html",
        {
            "page": page,
            "unit": unit,
            "open_only": open_only,
            "kind": kind,
            "kinds": FindingKind.choices,
            "query": urlencode(query),
            "can_resolve": request.user.has_perm(CHANGE_FINDING),
        },
    )


@GET_POST
def finding_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    finding = selectors.finding_get(_user(request), pk)
    form = ResolveForm(
        request.POST if request.method == "POST" else None,
        initial={"resolved_on": timezone.localdate()},
    )
    if request.method == "POST":
        require_perm(request, CHANGE_FINDING)
        if form.is_valid():
            try:
                services.finding_resolve(actor=_user(request), finding=finding, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc, models=(SweepFinding,))
            else:
                messages.success(request, _("The finding was resolved."))
                return redirect("floating:finding_list")
    return render(
        request,
        "floating/finding_resolve.html",
        {
            "finding": finding,
            "due": services.finding_due(finding),
            "form": form,
            "can_resolve": request.user.has_perm(CHANGE_FINDING) and finding.resolved_on is None,
        },
    )


@require_GET
def sweep_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The sweep's completion and findings per unit (``print=1``: the sheet to print)."""
    require_perm(request, VIEW)
    sweep = selectors.sweep_get(_user(request), pk)
    report = selectors.sweep_report(_user(request), sweep)
    template = (
        "floating/sweep_print.html"
        if request.GET.get("print") == "1"
        else "floating/sweep_report.html"
    )
    return render(request, template, {"sweep": sweep, "report": report})


@require_GET
def sweep_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    sweep = selectors.sweep_get(_user(request), pk)
    report = selectors.sweep_report(_user(request), sweep)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=sweep,
        message=_("Sweep report exported."),
    )
    return xlsx_response(exports_sweeps.report_workbook(report), exports_sweeps.filename(sweep))
