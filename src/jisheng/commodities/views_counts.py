"""Pages of the physical counts (盘点), the quality-check register and the
adverse-reaction reports (/commodities/counts/…). Thin: the rules live in
``counts.py`` and ``quality.py``; another unit's count or store answers 404 (audited)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jisheng.commodities import counts, quality, selectors
from jisheng.commodities.choices import (
    Condition,
    CountStatus,
    DocumentKind,
    Outcome,
    QualityAction,
    Severity,
)
from jisheng.commodities.models import AdverseReaction, Lot, Product, QualityCheck, Store
from jisheng.commodities.services import may_post, require_movement_perm
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import xlsx_response
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import get_in_scope_or_404
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.core.web import GET_POST, require_perm

VIEW = "commodities.view_physicalcount"
ADD = "commodities.add_physicalcount"
APPROVE = "commodities.change_physicalcount"
VIEW_QC = "commodities.view_qualitycheck"
ADD_QC = "commodities.add_qualitycheck"
VIEW_AR = "commodities.view_adversereaction"
ADD_AR = "commodities.add_adversereaction"
PAGE_SIZE = 50
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _unit(request: HttpRequest) -> Any:
    return getattr(request, "working_unit", None)


def _stores(request: HttpRequest) -> Any:
    return selectors.stores_visible(request.user, _unit(request)).filter(active=True)


def _store_from(request: HttpRequest, value: str) -> Store | None:
    if not value:
        return None
    return get_in_scope_or_404(Store.objects.select_related("unit"), request.user, pk=value)


def _day(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


# --- physical counts ---------------------------------------------------------------------


class OpenForm(forms.Form):
    store = forms.ModelChoiceField(label=gettext_lazy("Store"), queryset=Store.objects.none())
    counted_on = forms.DateField(label=gettext_lazy("Counted on"), widget=DATE_INPUT)
    counted_by = forms.CharField(label=gettext_lazy("Counted by"), max_length=50, required=False)

    def __init__(self, *args: Any, stores: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores


@require_GET
def count_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    stores = _stores(request)
    store = _store_from(request, request.GET.get("store", ""))
    rows = counts.counts_visible(request.user, _unit(request), store)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    form = OpenForm(
        stores=stores,
        initial={"store": store or stores.first(), "counted_on": timezone.localdate()},
    )
    return render(
        request,
        "commodities/count_list.html",
        {
            "page": page,
            "unit": _unit(request),
            "stores": stores,
            "store": store,
            "query": urlencode({"store": store.pk} if store else {}),
            "form": form,
            "can_add": request.user.has_perm(ADD),
        },
    )


@GET_POST
def count_open(request: HttpRequest) -> HttpResponse:
    require_perm(request, ADD)
    stores = _stores(request)
    form = OpenForm(
        request.POST if request.method == "POST" else None,
        stores=stores,
        initial={"counted_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = counts.count_open(
                request.user, data["store"], data["counted_on"], counted_by=data["counted_by"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, models=(counts.PhysicalCount,))
        else:
            messages.success(request, _("The count sheet was opened."))
            return redirect("commodities:count", count.pk)
    return render(request, "commodities/count_open.html", {"form": form})


def _entry_values(request: HttpRequest, lines: list[Any]) -> tuple[dict, dict]:
    values = {line.pk: request.POST.get(f"counted_{line.pk}", "") for line in lines}
    reasons = {
        line.pk: request.POST[f"reason_{line.pk}"]
        for line in lines
        if f"reason_{line.pk}" in request.POST
    }
    return values, reasons


@GET_POST
def count_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The count sheet on a phone: one big input per line; saving goes to the
    differences."""
    require_perm(request, VIEW)
    count = counts.count_get(request.user, pk)
    lines = counts.count_lines(count)
    editable = count.status in counts.EDITABLE and request.user.has_perm(ADD)
    errors: dict[str, list[str]] = {}
    posted: dict[int, str] = {}
    posted_reasons: dict[int, str] = {}
    if request.method == "POST":
        require_perm(request, ADD)
        values, reasons = _entry_values(request, lines)
        posted, posted_reasons = values, reasons
        try:
            counts.count_enter(
                request.user,
                count,
                values,
                reasons,
                counted_by=request.POST.get("counted_by"),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"count": exc.messages}
        else:
            messages.success(request, _("The counts were saved."))
            return redirect("commodities:count_differences", count.pk)
    rows = [
        {
            "line": line,
            "value": posted.get(line.pk, "" if line.counted is None else line.counted),
            "reason": posted_reasons.get(line.pk, line.reason),
            "errors": errors.get(f"line_{line.pk}", []) + errors.get(f"reason_{line.pk}", []),
        }
        for line in lines
    ]
    other = [m for key, msgs in errors.items() if not key.startswith(("line_", "reason_"))
             for m in msgs]  # fmt: skip
    return render(
        request,
        "commodities/count_detail.html",
        {
            "count": count,
            "rows": rows,
            "editable": editable,
            "errors": errors,
            "other_errors": other,
            "counted_by": request.POST.get("counted_by", count.counted_by),
        },
        status=400 if errors else 200,
    )


