"""Pages of the eligibility part (issue 18): the sweeps (run one, see its cases), a
case and why (the explanation page the flow part links its batch lines to), an
application entered by the office, a disability grade, the budget estimate. Thin: parse,
authorise, call a service, render. Scoped: another unit's case or batch answers 404
(audited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.benefits import selectors_eligibility as selectors
from jisheng.benefits import services_applications
from jisheng.benefits.choices import CaseSource
from jisheng.benefits.forms_eligibility import (
    ApplicationForm,
    BudgetForm,
    DisabilityForm,
    KindUnitForm,
)
from jisheng.benefits.selectors_budget import estimate
from jisheng.benefits.services_sweep import sweep
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import restrict_within
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs.models import Unit, User

VIEW = "benefits.view_case"
CONFIRM = "benefits.confirm_batch"
ADD_DISABILITY = "benefits.add_disabilityrecord"
PAGE_SIZE = 50
MAX_UNITS = 500
LEVELS = {
    "central": "Central",
    "province": "Province",
    "city": "City",
    "county": "County",
    "township": "Township",
    "employer": "Employer",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _units(request: HttpRequest) -> list[Unit]:
    user = _user(request)
    base = getattr(request, "working_unit", None) or user.unit
    return list(
        restrict_within(Unit.objects.filter(is_active=True), user, base).order_by("path")[
            :MAX_UNITS
        ]
    )


def _kinds(request: HttpRequest) -> dict[str, str]:
    user = _user(request)
    base = getattr(request, "working_unit", None) or user.unit
    return {k: v.label for k, v in selectors.kinds_in_force(base).items()}


def level_label(level: str) -> str:
    return _(LEVELS.get(level, level))


@GET_POST
def sweep_list(request: HttpRequest) -> HttpResponse:
    """The batches of the user's subtree and the form that runs a sweep."""
    require_perm(request, VIEW)
    user = _user(request)
    can_run = user.has_perm(CONFIRM)
    units = _units(request)
    kinds = _kinds(request)
    form = KindUnitForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        units=units,
        initial={"unit": units[0].pk if units else None, "year": timezone.localdate().year},
    )
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied(_("You do not hold the power to confirm eligibility."))
        if form.is_valid():
            start, end = form.period()
            try:
                batch = sweep(
                    actor=user,
                    kind=form.cleaned_data["kind"],
                    unit=form.chosen_unit(),
                    period_start=start,
                    period_end=end,
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request,
                    _("The sweep found %(n)s cases.") % {"n": batch.case_count},
                )
                return redirect("benefits:sweep_result", batch.pk)
    page = Paginator(selectors.batches(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/eligibility/sweep_list.html",
        {"form": form, "page": page, "can_run": can_run, "kinds": kinds},
    )


@require_GET
def sweep_result(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's cases (eligible first), each linked to its explanation."""
    require_perm(request, VIEW)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    show = request.GET.get("show", "")
    eligible = {"eligible": True, "ineligible": False}.get(show)
    cases = selectors.batch_cases(user, batch, eligible=eligible)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/eligibility/sweep_result.html",
        {"batch": batch, "page": page, "show": show},
    )


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case and why: each clause ✓/✗ with its text and records, months, amount, shares."""
    require_perm(request, VIEW)
    user = _user(request)
    case = selectors.case_get(user, pk)
    shares = [
        (level_label(s.level), s.payer.name if s.payer is not None else "", s.amount)
        for s in selectors.case_shares(case)
    ]
    return render(
        request,
        "benefits/eligibility/case_detail.html",
        {
            "case": case,
            "clauses": selectors.explanation(user, case),
            "shares": shares,
            "kind_label": _kinds(request).get(case.kind, case.kind),
        },
    )


@GET_POST
def application_create(request: HttpRequest) -> HttpResponse:
    """The office enters an application: find the person, choose the benefit and the
    year; evaluated at once, recorded in the open DRAFT batch."""
    require_perm(request, CONFIRM)
    user = _user(request)
    q = request.GET.get("q", "")
    person = None
    person_id = request.GET.get("person") or request.POST.get("person")
    if person_id and str(person_id).isdigit():
        person = selectors.person_get(user, int(person_id))
    units = _units(request)
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        kinds=_kinds(request),
        units=units,
        initial={"unit": units[0].pk if units else None, "year": timezone.localdate().year},
    )
    if request.method == "POST" and person is not None and form.is_valid():
        start, end = form.period()
        try:
            case = services_applications.application_create(
                actor=user,
                kind=form.cleaned_data["kind"],
                person=person,
                unit=form.chosen_unit(),
                period_start=start,
                period_end=end,
                source=CaseSource.ENTERED,
                note=form.cleaned_data.get("note", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                add_service_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            if case.eligible:
                messages.success(request, _("The application was recorded: eligible."))
            else:
                messages.warning(
                    request,
                    _("The application was recorded: not eligible (see the failed clause)."),
                )
            return redirect("benefits:case_detail", case.pk)
    return render(
        request,
        "benefits/eligibility/application_form.html",
        {
            "form": form,
            "q": q,
            "found": selectors.persons_found(user, q) if q and person is None else [],
            "person": person,
        },
    )


@GET_POST
def disability_create(request: HttpRequest) -> HttpResponse:
    """A disability grade as certified, for a person found by name (特别扶助 reads it)."""
    require_perm(request, ADD_DISABILITY)
    user = _user(request)
    q = request.GET.get("q", "")
    person = None
    person_id = request.GET.get("person") or request.POST.get("person")
    if person_id and str(person_id).isdigit():
        person = selectors.person_get(user, int(person_id))
    form = DisabilityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and person is not None and form.is_valid():
        try:
            services_applications.disability_create(
                actor=user,
                person=person,
                grade=form.cleaned_data["grade"],
                certified_on=form.cleaned_data["certified_on"],
                certificate_number=form.cleaned_data.get("certificate_number", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The disability grade was recorded."))
            return redirect("benefits:sweep_list")
    return render(
        request,
        "benefits/eligibility/disability_form.html",
        {
            "form": form,
            "q": q,
            "found": selectors.persons_found(user, q) if q and person is None else [],
            "person": person,
        },
    )


@require_GET
def budget(request: HttpRequest) -> HttpResponse:
    """Next year's estimate by unit and funding level; ``format=xlsx``: the workbook."""
    require_perm(request, VIEW)
    user = _user(request)
    unit = getattr(request, "working_unit", None) or user.unit
    if unit is None:
        raise PermissionDenied(_("Your account has no unit."))
    form = BudgetForm(request.GET or {"year": timezone.localdate().year + 1})
    year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year + 1
    result = estimate(unit, year)
    levels = [(lv, level_label(lv)) for lv in result.levels]
    if request.GET.get("format") == "xlsx":
        headers = [
            _("Unit"),
            _("Benefit"),
            _("Persons"),
            *[label for _lv, label in levels],
            _("Total (yuan)"),
        ]
        rows = [
            [
                r.unit.name,
                r.label,
                r.persons,
                *[r.by_level.get(lv) or 0 for lv, _l in levels],
                r.total,
            ]
            for r in result.rows
        ]
        rows.append(
            [
                _("Total"),
                "",
                sum(r.persons for r in result.rows),
                *[result.level_total(lv) for lv, _l in levels],
                result.total,
            ]
        )
        book = write_workbook(
            title=_("Budget %(year)s") % {"year": year}, headers=headers, rows=rows
        )
        audit.record(
            actor=user,
            action=AuditAction.EXPORT,
            obj=unit,
            message=_("Budget estimate %(year)s exported (Excel).") % {"year": year},
        )
        return xlsx_response(book, f"budget-{year}.xlsx")
    table = [(r, [r.by_level.get(lv) or 0 for lv, _l in levels]) for r in result.rows]
    return render(
        request,
        "benefits/eligibility/budget.html",
        {
            "form": form,
            "budget": result,
            "levels": levels,
            "table": table,
            "level_totals": [result.level_total(lv) for lv, _l in levels],
        },
    )
