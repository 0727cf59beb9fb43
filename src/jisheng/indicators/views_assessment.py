"""Assessment pages (/indicators/assessments/…): the assessments of the working unit
(or ``?unit=CODE``) with a form for a new one, an assessment's ranking with each unit's
explanation, the page where a unit's items are scored by hand (with evidence), the
evidence files, recomputing a draft, approving (freezing) it and the printed report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import audit, periods
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.forms import add_service_errors
from jisheng.core.pdf import pdf_response
from jisheng.core.scope import path_in_scope
from jisheng.core.web import GET_POST, require_perm
from jisheng.indicators import assessment as rules
from jisheng.indicators.forms import AssessmentCreateForm, EntriesForm
from jisheng.indicators.models import Assessment, AssessmentEntry
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit

VIEW = "indicators.view_assessment"
ADD = "indicators.add_assessment"
SCORE = "indicators.change_assessment"
APPROVE = "indicators.approve_assessment"


def _issuer(request: HttpRequest) -> Unit:
    code = (request.GET.get("unit") or request.POST.get("unit") or "").strip()
    if code:
        return org_selectors.unit_get(user=request.user, code=code)
    unit = getattr(request, "working_unit", None) or request.user.unit
    if unit is None:
        raise Http404(_("Not found."))
    return unit


def period_suggestions() -> list[periods.Period]:
    """The half years and years that have begun, the latest first (this year, last)."""
    today = timezone.localdate()
    out = []
    for year in (today.year, today.year - 1):
        for text in (f"{year}", f"{year}H2", f"{year}H1"):
            period = periods.parse(text)
            if period.first <= today:
                out.append(period)
    return out


@GET_POST
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The assessments of the issuing unit; POST computes a new one."""
    require_perm(request, VIEW)
    issuer = _issuer(request)
    form = AssessmentCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require_perm(request, ADD)
        if form.is_valid():
            try:
                created = rules.assessment_create(
                    actor=request.user, issuer=issuer, period=form.cleaned_data["period"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(Assessment,))
            else:
                messages.success(request, _("The assessment was computed."))
                return redirect("indicators:assessment_detail", created.pk)
    return render(
        request,
        "indicators/assessment_list.html",
        {
            "issuer": issuer,
            "assessments": rules.assessment_list(request.user, issuer=issuer),
            "form": form,
            "suggestions": period_suggestions(),
            "can_add": request.user.has_perm(ADD) and path_in_scope(issuer.path, request.user),
        },
    )


def _context(request: HttpRequest, assessment: Assessment) -> dict:
    period = periods.parse(assessment.period)
    writable = path_in_scope(assessment.issuer.path, request.user) and not assessment.frozen
    units = rules.present(assessment.result)
    for unit in units:  # 人工评分 only for a unit that has something to score by hand
        unit["has_manual"] = bool(rules.entry_slots(assessment, unit["id"]))
    return {
        "assessment": assessment,
        "period": period,
        "units": units,
        "ranking_chart": ranking_chart(units),
        "pending": assessment.result.get("pending", []),
        "problems": rules.approval_problems(assessment) if not assessment.frozen else [],
        "period_open": period.last >= timezone.localdate(),
        "can_recompute": writable and request.user.has_perm(ADD),
        "can_score": writable and request.user.has_perm(SCORE),
        "can_approve": writable and request.user.has_perm(APPROVE),
        "can_reopen": assessment.frozen
        and path_in_scope(assessment.issuer.path, request.user)
        and request.user.has_perm(APPROVE),
    }


def ranking_chart(units: list[dict[str, Any]]) -> dict[str, Any]:
    """The data of the ranking's bar chart (ECharts through static/jisheng/js/dashboard.js,
    read from json_script): the units by score, best first; a bar opens the unit's
    explanation on the page."""
    return {
        "name": _("Score"),
        "unit": "points",
        "labels": [u["name"] for u in units],
        "values": [None if u["total"] is None else round(float(u["total"]), 2) for u in units],
        "urls": [f"#unit-{u['id']}" for u in units],
    }


RANKING_HEADERS = ("名次", "单位", "单位代码", "得分", "等次", "一票否决", "末位", "奖惩")


def ranking_rows(units: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The ranking as rows of :data:`RANKING_HEADERS` (the workbook's only sheet)."""
    return [
        (
            u["rank"],
            u["name"],
            u["code"],
            u["total"] if u["total"] is None else round(float(u["total"]), 2),
            u.get("band") or "",
            "是" if u.get("vetoed") else "",
            "是" if u.get("is_last") else "",
            "；".join(f"{c['whom']}：{c['what']}" for c in u["consequence_rows"]),
        )
        for u in units
    ]


@require_GET
def assessment_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking as an .xlsx workbook (audited)."""
    require_perm(request, VIEW)
    assessment = rules.assessment_get(request.user, pk)
    with translation.override("zh-hans"):
        units = rules.present(assessment.result)
        rows = ranking_rows(units)
        title = f"{assessment.issuer.name}{periods.parse(assessment.period).label}考核排名"
    workbook = write_workbook(
        title="考核排名", headers=RANKING_HEADERS, rows=rows, widths={"奖惩": 40}
    )
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=assessment,
        changes={"rows": len(rows)},
        message=_("Exported the ranking of %(title)s.") % {"title": title},
    )
    return xlsx_response(workbook, f"{title}.xlsx")


@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking and, unit by unit, every score explained line by line."""
    require_perm(request, VIEW)
    assessment = rules.assessment_get(request.user, pk)
    return render(request, "indicators/assessment_detail.html", _context(request, assessment))


@require_POST
def assessment_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, ADD)
    assessment = rules.assessment_get(request.user, pk)
    try:
        rules.assessment_recompute(actor=request.user, assessment=assessment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The assessment was recomputed from today's data."))
    return redirect("indicators:assessment_detail", assessment.pk)


@require_POST
def assessment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, APPROVE)
    assessment = rules.assessment_get(request.user, pk)
    try:
        rules.assessment_approve(actor=request.user, assessment=assessment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The assessment was approved; it is frozen now."))
    return redirect("indicators:assessment_detail", assessment.pk)


@require_POST
def assessment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen an approved assessment with a message (a draft again)."""
    require_perm(request, APPROVE)
    assessment = rules.assessment_get(request.user, pk)
    try:
        rules.assessment_reopen(
            actor=request.user, assessment=assessment, message=request.POST.get("message", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The assessment was reopened; it is a draft again."))
    return redirect("indicators:assessment_detail", assessment.pk)


@GET_POST
def assessment_score(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    """One unit: its explanation and the form for what is scored by hand."""
    require_perm(request, VIEW)
    assessment = rules.assessment_get(request.user, pk)
    row = next((u for u in rules.present(assessment.result) if u["id"] == unit_id), None)
    if row is None:
        raise Http404(_("Not found."))
    unit = get_object_or_404(Unit, pk=unit_id)
    slots = rules.entry_slots(assessment, unit_id)
    entries = {e.key: e for e in rules.entries_of(assessment, unit_id)}
    post = request.method == "POST"
    form = EntriesForm(
        request.POST if post else None,
        request.FILES if post else None,
        slots=slots,
        entries=entries,
    )
    context = _context(request, assessment)
    if post:
        require_perm(request, SCORE)
        if not context["can_score"]:
            messages.error(request, _("This assessment can no longer be scored."))
            return redirect("indicators:assessment_detail", assessment.pk)
        if form.is_valid():
            try:
                rules.entries_save(
                    actor=request.user, assessment=assessment, unit=unit, values=form.values()
                )
            except ValidationError as exc:
                _entry_errors(form, exc)
            else:
                messages.success(request, _("The scores of %(unit)s were saved.") % {"unit": unit})
                return redirect(
                    reverse("indicators:assessment_detail", args=[assessment.pk])
                    + f"#unit-{unit_id}"
                )
    return render(
        request,
        "indicators/assessment_score.html",
        {**context, "row": row, "unit": unit, "form": form, "entries": entries},
    )


def _entry_errors(form: EntriesForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.error_dict.items():
        messages_ = [m for e in errors for m in e.messages]
        field = f"{key}__value"
        form.add_error(field if field in form.fields else None, messages_)


@require_GET
def assessment_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file (scoped through its assessment; every opening audited)."""
    require_perm(request, VIEW)
    entry = get_object_or_404(AssessmentEntry.objects.select_related("assessment"), pk=pk)
    rules.assessment_get(request.user, entry.assessment_id)  # 404 + audit outside the scope
    if not entry.evidence:
        raise Http404(_("Not found."))
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=entry,
        message=_("Assessment evidence opened."),
    )
    return FileResponse(entry.evidence.open("rb"), as_attachment=False)


def _print_html(request: HttpRequest, assessment: Assessment, *, for_pdf: bool) -> str:
    """The printed report follows the Chinese template: always in Chinese."""
    with translation.override("zh-hans"):
        return _render_print(request, assessment, for_pdf=for_pdf)


def _render_print(request: HttpRequest, assessment: Assessment, *, for_pdf: bool) -> str:
    return render_to_string(
        "indicators/assessment_print.html",
        {**_context(request, assessment), "for_pdf": for_pdf, "today": timezone.localdate()},
        request=request,
    )


@require_GET
def assessment_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as an A4 page to print."""
    require_perm(request, VIEW)
    assessment = rules.assessment_get(request.user, pk)
    return HttpResponse(_print_html(request, assessment, for_pdf=False))


@require_GET
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as a PDF; the print page when Chromium is not installed."""
    require_perm(request, VIEW)
    assessment = rules.assessment_get(request.user, pk)
    return pdf_response(
        request,
        _print_html(request, assessment, for_pdf=True),
        filename=f"assessment-{assessment.issuer.code}-{assessment.period}.pdf",
        obj=assessment,
        message=_("Assessment report printed."),
        fallback=reverse("indicators:assessment_print", args=[assessment.pk]),
    )
