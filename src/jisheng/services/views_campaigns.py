"""Campaign pages (/services/campaigns/…): the rounds, a new round, a round's
statistics by unit (and their Excel export), drawing the list again, attendance entered
a page at a time, "checked elsewhere" with its certificate, and voiding a row.

Attendance is a service statistic only: no page words anything as a sanction.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.scope import get_person_record_or_404, path_in_scope
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.services import campaigns, selectors_campaigns
from jisheng.services.forms import VoidForm
from jisheng.services.forms_campaigns import (
    AppointmentForm,
    AttendanceFormSet,
    AttendanceRowForm,
    ElsewhereForm,
    RoundForm,
)
from jisheng.services.models import CampaignRound, CampaignTarget

VIEW_ROUND = "services.view_campaignround"
ADD_ROUND = "services.add_campaignround"
VIEW_TARGET = "services.view_campaigntarget"
RECORD_ATTENDANCE = "services.add_campaigntarget"
VOID_TARGET = "services.change_campaigntarget"
PAGE_SIZE = 30


def _base_unit(request: HttpRequest) -> Unit | None:
    return getattr(request, "working_unit", None) or getattr(request.user, "unit", None)


def _unit_param(request: HttpRequest, fallback: Unit | None) -> Unit | None:
    code = (request.GET.get("unit") or "").strip()
    if not code:
        return fallback
    return org_selectors.unit_get(user=request.user, code=code)


def _stats_unit(request: HttpRequest, round_: CampaignRound) -> Unit:
    """The unit whose children the statistics list: ``?unit=``, else the round's unit
    when the user sees all of it, else the user's own unit."""
    unit = _unit_param(request, None)
    if unit is not None:
        return unit
    own = request.user.unit if not request.user.is_superuser else None
    if own is None or path_in_scope(round_.unit.path, request.user):
        return round_.unit
    return own


@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_ROUND)
    rounds = selectors_campaigns.round_list(request.user)
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/campaign_list.html",
        {"page": page, "can_add": request.user.has_perm(ADD_ROUND)},
    )


@GET_POST
def round_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, ADD_ROUND)
    unit = _unit_param(request, _base_unit(request))
    if unit is None:
        raise Http404(_("Not found."))
    today = timezone.localdate()
    version, available = campaigns.campaigns_for(unit, today)
    form = RoundForm(request.POST if request.method == "POST" else None, campaigns=available)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = campaigns.round_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Round %(name)s created with %(n)s persons on its list.")
                % {"name": round_.name, "n": round_.targets.count()},
            )
            return redirect("services:campaign_detail", round_.pk)
    return render(
        request,
        "services/campaign_form.html",
        {"form": form, "unit": unit, "version": version, "available": available},
    )


def _form_errors(form, exc: ValidationError) -> None:
    from jisheng.core.forms import add_service_errors

    add_service_errors(form, exc, models=(CampaignRound, CampaignTarget))


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's statistics per child unit of the viewed unit."""
    require_perm(request, VIEW_ROUND)
    round_ = selectors_campaigns.round_get(request.user, pk)
    unit = _stats_unit(request, round_)
    stats = selectors_campaigns.round_stats(request.user, round_, unit)
    return render(
        request,
        "services/campaign_detail.html",
        {
            "round": round_,
            "unit": unit,
            "stats": stats,
            "can_draw": request.user.has_perm(ADD_ROUND)
            and path_in_scope(round_.unit.path, request.user),
            "can_record": request.user.has_perm(RECORD_ATTENDANCE),
            "parent": _parent(request, unit, round_),
        },
    )


