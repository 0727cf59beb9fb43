"""Sample verification pages (/reports/verification/…): the checks, a new check (the
draw), the check sheet with the entry of each record (phone-sized), the printable
sheet, closing, and the results by unit (信息准确率, 水分) with their Excel export.

Views are thin: check the permission (403), find the check inside the user's data scope
(another unit's check: 404 and a ``denied`` audit event), call the service or selector,
render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import path_in_scope
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.reports import verification as service
from jisheng.reports.forms_verification import ResultForm, VerificationForm
from jisheng.reports.models import Verification, VerificationRecord

VIEW = "reports.view_verification"
ADD = "reports.add_verification"
CLOSE = "reports.change_verification"
RECORD = "reports.change_verificationrecord"
PAGE_SIZE = 50


def _working_unit(request: HttpRequest) -> Unit | None:
    return getattr(request, "working_unit", None) or getattr(request.user, "unit", None)


def _unit_in(request: HttpRequest, verification: Verification) -> Unit:
    """``?unit=CODE`` inside the check's subtree (404 otherwise), else the check's unit."""
    code = (request.GET.get("unit") or "").strip()
    if not code:
        return verification.unit
    unit = org_selectors.unit_get(user=request.user, code=code)
    if not unit.path.startswith(verification.unit.path):
        raise Http404(_("Not found."))
    return unit


# --------------------------------------------------------------------------- list, new


@require_GET
def verification_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    unit = _working_unit(request)
    checks = service.verification_list(request.user, unit=unit)
    page = Paginator(checks, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/verification_list.html",
        {"page": page, "unit": unit, "can_add": request.user.has_perm(ADD)},
    )


@GET_POST
def verification_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, ADD)
    working = _working_unit(request)
    form = VerificationForm(
        request.POST if request.method == "POST" else None,
        initial={"unit": working.code if working else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = data["unit"].strip()
        unit = org_selectors.unit_find(user=request.user, code=code) if code else working
        if unit is None:
            form.add_error("unit", _("No unit with this code in your data scope."))
        else:
            try:
                check = service.verification_create(
                    actor=request.user,
                    unit=unit,
                    frame=data["frame"],
                    size=data["size"],
                    percent=data["percent"],
                    seed=data["seed"],
                    name=data["name"],
                    note=data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(Verification,))
            else:
                messages.success(
                    request,
                    _("%(n)d records drawn from %(population)d with seed %(seed)d.")
                    % {
                        "n": check.records.count(),
                        "population": check.population,
                        "seed": check.seed,
                    },
                )
                return redirect("reports:verification_detail", check.pk)
    return render(
        request,
        "reports/verification_form.html",
        {"form": form, "max_sample": service.MAX_SAMPLE},
    )


# --------------------------------------------------------------------------- the sheet


@require_GET
def verification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The check sheet: the sampled records with the ledger's values and the field's."""
    require_perm(request, VIEW)
    check = service.verification_get(request.user, pk)
    unit = _unit_in(request, check)
    q = request.GET.get("q", "")
    unchecked = request.GET.get("unchecked") == "1"
    records = service.records_of(check, unit=unit, q=q, unchecked_only=unchecked)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = service.results_by_unit(check).total
    query = {k: v for k, v in {"unit": request.GET.get("unit", ""), "q": q}.items() if v}
    if unchecked:
        query["unchecked"] = "1"
    return render(
        request,
        "reports/verification_detail.html",
        {
            "check": check,
            "unit": unit,
            "page": page,
            "q": q,
            "unchecked": unchecked,
            "query": urlencode(query),
            "totals": totals,
            "can_record": check.is_open and request.user.has_perm(RECORD),
            "can_close": check.is_open and request.user.has_perm(CLOSE),
            "can_reopen": not check.is_open and request.user.has_perm(CLOSE),
        },
    )