@require_GET
def count_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable count sheet (A4): book figures and a blank counted column."""
    require_perm(request, VIEW)
    count = counts.count_get(request.user, pk)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=count,
        message=_("Count sheet printed."),
    )
    return render(
        request,
        "commodities/count_sheet.html",
        {"count": count, "lines": counts.count_lines(count)},
    )


@require_GET
def count_differences(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    count = counts.count_get(request.user, pk)
    lines = counts.count_lines(count)
    differing = [line for line in lines if line.counted is not None and line.difference]
    return render(
        request,
        "commodities/count_differences.html",
        {
            "count": count,
            "lines": lines,
            "differing": len(differing),
            "uncounted": sum(1 for line in lines if line.counted is None),
            "adjustment": counts.adjustment_of(count),
            "can_submit": count.status in counts.WITH_COUNTER and request.user.has_perm(ADD),
            "can_return": count.status == CountStatus.SUBMITTED and request.user.has_perm(APPROVE),
            "can_approve": count.status in counts.EDITABLE
            and request.user.has_perm(APPROVE)
            and may_post(request.user, DocumentKind.ADJUSTMENT),
            "can_edit": count.status in counts.EDITABLE and request.user.has_perm(ADD),
        },
    )


def _transition(request: HttpRequest, pk: int, perm: str, call: Any, done: str) -> HttpResponse:
    require_perm(request, perm)
    count = counts.count_get(request.user, pk)
    try:
        call(count)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("commodities:count_differences", count.pk)


@require_POST
def count_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        ADD,
        lambda c: counts.count_submit(request.user, c),
        _("The count was submitted for approval."),
    )


@require_POST
def count_approve(request: HttpRequest, pk: int) -> HttpResponse:
    # Approval posts the count adjustment: its permission first (refusal audited), as
    # the service checks it again.
    require_movement_perm(request.user, DocumentKind.ADJUSTMENT)
    return _transition(
        request,
        pk,
        APPROVE,
        lambda c: counts.count_approve(request.user, c),
        _("The count was approved and the differences posted."),
    )


@require_POST
def count_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Return a submitted count to the counter with a message (退回意见)."""
    return _transition(
        request,
        pk,
        APPROVE,
        lambda c: counts.count_return(request.user, c, request.POST.get("message", "")),
        _("The count was returned to the counter."),
    )


@require_POST
def count_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        APPROVE,
        lambda c: counts.count_cancel(request.user, c, request.POST.get("reason", "")),
        _("The count was cancelled."),
    )


# --- quality-check register --------------------------------------------------------------


class QualityForm(forms.Form):
    checked_on = forms.DateField(label=gettext_lazy("Checked on"), widget=DATE_INPUT)
    lot = forms.ModelChoiceField(label=gettext_lazy("Lot"), queryset=Lot.objects.none())
    condition = forms.ChoiceField(
        label=gettext_lazy("Condition"), choices=Condition.choices, widget=forms.RadioSelect
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"), choices=QualityAction.choices, widget=forms.RadioSelect
    )
    checked_by = forms.CharField(label=gettext_lazy("Checked by"), max_length=50)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, lots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots
        self.fields["lot"].label_from_instance = lambda lot: (
            _("%(product)s, lot %(lot)s (expires %(expiry)s)")
            % {
                "product": lot.product.name,
                "lot": lot.number,
                "expiry": format_cn_date(lot.expires_on),
            }
        )


@require_GET
def quality_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_QC)
    stores = _stores(request)
    store = _store_from(request, request.GET.get("store", ""))
    rows = quality.quality_checks_visible(request.user, _unit(request), store)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "commodities/quality_list.html",
        {
            "page": page,
            "unit": _unit(request),
            "stores": stores,
            "store": store,
            "query": urlencode({"store": store.pk} if store else {}),
            "can_add": request.user.has_perm(ADD_QC),
        },
    )


