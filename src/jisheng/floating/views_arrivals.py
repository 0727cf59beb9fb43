"""Arrivals' pages (/floating/arrivals/…): the list, registering (from a report or at the
office), one arrival with its actions (verify her 婚育证明, she left, cancel a wrong
report). Thin: the rules are in :mod:`services_arrivals`, the reads in
:mod:`selectors_arrivals`. Scoped: an arrival outside the user's subtree answers 404
(audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core.forms import add_service_errors
from jisheng.core.web import GET_POST, require_perm
from jisheng.floating import selectors_arrivals as selectors
from jisheng.floating import services_arrivals as services
from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.forms_arrivals import (
    CancelForm,
    CertificateForm,
    FilterForm,
    LeaveForm,
    RegisterForm,
)
from jisheng.floating.models import Arrival
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit, User

VIEW = "floating.view_arrival"
ADD = "floating.add_arrival"
CHANGE = "floating.change_arrival"
PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    return cast("User", request.user)  # signed in: require_perm passed


def _working_unit(request: HttpRequest) -> Unit | None:
    unit = getattr(request, "working_unit", None)
    return unit if isinstance(unit, Unit) else None


@require_GET
def arrival_list(request: HttpRequest) -> HttpResponse:
    """Arrivals of the working unit's subtree (or ``unit``), filtered."""
    require_perm(request, VIEW)
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    code = (data.get("unit") or "").strip()
    unit = org_selectors.unit_get(user=request.user, code=code) if code else _working_unit(request)
    today = timezone.localdate()
    rows = selectors.arrival_list(
        request.user,
        unit=unit,
        status=data.get("status") or "",
        overdue=bool(data.get("overdue")),
        unverified=bool(data.get("unverified")),
        q=data.get("q") or "",
        arrived_from=data.get("arrived_from"),
        arrived_to=data.get("arrived_to"),
        today=today,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "floating/arrival_list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "query": query,
            "today": today,
            "can_add": request.user.has_perm(ADD),
        },
    )


def _register_initial(arrival: Arrival | None) -> dict[str, object]:
    today = timezone.localdate()
    if arrival is None:
        return {"registered_on": today, "arrived_on": today}
    return {
        "name": arrival.name,
        "phone": arrival.phone,
        "arrived_on": arrival.arrived_on,
        "registered_on": today,
        "property": arrival.property_id,
        "room": arrival.room,
        "note": arrival.note,
    }


def _register_page(
    request: HttpRequest, arrival: Arrival | None, unit: Unit | None
) -> HttpResponse:
    form = RegisterForm(
        request.POST if request.method == "POST" else None,
        initial=_register_initial(arrival),
        unit=unit,
    )
    if request.method == "POST":
        require_perm(request, ADD)
        if form.is_valid():
            try:
                done = services.arrival_register(
                    actor=_actor(request), arrival=arrival, unit=unit, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(Arrival,))
            else:
                messages.success(
                    request, _("%(name)s is registered as an in-migrant.") % {"name": done.name}
                )
                return redirect("floating:arrival_detail", done.pk)
    return render(
        request,
        "floating/arrival_register.html",
        {"form": form, "arrival": arrival, "unit": unit, "today": timezone.localdate()},
    )


@GET_POST
def arrival_new(request: HttpRequest) -> HttpResponse:
    """Register an in-migrant at the office, without a report, in the working unit."""
    require_perm(request, ADD)
    code = (request.GET.get("unit") or "").strip()
    unit = org_selectors.unit_get(user=request.user, code=code) if code else _working_unit(request)
    return _register_page(request, None, unit)


@GET_POST
def arrival_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a reported arrival (from the worklist)."""
    require_perm(request, VIEW)
    arrival = selectors.arrival_get(request.user, pk)
    if arrival.status != ArrivalStatus.REPORTED:
        return redirect("floating:arrival_detail", arrival.pk)
    return _register_page(request, arrival, arrival.unit)


def _can_issue(request: HttpRequest) -> bool:
    return request.user.has_perm(services.certificate_services_permission())


def _detail(request: HttpRequest, arrival: Arrival, **forms_: forms.Form | None) -> HttpResponse:
    checks = list(selectors.checks_of(arrival))
    today = timezone.localdate()
    context: dict[str, object] = {
        "arrival": arrival,
        "checks": checks,
        "tenancies": selectors.tenancies_of(arrival),
        "timeline": selectors.timeline(arrival, checks),
        "can_change": request.user.has_perm(CHANGE),
        "can_add": request.user.has_perm(ADD),
        "certificate_form": forms_.get("certificate_form")
        or CertificateForm(initial={"checked_on": today}, can_issue=_can_issue(request)),
        "leave_form": forms_.get("leave_form") or LeaveForm(initial={"left_on": today}),
        "cancel_form": forms_.get("cancel_form") or CancelForm(),
        "open_action": next((k for k, v in forms_.items() if v is not None), ""),
        "today": today,
    }
    return render(request, "floating/arrival_detail.html", context)


@require_GET
def arrival_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    return _detail(request, selectors.arrival_get(request.user, pk))


def _action(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    key: str,
    call: Callable[..., Arrival],
    done_message: str,
) -> HttpResponse:
    require_perm(request, VIEW)
    arrival = selectors.arrival_get(request.user, pk)
    if request.method != "POST":
        return redirect("floating:arrival_detail", arrival.pk)
    require_perm(request, CHANGE)
    form = (
        CertificateForm(request.POST, can_issue=_can_issue(request))
        if form_class is CertificateForm
        else form_class(request.POST)
    )
    if form.is_valid():
        try:
            call(actor=_actor(request), arrival=arrival, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Arrival,))
        else:
            messages.success(request, done_message % {"name": arrival.name})
            return redirect("floating:arrival_detail", arrival.pk)
    return _detail(request, arrival, **{key: form})


@GET_POST
def arrival_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)  # and CHANGE to post (_action)
    return _action(
        request,
        pk,
        CertificateForm,
        "certificate_form",
        services.arrival_certificate,
        _("The certificate check of %(name)s was recorded."),
    )


@GET_POST
def arrival_leave(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)  # and CHANGE to post (_action)
    return _action(
        request,
        pk,
        LeaveForm,
        "leave_form",
        services.arrival_leave,
        _("The departure of %(name)s was recorded."),
    )


@GET_POST
def arrival_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)  # and CHANGE to post (_action)
    return _action(
        request,
        pk,
        CancelForm,
        "cancel_form",
        services.arrival_cancel,
        _("The report of %(name)s was cancelled."),
    )