@require_GET
def verification_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The sheet to print and fill in the field (every record; the printing is audited)."""
    require_perm(request, VIEW)
    check = service.verification_get(request.user, pk)
    records = list(service.records_of(check))
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=check,
        message=_("Check sheet printed (%(n)d records).") % {"n": len(records)},
    )
    return render(
        request,
        "reports/verification_print.html",
        {"check": check, "records": records, "today": timezone.localdate()},
    )


def _next_unchecked(record: VerificationRecord) -> VerificationRecord | None:
    return (
        record.verification.records.filter(checked_on__isnull=True, position__gt=record.position)
        .order_by("position")
        .first()
    )


@GET_POST
def record_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One sampled record: the ledger's values and the form for what the field found."""
    require_perm(request, VIEW)
    record = service.record_get(request.user, pk)
    check = record.verification
    initial = {
        "field_present": (
            None if record.field_present is None else ("yes" if record.field_present else "no")
        ),
        "field_marital_status": record.field_marital_status or record.ledger_marital_status,
        "field_method": record.field_method or record.ledger_method,
        "field_children": (record.field_children if record.checked else record.ledger_children),
        "checked_on": record.checked_on or timezone.localdate(),
        "note": record.note,
    }
    form = ResultForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        require_perm(request, RECORD)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service.record_result(
                    actor=request.user,
                    record=record,
                    present=data["field_present"],
                    marital_status=data["field_marital_status"],
                    method=data["field_method"],
                    children=data["field_children"],
                    note=data["note"],
                    checked_on=data["checked_on"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(VerificationRecord,))
            else:
                messages.success(
                    request,
                    _("Record %(n)d saved.") % {"n": record.position},
                )
                following = _next_unchecked(record)
                if following is not None and request.POST.get("then") == "next":
                    return redirect("reports:verification_record", following.pk)
                return redirect(f"{_detail_url(check)}#record-{record.pk}")
    return render(
        request,
        "reports/verification_record.html",
        {
            "check": check,
            "record": record,
            "form": form,
            "can_record": check.is_open and request.user.has_perm(RECORD),
            "following": _next_unchecked(record),
        },
    )


def _detail_url(check: Verification) -> str:
    from django.urls import reverse

    return reverse("reports:verification_detail", args=[check.pk])


@require_POST
def verification_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, CLOSE)
    check = service.verification_get(request.user, pk)
    try:
        service.verification_close(actor=request.user, verification=check)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The sample verification is closed; its results are frozen."))
    return redirect("reports:verification_detail", check.pk)


@require_POST
def verification_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a closed check again, with a message saying why."""
    require_perm(request, CLOSE)
    check = service.verification_get(request.user, pk)
    try:
        service.verification_reopen(
            actor=request.user, verification=check, message=request.POST.get("message", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The sample verification is open again."))
    return redirect("reports:verification_detail", check.pk)


# --------------------------------------------------------------------------- results


def _parent(request: HttpRequest, check: Verification, unit: Unit) -> Unit | None:
    if unit.pk == check.unit.pk:
        return None
    parent = unit.parent_unit
    return parent if parent is not None and path_in_scope(parent.path, request.user) else None


@require_GET
def verification_results(request: HttpRequest, pk: int) -> HttpResponse:
    """信息准确率 and the ledger–field gap per child unit, rolled up to the viewed unit."""
    require_perm(request, VIEW)
    check = service.verification_get(request.user, pk)
    unit = _unit_in(request, check)
    results = service.results_by_unit(check, unit)
    return render(
        request,
        "reports/verification_results.html",
        {
            "check": check,
            "unit": unit,
            "results": results,
            "parent": _parent(request, check, unit),
            "figure_labels": [label for _key, label in service.FIGURES],
        },
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@require_GET
def verification_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The results by unit as an Excel workbook (the export is audited)."""
    require_perm(request, VIEW)
    check = service.verification_get(request.user, pk)
    unit = _unit_in(request, check)
    results = service.results_by_unit(check, unit)
    headers = [_("Unit"), _("Records"), _("Checked"), _("Accurate"), _("Information accuracy")]
    for _key, label in service.FIGURES:
        headers += [
            _("%(figure)s: ledger") % {"figure": label},
            _("%(figure)s: field") % {"figure": label},
            _("%(figure)s: gap") % {"figure": label},
        ]
    rows = []
    for row in [*results.rows, results.total]:
        line = [row.label or _("Total"), row.records, row.checked, row.accurate, _pct(row.accuracy)]
        for figure in row.figure_list:
            line += [figure.ledger, figure.field, _pct(figure.gap)]
        rows.append(line)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=check,
        message=_("Sample verification results of %(unit)s exported.") % {"unit": unit.name},
    )
    workbook = write_workbook(title=check.name[:31], headers=headers, rows=rows)
    return xlsx_response(workbook, f"{check.name}-{unit.name}.xlsx")
