"""The benefit flow's pages (/benefits/batches/…, /benefits/objections/…,
/benefits/findings/…): the batch list and detail with its steps, the review of a case,
the 公示 print, objections, and the supervisor's findings. Thin: parse, authorise, call
a service, render. Scoped: a batch, case, objection or finding outside the user's
subtree answers 404 (audited). Buttons only for the steps the user may take."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.benefits import duties, exports_flow
from jisheng.benefits import selectors_flow as selectors
from jisheng.benefits import services_flow as services
from jisheng.benefits.choices import BatchStatus, CaseStatus, ObjectionStatus, Power
from jisheng.benefits.forms_flow import (
    AmountForm,
    AnswerForm,
    FindingForm,
    ObjectionForm,
    ResolveForm,
    StepForm,
    WithdrawForm,
)
from jisheng.benefits.models import Batch, Case, Finding, Objection
from jisheng.core import workflow as wf
from jisheng.core.forms import add_service_errors
from jisheng.core.pdf import pdf_response
from jisheng.core.scope import path_in_scope
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit, User

VIEW = "benefits.view_batch"
CONFIRM = "benefits.confirm_batch"
VIEW_OBJECTION = "benefits.view_objection"
ADD_OBJECTION = "benefits.add_objection"
CHANGE_OBJECTION = "benefits.change_objection"
VIEW_FINDING = "benefits.view_finding"
ADD_FINDING = "benefits.add_finding"
CHANGE_FINDING = "benefits.change_finding"
CHANGE_CASE = "benefits.change_case"
PAGE_SIZE = 50
POWER_OF = {
    "benefits.confirm_batch": Power.CONFIRM,
    "benefits.fund_batch": Power.FUNDS,
    "benefits.pay_batch": Power.PAY,
}
# The steps this part's pages offer (the payments part offers the bank's).
SERVICE_OF: dict[str, Callable[..., Batch]] = {
    BatchStatus.REVIEWED: services.review_complete,
    BatchStatus.NOTICE: services.notice_start,
    BatchStatus.APPROVED: services.approve,
    BatchStatus.FUNDED: services.funds_confirm,
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def case_url(case: Case) -> str:
    """The case's page (the eligibility part's ``benefits:case_detail``), else its row
    on the batch page."""
    try:
        return reverse("benefits:case_detail", args=[case.pk])
    except NoReverseMatch:
        return reverse("benefits:batch_detail", args=[case.batch_id]) + f"#case-{case.pk}"


def _year(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    """The batches of the working unit's subtree: kind, status, unit, year; counts and
    totals."""
    require_perm(request, VIEW)
    user = _user(request)
    code = (request.GET.get("unit") or "").strip()
    unit = org_selectors.unit_get(user=user, code=code) if code else None
    kind = (request.GET.get("kind") or "").strip()[:40]
    status = request.GET.get("status") or ""
    if status not in BatchStatus.values:
        status = ""
    year = _year(request.GET.get("year", ""))
    rows = selectors.batches(user, unit=unit, kind=kind, status=status, year=year)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page:
        batch.kind_name = selectors.kind_label(batch.kind)  # type: ignore[attr-defined]
    query = {k: v for k, v in {"unit": code, "kind": kind, "status": status}.items() if v}
    if year:
        query["year"] = str(year)
    return render(
        request,
        "benefits/flow/batch_list.html",
        {
            "page": page,
            "unit": unit,
            "kind": kind,
            "status": status,
            "year": year or "",
            "kinds": selectors.kinds_in(user),
            "statuses": BatchStatus.choices,
            "totals": selectors.list_totals(rows),
            "query": urlencode(query),
        },
    )


def _steps(user: User, batch: Batch, today: datetime.date) -> list[dict[str, object]]:
    """The steps the user may take on the batch now (a button each)."""
    out = []
    for step in wf.available(user, batch):
        power = POWER_OF.get(step.permission or "")
        if power is None or duties.refusal(batch, user, power) is not None:
            continue
        if step.target == BatchStatus.APPROVED and not services.is_county_user(user, batch):
            continue
        if step.target in (BatchStatus.EXPORTED, BatchStatus.CLOSED):
            continue  # the payments part's pages
        out.append(
            {
                "to": step.target,
                "label": step.verb,
                "message": step.message_required,
                "danger": step.action in (wf.RETURN, wf.CANCEL),
                "waits": (
                    step.target == BatchStatus.APPROVED
                    and (batch.notice_until is None or today <= batch.notice_until)
                ),
            }
        )
    return out


@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    today = timezone.localdate()
    status = request.GET.get("status") or ""
    if status not in CaseStatus.values:
        status = ""
    q = (request.GET.get("q") or "").strip()[:50]
    unit_id = request.GET.get("unit") or ""
    unit = None
    if unit_id.isdigit():
        unit = Unit.objects.filter(pk=int(unit_id)).first()
        if unit is not None and not path_in_scope(unit.path, user):
            unit = None
    rows = selectors.cases(user, batch, status=status, unit=unit, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    in_scope = path_in_scope(batch.unit.path, user)
    may_confirm = (
        user.has_perm(CONFIRM)
        and duties.refusal(batch, user, Power.CONFIRM, path=user.unit.path if user.unit else None)
        is None
    )
    for case in page:
        case.url = case_url(case)  # type: ignore[attr-defined]
    query = {k: v for k, v in {"status": status, "q": q, "unit": unit_id}.items() if v}
    return render(
        request,
        "benefits/flow/batch_detail.html",
        {
            "batch": batch,
            "kind": selectors.kind_label(batch.kind, batch.unit),
            "page": page,
            "status": status,
            "q": q,
            "unit_id": unit_id,
            "case_statuses": CaseStatus.choices,
            "query": urlencode(query),
            "counts": selectors.case_counts(user, batch),
            "by_village": selectors.by_village(user, batch),
            "by_level": selectors.by_level(user, batch),
            "duties": selectors.duty_log(batch),
            "objections": selectors.objections(user, batch=batch),
            "findings": selectors.findings(user, batch=batch),
            "steps": _steps(user, batch, today) if in_scope else [],
            "can_review": may_confirm
            and user.has_perm(CHANGE_CASE)
            and batch.status == BatchStatus.DRAFT,
            "can_object": may_confirm
            and user.has_perm(ADD_OBJECTION)
            and batch.status == BatchStatus.NOTICE,
            "can_resolve": may_confirm and user.has_perm(CHANGE_OBJECTION),
            "can_find": user.has_perm(ADD_FINDING)
            and duties.refusal(batch, user, Power.SUPERVISE) is None,
            "can_answer": user.has_perm(CHANGE_FINDING),
            "can_print": batch.status
            in (BatchStatus.NOTICE, BatchStatus.APPROVED, BatchStatus.FUNDED),
            "today": today,
        },
    )


@require_POST
def batch_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a step of the batch's workflow (``to``; ``message`` for a return or cancel)."""
    require_perm(request, VIEW)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The step was not understood."))
        return redirect("benefits:batch_detail", batch.pk)
    to = form.cleaned_data["to"]
    message = form.cleaned_data["message"]
    try:
        if to == BatchStatus.CANCELLED:
            services.cancel(actor=user, batch=batch, message=message)
        elif batch.status in services.RETURN_TO and services.RETURN_TO[batch.status] == to:
            services.send_back(actor=user, batch=batch, message=message)
        elif to in SERVICE_OF:
            SERVICE_OF[to](actor=user, batch=batch, message=message)
        else:
            raise wf.TransitionNotAllowed(_("This step is not possible now."))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The batch is now “%(status)s”.") % {"status": batch.get_status_display()},
        )
    return redirect("benefits:batch_detail", batch.pk)


