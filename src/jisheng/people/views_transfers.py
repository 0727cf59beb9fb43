"""管理移交 pages: the list of transfers (what HR asks about) with the 管理移交率, the
completion form and the printable clearance."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.web import GET_POST, require_perm
from jisheng.people import selectors, transfers, views_export
from jisheng.people.choices import TransferStatus
from jisheng.people.forms import TransferCompleteForm, TransferFilterForm, add_service_errors
from jisheng.people.models import LifeEvent, Transfer


def _transfer_get(request: HttpRequest, pk: int) -> Transfer:
    return get_in_scope_or_404(
        Transfer.objects.select_related("person", "unit", "receiving_unit", "completed_by"),
        request.user,
        pk=pk,
    )


def _complete_url(transfer: Transfer) -> str:
    return reverse("people:transfer_complete", args=[transfer.pk])


def _rate_text(completed: int, departures: int) -> str:
    if not departures:
        return "—"
    return f"{completed * 100 / departures:.1f}%"


@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    """Transfers of the working unit's subtree, open ones first by age, and the rate."""
    require_perm(request, "people.view_transfer")
    today = timezone.localdate()
    form, qs, status, start, end = _transfer_query(request)
    within = request.working_unit
    page = Paginator(qs, settings.JISHENG_PAGE_SIZE).get_page(request.GET.get("page"))
    for transfer in page:
        until = transfer.completed_on if transfer.status == TransferStatus.COMPLETED else today
        transfer.days_open = (until - transfer.opened_on).days
    completed, departures = selectors.transfer_rate(
        user=request.user, within=within, start=start, end=end
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/transfer_list.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "start": start,
            "end": end,
            "within": within,
            "completed": completed,
            "departures": departures,
            "rate": _rate_text(completed, departures),
            "query": query.urlencode(),
            "today": today,
            "export_url": reverse("people:transfer_export")
            if views_export.can_export(request)
            else "",
        },
    )


def _transfer_query(
    request: HttpRequest,
) -> tuple[TransferFilterForm, QuerySet[Transfer], str, datetime.date, datetime.date]:
    """The filter form, the listed transfers, their status filter and the rate period
    (shared by the page and its export). Invalid filters fall back to the defaults."""
    today = timezone.localdate()
    form = TransferFilterForm(request.GET or None)
    status, start, end = "open", today.replace(month=1, day=1), today
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or status
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    qs = selectors.transfer_list(
        user=request.user,
        within=request.working_unit,
        status=None if status == "all" else status,
    )
    if status == TransferStatus.COMPLETED:
        qs = qs.order_by("-completed_on", "-id")
    return form, qs, status, start, end


@require_GET
def transfer_export(request: HttpRequest) -> HttpResponse:
    """The transfer list (working unit's subtree, status filter) as an .xlsx workbook
    (masked ID numbers), audited with its filters and row count."""
    views_export.require_export(request, "people.view_transfer")
    form, qs, status, _start, _end = _transfer_query(request)
    query = request.GET.copy()
    list_url = reverse("people:transfer_list") + (f"?{query.urlencode()}" if query else "")
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(list_url)
    within = request.working_unit
    filters: dict[str, str] = {"status": status}
    if within is not None:
        filters["unit"] = within.code
    return views_export.export_list(
        request,
        queryset=qs,
        title=views_export.TRANSFER_TITLE,
        headers=views_export.TRANSFER_HEADERS,
        rows=views_export.transfer_rows,
        filters=filters,
        list_url=list_url,
        message=_("Exported the management transfer list (%(count)d rows)."),
        unit=within,
        widths={"公民身份号码": 22},
    )


@GET_POST
def transfer_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete a transfer (records handed over); afterwards the page shows the clearance."""
    transfer = _transfer_get(request, pk)
    require_perm(request, "people.change_transfer")
    withdrawn = LifeEvent.objects.filter(reverses_id=transfer.event_id).exists()
    can_complete = transfer.status == TransferStatus.OPEN and not withdrawn
    form = None
    if can_complete:
        form = TransferCompleteForm(
            request.POST if request.method == "POST" else None,
            user=request.user,
            initial={
                "completed_on": timezone.localdate(),
                "receiving_name": transfer.receiving_name,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                done = transfers.transfer_complete(
                    actor=request.user,
                    transfer=transfer,
                    completed_on=form.cleaned_data["completed_on"],
                    receiving_name=form.cleaned_data["receiving_name"],
                    receiving_unit=form.cleaned_data["receiving_unit"],
                    records_handed=form.cleaned_data["records_handed"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Transfer completed. Clearance number: %(number)s")
                    % {"number": done.clearance_number},
                )
                return redirect(_complete_url(done))
    return render(
        request,
        "people/transfer_complete.html",
        {
            "transfer": transfer,
            "form": form,
            "withdrawn": withdrawn,
            "days_open": (
                (transfer.completed_on or timezone.localdate()) - transfer.opened_on
            ).days,
            "title": _("Management transfer"),
        },
    )


@require_GET
def transfer_clearance(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable clearance (A5) of a completed transfer. Printing it is audited."""
    transfer = _transfer_get(request, pk)
    require_perm(request, "people.view_transfer")
    if transfer.status != TransferStatus.COMPLETED:
        messages.warning(request, _("The transfer is not completed: there is no clearance yet."))
        return redirect(_complete_url(transfer))
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=transfer,
        message=_("Printed the transfer clearance."),
    )
    return render(request, "people/transfer_clearance.html", {"transfer": transfer})
