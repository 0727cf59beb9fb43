"""Pages of the changes part (/benefits/…, issue 18): a person's benefits (with a
person search), the stops to confirm, overpayments to resolve, arrears due, staff
allowances. Thin: parse, authorise, call a service, render. Scoped: a row or person
outside the user's subtree answers 404 (audited)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.benefits import allowances, stops
from jisheng.benefits import selectors_changes as selectors
from jisheng.benefits import services_changes as services
from jisheng.benefits.choices import EntitlementStatus, OverpaymentStatus
from jisheng.benefits.forms_changes import AllowanceForm, ArrearsForm, ConfirmStopForm, ResolveForm
from jisheng.benefits.models import Entitlement
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs.choices import PositionRole
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Person
from jisheng.people.search import person_search

VIEW = "benefits.view_entitlement"
CHANGE = "benefits.change_entitlement"
ADD_CASE = "benefits.add_case"
VIEW_OVER = "benefits.view_overpayment"
CHANGE_OVER = "benefits.change_overpayment"
VIEW_ALLOWANCE = "benefits.view_allowanceline"
ADD_ALLOWANCE = "benefits.add_allowanceline"
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _labels(request: HttpRequest) -> dict[str, str]:
    unit = getattr(request, "working_unit", None) or getattr(request.user, "unit", None)
    return {k: v.label for k, v in selectors.kinds_of(unit, timezone.localdate()).items()}


class Row:
    """An entitlement as a page shows it: its kind's label, and a stop due at read time
    (before the nightly job made it)."""

    def __init__(self, entitlement: Entitlement, label: str, due: stops.Stop | None) -> None:
        self.e = entitlement
        self.label = label
        self.due = due


@require_GET
def person_benefits(request: HttpRequest) -> HttpResponse:
    """A person's benefits (as the one they are for, or the one paid), reached by a
    search by name or ID number, or ``?person=<id>``."""
    require_perm(request, VIEW)
    user = _user(request)
    q = (request.GET.get("q") or "").strip()[:50]
    person = None
    found: list[Person] = []
    if request.GET.get("person"):
        person = get_in_scope_or_404(
            Person.objects.select_related("unit"), user, pk=request.GET.get("person")
        )
    elif q:
        try:
            found = list(person_search(user=user, q=q)[:20])
        except (ValueError, ValidationError):
            found = []
    rows: list[Row] = []
    overpayments = []
    if person is not None:
        today = timezone.localdate()
        labels = _labels(request)
        for entitlement in selectors.entitlements(user, person=person):
            kind = selectors.kind_of(entitlement.kind, entitlement.unit, today)
            due = (
                stops.due_stop(entitlement, kind, today=today)
                if entitlement.status == EntitlementStatus.ACTIVE
                else None
            )
            rows.append(Row(entitlement, labels.get(entitlement.kind, entitlement.kind), due))
        overpayments = list(selectors.overpayments(user).filter(entitlement__person=person))
    return render(
        request,
        "benefits/changes/person_benefits.html",
        {"q": q, "found": found, "person": person, "rows": rows, "overpayments": overpayments},
    )


@require_GET
def stops_to_confirm(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    user = _user(request)
    unit = getattr(request, "working_unit", None)
    page = Paginator(selectors.stops_to_confirm(user, unit=unit), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels = _labels(request)
    return render(
        request,
        "benefits/changes/stops.html",
        {
            "page": page,
            "rows": [Row(e, labels.get(e.kind, e.kind), None) for e in page],
            "can_confirm": request.user.has_perm(CHANGE),
        },
    )


@GET_POST
def stop_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    user = _user(request)
    entitlement = selectors.entitlement_get(user, pk)
    form = ConfirmStopForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, CHANGE)
        if form.is_valid():
            try:
                services.confirm_stop(
                    actor=user, entitlement=entitlement, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The stop is confirmed."))
                return redirect("benefits:stops_to_confirm")
    over = selectors.overpayments(user).filter(entitlement=entitlement)
    return render(
        request,
        "benefits/changes/stop_confirm.html",
        {
            "e": entitlement,
            "label": _labels(request).get(entitlement.kind, entitlement.kind),
            "form": form,
            "overpayments": over,
            "can_confirm": request.user.has_perm(CHANGE),
        },
    )


@require_GET
def overpayments(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_OVER)
    user = _user(request)
    status = request.GET.get("status", OverpaymentStatus.OPEN)
    if status not in OverpaymentStatus.values:
        status = ""
    page = Paginator(
        selectors.overpayments(user, unit=getattr(request, "working_unit", None), status=status),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/changes/overpayments.html",
        {"page": page, "status": status, "labels": _labels(request)},
    )


@GET_POST
def overpayment_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_OVER)
    user = _user(request)
    over = selectors.overpayment_get(user, pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, CHANGE_OVER)
        if form.is_valid():
            try:
                services.overpayment_resolve(
                    actor=user,
                    overpayment=over,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The overpayment is resolved."))
                return redirect("benefits:overpayments")
    return render(
        request,
        "benefits/changes/overpayment_resolve.html",
        {
            "o": over,
            "label": _labels(request).get(over.entitlement.kind, over.entitlement.kind),
            "form": form,
            "can_resolve": request.user.has_perm(CHANGE_OVER),
        },
    )


@GET_POST
def arrears_due(request: HttpRequest) -> HttpResponse:
    """Months already past never paid: each put in the next open batch of its kind."""
    require_perm(request, VIEW)
    user = _user(request)
    today = timezone.localdate()
    form = ArrearsForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, ADD_CASE)
        entitlement = selectors.entitlement_get(user, int(request.POST.get("entitlement") or 0))
        if form.is_valid():
            try:
                case = services.arrears(
                    actor=user, entitlement=entitlement, through=form.cleaned_data["through"]
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, case.note)
            return redirect("benefits:arrears_due")
    owed = selectors.arrears_due(user, today=today, unit=getattr(request, "working_unit", None))
    return render(
        request,
        "benefits/changes/arrears.html",
        {
            "owed": owed,
            "labels": _labels(request),
            "can_add": request.user.has_perm(ADD_CASE),
        },
    )


@GET_POST
def allowance_batches(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_ALLOWANCE)
    user = _user(request)
    unit: Unit = getattr(request, "working_unit", None) or user.unit  # type: ignore[assignment]
    today = timezone.localdate()
    kinds = [
        (key, kind.label)
        for key, kind in selectors.kinds_of(unit, today).items()
        if kind.subject == "staff"
    ]
    year = today.year
    form = AllowanceForm(
        request.POST or None,
        kinds=kinds,
        initial={
            "period_start": datetime.date(year, 1, 1),
            "period_end": datetime.date(year, 12, 31),
        },
    )
    if request.method == "POST":
        require_perm(request, ADD_ALLOWANCE)
        if form.is_valid():
            try:
                batch = allowances.build(
                    actor=user,
                    kind=form.cleaned_data["kind"],
                    unit=unit,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You may not do this."))
            else:
                messages.success(request, _("The allowance batch is built."))
                return redirect("benefits:allowance_detail", pk=batch.pk)
    page = Paginator(selectors.allowance_batches(user, unit=unit), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "benefits/changes/allowances.html",
        {
            "page": page,
            "form": form,
            "can_add": request.user.has_perm(ADD_ALLOWANCE) and bool(kinds),
        },
    )


def _position_label(key: str) -> str:
    return str(PositionRole(key).label) if key in PositionRole.values else key


@require_GET
def allowance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW_ALLOWANCE)
    user = _user(request)
    batch = get_in_scope_or_404(selectors.allowance_batches(user), user, pk=pk)
    return render(
        request,
        "benefits/changes/allowance_detail.html",
        {
            "batch": batch,
            "lines": [
                (line, _position_label(line.position))
                for line in selectors.allowance_lines(user, batch)
            ],
        },
    )