def _parent(request: HttpRequest, unit: Unit, round_: CampaignRound) -> Unit | None:
    """The unit one level up, when the statistics can be viewed there."""
    if unit.pk == round_.unit.pk or not unit.path.startswith(round_.unit.path):
        return None
    parent = unit.parent_unit
    return parent if parent is not None and path_in_scope(parent.path, request.user) else None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@require_GET
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's statistics by unit as an Excel workbook (the export is audited)."""
    require_perm(request, VIEW_ROUND)
    round_ = selectors_campaigns.round_get(request.user, pk)
    unit = _stats_unit(request, round_)
    stats = selectors_campaigns.round_stats(request.user, round_, unit)
    headers = [
        _("Unit"),
        _("Targets"),
        _("Attended"),
        _("Checked elsewhere"),
        _("Coverage"),
        _("IUD in place"),
        _("Pregnant"),
        _("Referred"),
    ]
    rows = [
        [r.label, r.targets, r.attended, r.elsewhere, _pct(r.coverage), r.iud, r.pregnant,
         r.referred]
        for r in [*stats.rows, stats.total]
    ]  # fmt: skip
    rows[-1][0] = _("Total")
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=round_,
        message=_("Campaign statistics of %(unit)s exported.") % {"unit": unit.name},
    )
    workbook = write_workbook(title=round_.name, headers=headers, rows=rows)
    return xlsx_response(workbook, f"{round_.name}-{unit.name}.xlsx")


@require_POST
def round_draw(request: HttpRequest, pk: int) -> HttpResponse:
    """Draw the list again: newcomers are added, nobody is removed."""
    require_perm(request, ADD_ROUND)
    round_ = selectors_campaigns.round_get(request.user, pk)
    added = campaigns.round_redraw(actor=request.user, round_=round_)
    messages.success(request, _("%(n)s persons added to the list.") % {"n": added})
    return redirect("services:campaign_detail", round_.pk)


def _filters(request: HttpRequest) -> dict[str, str]:
    keep = {k: request.GET.get(k, "") for k in ("unit", "q", "open", "target", "page")}
    return {k: v for k, v in keep.items() if v}


@GET_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of the round's targets with their attendance and results, saved in one
    POST for the whole page: all rows or none, errors shown on their rows."""
    require_perm(request, VIEW_TARGET)
    round_ = selectors_campaigns.round_get(request.user, pk)
    unit = _unit_param(request, None)
    q = request.GET.get("q", "")
    open_only = request.GET.get("open") == "1"
    target_id = request.GET.get("target", "")
    qs = selectors_campaigns.targets(
        request.user,
        round_,
        unit=unit,
        q=q,
        open_only=open_only and request.method == "GET",
        target_id=int(target_id) if target_id.isdigit() else None,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    can_record = request.user.has_perm(RECORD_ATTENDANCE)
    late_reason, late_asked = "", False
    if request.method == "POST":
        require_perm(request, RECORD_ATTENDANCE)
        formset = AttendanceFormSet(request.POST, prefix="t")
        late_reason = (request.POST.get("late_reason") or "").strip()[:500]
        if formset.is_valid():
            posted = [f.cleaned_data for f in formset.forms]
            ids = [d["target"] for d in posted]
            rows = list(
                selectors_campaigns.targets(request.user, round_, include_voided=True).filter(
                    pk__in=ids
                )
            )
            if len(rows) != len(set(ids)):
                # targets of another round or outside the user's scope
                outside = CampaignTarget.objects.filter(pk__in=ids).exclude(
                    pk__in=[r.pk for r in rows]
                )
                for target in outside:
                    get_person_record_or_404(
                        CampaignTarget.objects.filter(round=round_), request.user, pk=target.pk
                    )
                raise Http404(_("Not found."))
            by_id = {r.pk: r for r in rows}
            rows = [by_id[i] for i in ids]
            entries = [
                campaigns.AttendanceEntry(
                    target_id=d["target"],
                    attended_on=d["attended_on"],
                    iud_in_place=d["iud_in_place"],
                    pregnant=d["pregnant"],
                    findings=d["findings"],
                    referred=d["referred"],
                    referred_to=d["referred_to"],
                )
                for d in posted
            ]
            try:
                changed = campaigns.attendance_record(
                    actor=request.user,
                    round_=round_,
                    entries=entries,
                    late_reason=late_reason,
                )
            except campaigns.BatchInvalid as exc:
                for index, errors in exc.rows.items():
                    if "补报" in errors.get("attended_on", ""):
                        late_asked = True
                    form = formset.forms[index]
                    for name, message in errors.items():
                        form.add_error(name if name in form.fields else None, message)
                messages.error(request, _("Nothing was saved: correct the rows marked in red."))
            else:
                messages.success(request, _("%(n)s rows saved.") % {"n": len(changed)})
                return redirect(request.get_full_path())
        else:
            messages.error(request, _("Nothing was saved: correct the rows marked in red."))
            by_id = {
                t.pk: t
                for t in selectors_campaigns.targets(request.user, round_).filter(
                    pk__in=[
                        f.data.get(f"{f.prefix}-target")
                        for f in formset.forms
                        if str(f.data.get(f"{f.prefix}-target", "")).isdigit()
                    ]
                )
            }
            rows = [by_id.get(int(f.data.get(f"{f.prefix}-target") or 0)) for f in formset.forms]
            if any(r is None for r in rows):
                raise Http404(_("Not found."))
    else:
        formset = AttendanceFormSet(
            prefix="t", initial=[AttendanceRowForm.initial_for(t) for t in rows]
        )
    filters = _filters(request)
    return render(
        request,
        "services/campaign_attendance.html",
        {
            "round": round_,
            "unit": unit,
            "rows": list(zip(rows, formset.forms, strict=True)),
            "formset": formset,
            "page": page,
            "q": q,
            "open_only": open_only,
            "can_record": can_record,
            # 补报/更正原因 of the page: asked when a row's date is in a closed period
            "late_reason": late_reason,
            "late_asked": late_asked or bool(late_reason),
            "query": urlencode({k: v for k, v in filters.items() if k != "page"}),
            "today": timezone.localdate(),
        },
    )


def _target(request: HttpRequest, pk: int) -> CampaignTarget:
    """A target whose person is now in the user's scope (404, audited, otherwise)."""
    return get_person_record_or_404(
        CampaignTarget.objects.select_related("round", "person", "person__unit", "unit"),
        request.user,
        pk=pk,
    )


