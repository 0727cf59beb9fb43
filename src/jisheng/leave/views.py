"""Leave approval pages (/leave/…): the list, applying (find the employee, then the form),
one request with its workflow buttons, and a person's leave per year.

Scoped: requests of employers outside the user's subtree answer 404 (audited)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import workflow
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.core.web import GET_POST, require_perm
from jisheng.leave import selectors, services
from jisheng.leave.choices import LeaveKind, LeaveStatus
from jisheng.leave.forms import ApplyForm
from jisheng.leave.models import LeaveRequest
from jisheng.orgs import selectors as org_selectors
from jisheng.people.models import Birth, Couple, Pregnancy
from jisheng.services.models import ContraceptionRecord

VIEW = "leave.view_leaverequest"
ADD = "leave.add_leaverequest"
PAGE_SIZE = 50
EVIDENCE_MODELS = {
    "couple": Couple,
    "birth": Birth,
    "method": ContraceptionRecord,
    "pregnancy": Pregnancy,
}


def _year(text: str | None) -> int | None:
    try:
        year = int(text or "")
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


@require_GET
def leave_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    code = (request.GET.get("unit") or "").strip()
    unit = org_selectors.unit_get(user=request.user, code=code) if code else None
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    year = _year(request.GET.get("year"))
    q = request.GET.get("q", "").strip()
    rows = selectors.requests(request.user, unit=unit, status=status, kind=kind, year=year, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {
        k: v
        for k, v in {"unit": code, "status": status, "kind": kind, "q": q, "year": year}.items()
        if v
    }
    return render(
        request,
        "leave/leave_list.html",
        {
            "page": page,
            "query": urlencode(query),
            "statuses": LeaveStatus.choices,
            "kinds": LeaveKind.choices,
            "status": status,
            "kind": kind,
            "year": year or "",
            "q": q,
            "can_add": request.user.has_perm(ADD),
        },
    )


@require_GET
def leave_apply(request: HttpRequest) -> HttpResponse:
    """Find the employee by name (an employee of a unit in the user's scope)."""
    require_perm(request, ADD)
    q = request.GET.get("q", "").strip()
    found = selectors.employees(request.user, q=q, on=timezone.localdate())
    return render(request, "leave/leave_find.html", {"q": q, "found": found})


def _evidence(key: str) -> dict[str, object]:
    name, _sep, pk = (key or "").partition(":")
    model = EVIDENCE_MODELS.get(name)
    if model is None or not pk.isdigit():
        return {}
    return {name: model.objects.filter(pk=int(pk)).first()}


@GET_POST
def leave_apply_person(request: HttpRequest, pk: int) -> HttpResponse:
    """The application form for one employee (mobile-friendly: one column)."""
    require_perm(request, ADD)
    person = selectors.person_for_leave(request.user, pk)
    evidence = selectors.evidence_of(person)
    form = ApplyForm(
        request.POST if request.method == "POST" else None,
        evidence=evidence,
        initial={"start": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if person.employer is None:
                raise ValidationError(
                    {"kind": _("%(name)s has no employer in the registry.") % {"name": person.name}}
                )
            created = services.leave_apply(
                actor=request.user,
                unit=person.employer,
                person=person,
                kind=data["kind"],
                start=data["start"],
                difficult_birth=data["difficult_birth"],
                days=data["days"],
                **_evidence(data["evidence"]),  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            add_service_errors(
                form,
                exc,
                {
                    "couple": "evidence",
                    "birth": "evidence",
                    "method": "evidence",
                    "pregnancy": "evidence",
                },
                models=(LeaveRequest,),
            )
        else:
            messages.success(
                request,
                _("The leave of %(name)s from %(start)s to %(end)s was applied for.")
                % {
                    "name": person.name,
                    "start": format_cn_date(created.start),
                    "end": format_cn_date(created.end),
                },
            )
            return redirect("leave:detail", created.pk)
    return render(
        request, "leave/leave_apply.html", {"person": person, "form": form, "evidence": evidence}
    )


def _get(request: HttpRequest, pk: int) -> LeaveRequest:
    return get_in_scope_or_404(
        LeaveRequest.objects.select_related("person", "unit", "slip"), request.user, pk=pk
    )


@require_GET
def leave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    leave = _get(request, pk)
    steps = workflow.available(request.user, leave)
    actions = [
        (name, step)
        for name, target in services.ACTIONS.items()
        for step in steps
        if step.target == target
    ]
    return render(request, "leave/leave_detail.html", {"leave": leave, "actions": actions})


@require_POST
def leave_act(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    leave = _get(request, pk)
    seen = request.POST.get("from_status", "")
    if seen in LeaveStatus.values:
        leave.status = seen  # the status the user saw: the workflow compares
    try:
        services.leave_act(
            actor=request.user,
            request=leave,
            action=request.POST.get("action", ""),
            message=request.POST.get("message", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: the leave is now “%(status)s”.") % {
            "status": leave.get_status_display()
        })  # fmt: skip
    return redirect("leave:detail", leave.pk)


@require_GET
def leave_person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's leave in one year: days approved and pending by kind, and the requests."""
    require_perm(request, VIEW)
    person = selectors.person_for_leave(request.user, pk)
    year = _year(request.GET.get("year")) or timezone.localdate().year
    return render(
        request,
        "leave/leave_person.html",
        {
            "person": person,
            "year": year,
            "summary": selectors.year_summary(person, year, request.user),
            "rows": selectors.requests(request.user, person=person, year=year),
            "can_add": request.user.has_perm(ADD),
        },
    )