# --------------------------------------------------------------------------- cases


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("benefits:batch_detail", args=[case.batch_id]) + f"#case-{case.pk}")


@require_POST
def case_review(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CHANGE_CASE)
    user = _user(request)
    case = selectors.case_get(user, pk)
    try:
        services.case_review(actor=user, case=case)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s: reviewed.") % {"name": case.person.name})
    return _back(case)


@GET_POST
def case_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CHANGE_CASE)
    user = _user(request)
    case = selectors.case_get(user, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_withdraw(actor=user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Case,))
        else:
            messages.success(request, _("%(name)s: withdrawn.") % {"name": case.person.name})
            return _back(case)
    return _case_form(request, case, form, _("Withdraw the case"))


@GET_POST
def case_amount(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CHANGE_CASE)
    user = _user(request)
    case = selectors.case_get(user, pk)
    form = AmountForm(
        request.POST if request.method == "POST" else None,
        initial={"amount": case.amount, "months": case.months},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_amount_change(
                actor=user,
                case=case,
                amount=Decimal(form.cleaned_data["amount"]),
                months=form.cleaned_data["months"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Case,))
        else:
            messages.success(request, _("The amount was corrected."))
            return _back(case)
    return _case_form(request, case, form, _("Correct the amount"))


def _case_form(request: HttpRequest, case: Case, form: forms.Form, title: str) -> HttpResponse:
    return render(
        request,
        "benefits/flow/case_form.html",
        {
            "case": case,
            "batch": case.batch,
            "form": form,
            "title": title,
            "kind": selectors.kind_label(case.kind),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --------------------------------------------------------------------------- 公示


@require_GET
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The 公示 list to print (A4), of the batch or of one village (``unit``)."""
    require_perm(request, VIEW)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    return HttpResponse(
        exports_flow.notice_html(request, user, batch, unit=_notice_unit(request, user))
    )


@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    unit = _notice_unit(request, user)
    fallback = reverse("benefits:notice_print", args=[batch.pk])
    if unit is not None:
        fallback += f"?unit={unit.pk}"
    return pdf_response(
        request,
        exports_flow.notice_html(request, user, batch, unit=unit, for_pdf=True),
        filename=f"notice-{batch.pk}.pdf",
        obj=batch,
        message=_("Public notice printed."),
        fallback=fallback,
    )


def _notice_unit(request: HttpRequest, user: User) -> Unit | None:
    value = request.GET.get("unit") or ""
    if not value.isdigit():
        return None
    unit = Unit.objects.filter(pk=int(value)).first()
    if unit is None or not path_in_scope(unit.path, user):
        return None
    return unit


# --------------------------------------------------------------------------- objections


@GET_POST
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an objection against a case on 公示 (``pk``: the case)."""
    require_perm(request, ADD_OBJECTION)
    user = _user(request)
    case = selectors.case_get(user, pk)
    form = ObjectionForm(
        request.POST if request.method == "POST" else None,
        initial={"raised_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_create(actor=user, case=case, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Objection,))
        else:
            messages.success(request, _("The objection was recorded; this case waits for it."))
            return _back(case)
    return _case_form(request, case, form, _("Record an objection"))


@require_GET
def objection_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_OBJECTION)
    user = _user(request)
    status = request.GET.get("status", ObjectionStatus.OPEN)
    if status not in ObjectionStatus.values and status != "all":
        status = ObjectionStatus.OPEN
    rows = selectors.objections(user, status="" if status == "all" else status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/flow/objection_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ObjectionStatus.choices,
            "query": urlencode({"status": status}),
            "can_resolve": user.has_perm(CHANGE_OBJECTION),
        },
    )


@GET_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CHANGE_OBJECTION)
    user = _user(request)
    objection = selectors.objection_get(user, pk)
    form = ResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_resolve(actor=user, objection=objection, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Objection,))
        else:
            messages.success(request, _("The objection was resolved."))
            return _back(objection.case)
    return render(
        request,
        "benefits/flow/objection_resolve.html",
        {"objection": objection, "case": objection.case, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --------------------------------------------------------------------------- findings


@GET_POST
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor writes a finding on the batch ``pk`` (or one of its cases,
    ``case``)."""
    require_perm(request, ADD_FINDING)
    user = _user(request)
    batch = selectors.batch_get(user, pk)
    case_id = request.POST.get("case") or request.GET.get("case") or ""
    case = selectors.case_get(user, case_id) if case_id else None
    form = FindingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_create(
                actor=user, batch=batch, case=case, text=form.cleaned_data["text"]
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Finding,))
        else:
            messages.success(request, _("The finding was recorded."))
            return redirect("benefits:batch_detail", batch.pk)
    return render(
        request,
        "benefits/flow/finding_form.html",
        {"batch": batch, "case": case, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_FINDING)
    user = _user(request)
    unanswered = request.GET.get("unanswered") == "1"
    rows = selectors.findings(user, unanswered=unanswered)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/flow/finding_list.html",
        {
            "page": page,
            "unanswered": unanswered,
            "query": "unanswered=1" if unanswered else "",
            "can_answer": user.has_perm(CHANGE_FINDING),
        },
    )


@GET_POST
def finding_answer(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CHANGE_FINDING)
    user = _user(request)
    finding = selectors.finding_get(user, pk)
    form = AnswerForm(
        request.POST if request.method == "POST" else None, initial={"answer": finding.answer}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_answer(actor=user, finding=finding, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Finding,))
        else:
            messages.success(request, _("The answer was recorded."))
            return redirect("benefits:finding_list")
    return render(
        request,
        "benefits/flow/finding_answer.html",
        {"finding": finding, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