@GET_POST
def quality_new(request: HttpRequest, store_pk: int) -> HttpResponse:
    require_perm(request, ADD_QC)
    store = _store_from(request, str(store_pk))
    assert store is not None
    form = QualityForm(
        request.POST if request.method == "POST" else None,
        lots=quality.lots_held(store),
        initial={"checked_on": timezone.localdate(), "action": QualityAction.NONE},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quality.quality_check_record(actor=request.user, store=store, **data)
        except ValidationError as exc:
            add_service_errors(form, exc, models=(QualityCheck,))
        else:
            messages.success(request, _("The quality check was recorded."))
            return redirect(f"{_reverse('commodities:quality_list')}?store={store.pk}")
    return render(
        request,
        "commodities/quality_form.html",
        {"form": form, "store": store},
        status=400 if form.errors else 200,
    )


def _reverse(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


# --- adverse reactions -------------------------------------------------------------------


class AdverseForm(forms.Form):
    id_number = forms.CharField(
        label=gettext_lazy("The person's ID number"), max_length=18, required=False
    )
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"), queryset=Product.objects.filter(active=True)
    )
    lot_number = forms.CharField(
        label=gettext_lazy("Lot number (if known)"), max_length=40, required=False
    )
    started_on = forms.DateField(label=gettext_lazy("Started on"), widget=DATE_INPUT)
    reported_on = forms.DateField(label=gettext_lazy("Reported on"), widget=DATE_INPUT)
    description = forms.CharField(
        label=gettext_lazy("What happened"), max_length=500, widget=forms.Textarea({"rows": 3})
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"), choices=Severity.choices, widget=forms.RadioSelect
    )
    action_taken = forms.CharField(
        label=gettext_lazy("Action taken"), max_length=300, required=False
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reporter = forms.CharField(label=gettext_lazy("Reported by"), max_length=50)


class AdverseFilter(forms.Form):
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"), queryset=Product.objects.all(), required=False
    )
    lot = forms.CharField(label=gettext_lazy("Lot number"), max_length=40, required=False)
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        choices=[("", gettext_lazy("All")), *Severity.choices],
        required=False,
    )
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT, required=False)
    end = forms.DateField(label=gettext_lazy("To"), widget=DATE_INPUT, required=False)


def _adverse_rows(request: HttpRequest) -> tuple[Any, AdverseFilter]:
    form = AdverseFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    lot = None
    number = (data.get("lot") or "").strip()
    if number:
        lots = Lot.objects.filter(number=number)
        if data.get("product"):
            lots = lots.filter(product=data["product"])
        lot = lots.first()
    rows = quality.adverse_reactions(
        request.user,
        _unit(request),
        product=data.get("product"),
        lot=lot,
        severity=data.get("severity") or "",
        start=data.get("start"),
        end=data.get("end"),
    )
    if number and lot is None:
        rows = rows.none()
    return rows, form


@require_GET
def adverse_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_AR)
    rows, form = _adverse_rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "commodities/adverse_list.html",
        {
            "page": page,
            "form": form,
            "unit": _unit(request),
            "query": query.urlencode(),
            "can_add": request.user.has_perm(ADD_AR),
        },
    )


@require_GET
def adverse_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_AR)
    rows, _form = _adverse_rows(request)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="commodities.adversereaction",
        message=_("Adverse reactions exported to Excel (%(n)s rows).") % {"n": rows.count()},
    )
    return xlsx_response(quality.adverse_workbook(rows), f"{_('Adverse reactions')}.xlsx")


@GET_POST
def adverse_new(request: HttpRequest) -> HttpResponse:
    require_perm(request, ADD_AR)
    from jisheng.people.selectors import person_get
    from jisheng.people.services import find_by_id_number

    person = None
    person_pk = request.GET.get("person") or request.POST.get("person")
    if person_pk:
        if not str(person_pk).isdigit():
            raise Http404
        person = person_get(user=request.user, pk=int(person_pk))
    today = timezone.localdate()
    form = AdverseForm(
        request.POST if request.method == "POST" else None,
        initial={"reported_on": today, "outcome": Outcome.UNKNOWN},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if person is None:
            number = (data["id_number"] or "").strip().upper()
            person = find_by_id_number(number) if number else None
            if person is None:
                form.add_error("id_number", _("No person with this ID number is registered."))
        lot = None
        number = (data["lot_number"] or "").strip()
        if number:
            lot = Lot.objects.filter(number=number, product=data["product"]).first()
            if lot is None:
                lot = Lot.objects.filter(number=number).first()
            if lot is None:
                form.add_error("lot_number", _("No lot with this number."))
        if person is not None and not form.errors:
            try:
                quality.adverse_reaction_report(
                    actor=request.user,
                    person=person,
                    product=data["product"],
                    lot=lot,
                    started_on=data["started_on"],
                    reported_on=data["reported_on"],
                    description=data["description"],
                    severity=data["severity"],
                    action_taken=data["action_taken"],
                    outcome=data["outcome"],
                    reporter=data["reporter"],
                )
            except PermissionDenied:
                form.add_error("id_number", _("This person is outside your data scope."))
                person = None
                status = 403
            except ValidationError as exc:
                add_service_errors(form, exc, {"lot": "lot_number"}, models=(AdverseReaction,))
            else:
                messages.success(request, _("The adverse reaction was reported."))
                return redirect("commodities:adverse_list")
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "commodities/adverse_form.html",
        {"form": form, "person": person},
        status=status,
    )