def _attendance_row_url(target: CampaignTarget) -> str:
    """The attendance grid of the target's round, opened at her row."""
    return reverse("services:campaign_attendance", args=[target.round_id]) + (
        f"?target={target.pk}"
    )


@GET_POST
def checked_elsewhere(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Checked elsewhere" for one person away, with the certificate (孕检证明)."""
    require_perm(request, RECORD_ATTENDANCE)
    target = _target(request, pk)
    form = ElsewhereForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"checked_elsewhere_on": timezone.localdate()},
    )
    back = _attendance_row_url(target)
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.checked_elsewhere_record(
                actor=request.user,
                target=target,
                checked_on=form.cleaned_data["checked_elsewhere_on"],
                certificate=form.cleaned_data["certificate"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The check of %(name)s elsewhere was recorded.") % {"name": target.person.name},
            )
            return redirect(back)
    return render(
        request,
        "services/campaign_elsewhere.html",
        {"form": form, "target": target, "back": back},
    )


@GET_POST
def target_appointment(request: HttpRequest, pk: int) -> HttpResponse:
    """需另约时间: agree another day with a person not seen yet (the worklist's row)."""
    require_perm(request, RECORD_ATTENDANCE)
    target = _target(request, pk)
    form = AppointmentForm(
        request.POST if request.method == "POST" else None,
        initial={"appointment_on": target.appointment_on},
    )
    attendance_url = _attendance_row_url(target)
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.target_appointment_set(
                actor=request.user,
                target=target,
                appointment_on=form.cleaned_data["appointment_on"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The appointment of %(name)s was saved.") % {"name": target.person.name},
            )
            return redirect(attendance_url)
    return render(
        request,
        "services/campaign_appointment.html",
        {"form": form, "target": target, "attendance_url": attendance_url},
        status=400 if form.errors else 200,
    )


@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploaded certificate (scoped; every download audited)."""
    require_perm(request, VIEW_TARGET)
    target = _target(request, pk)
    if not target.certificate:
        raise Http404(_("Not found."))
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=target,
        message=_("Check certificate opened."),
    )
    return FileResponse(target.certificate.open("rb"), as_attachment=False)


@require_POST
def target_void(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VOID_TARGET)
    target = _target(request, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            campaigns.target_void(
                actor=request.user, target=target, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The record was voided."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("services:campaign_attendance", target.round_id)
