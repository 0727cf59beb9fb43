"""Rental-housing pages (/floating/properties/…): the list (filters, search by address or
landlord, let or not), a property with its tenants (current and past), agreements and
arrivals, and the forms. Scoped: another unit's property answers 404 (audited)."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import crypto, idnumber
from jisheng.core.excel import ExcelImportError, ImportResult, SheetRow, read_sheet
from jisheng.core.forms import add_service_errors
from jisheng.core.scope import restrict_within
from jisheng.core.web import GET_POST, require_perm
from jisheng.floating import selectors_housing as selectors
from jisheng.floating import services_housing as services
from jisheng.floating.forms_housing import (
    MAX_UNITS,
    AgreementForm,
    PropertyEditForm,
    PropertyForm,
    TenancyEndForm,
    TenancyForm,
    UploadForm,
)
from jisheng.floating.models import LandlordAgreement, RentalProperty, Tenancy
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Person

VIEW = "floating.view_rentalproperty"
ADD = "floating.add_rentalproperty"
CHANGE = "floating.change_rentalproperty"
ADD_TENANCY = "floating.add_tenancy"
ADD_AGREEMENT = "floating.add_landlordagreement"
PAGE_SIZE = 50
MAX_UPLOAD = 5 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def form_messages(form: forms.Form) -> list[str]:
    """A bound form's error messages as text (shown as messages on a page of buttons)."""
    return [str(m) for errors in form.errors.values() for m in errors]


def units_below(request: HttpRequest) -> list[Unit]:
    """The working unit (else the user's) and the units below it, for a unit select."""
    user = _user(request)
    base = getattr(request, "working_unit", None) or user.unit
    qs = restrict_within(Unit.objects.filter(is_active=True), user, base)
    return list(qs.order_by("path")[:MAX_UNITS])


@require_GET
def property_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    code = (request.GET.get("unit") or "").strip()
    unit = (
        org_selectors.unit_get(user=request.user, code=code)
        if code
        else getattr(request, "working_unit", None)
    )
    q = request.GET.get("q", "")
    let_text = request.GET.get("let", "")
    let = {"1": True, "0": False}.get(let_text)
    today = timezone.localdate()
    rows = selectors.property_list(_user(request), unit=unit, q=q, let=let, day=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"unit": code, "q": q, "let": let_text}.items() if v}
    return render(
        request,
        "floating/property_list.html",
        {
            "page": page,
            "unit": unit,
            "q": q,
            "let": let_text,
            "query": urlencode(query),
            "can_add": request.user.has_perm(ADD),
        },
    )


def _landlord(request: HttpRequest, form: PropertyForm, unit: Unit) -> tuple[bool, Person | None]:
    """The registry person named by the landlord's ID number (the form's error otherwise)."""
    text = idnumber.normalise(form.cleaned_data.get("landlord_id_number") or "")
    if not text:
        return True, None
    try:
        number = idnumber.parse(text).number
    except ValidationError as exc:
        form.add_error("landlord_id_number", exc.messages)
        return False, None
    person = (
        restrict_within(Person.objects.select_related("unit"), _user(request), unit)
        .filter(id_hash=crypto.lookup_hash(number))
        .first()
    )
    if person is None:
        form.add_error("landlord_id_number", _("No resident of this unit has this ID number."))
        return False, None
    return True, person


@GET_POST
def property_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, ADD)
    units = units_below(request)
    working = getattr(request, "working_unit", None)
    form = PropertyForm(
        request.POST if request.method == "POST" else None,
        units=units,
        initial={
            "filed_on": timezone.localdate(),
            "kind": "house",
            "rooms": 1,
            "unit": working.pk if working else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        unit = form.chosen_unit()
        ok, landlord = _landlord(request, form, unit)
        if ok:
            data = form.cleaned_data
            try:
                prop = services.property_file(
                    actor=_user(request),
                    unit=unit,
                    address=data["address"],
                    kind=data["kind"],
                    rooms=data["rooms"],
                    landlord_name=data["landlord_name"],
                    landlord_phone=data["landlord_phone"],
                    landlord=landlord,
                    filed_on=data["filed_on"],
                    note=data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(RentalProperty,))
            else:
                messages.success(request, _("The property was filed."))
                return redirect("floating:property_detail", prop.pk)
    return render(request, "floating/property_form.html", {"form": form, "property": None})


@GET_POST
def property_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    prop = selectors.property_get(_user(request), pk)
    require_perm(request, CHANGE)
    form = PropertyEditForm(
        request.POST if request.method == "POST" else None,
        units=[prop.unit],
        initial={
            "address": prop.address,
            "kind": prop.kind,
            "rooms": prop.rooms,
            "landlord_name": prop.landlord_name,
            "landlord_phone": prop.landlord_phone,
            "note": prop.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        ok, landlord = _landlord(request, form, prop.unit)
        if ok:
            data = form.cleaned_data
            try:
                services.property_update(
                    actor=_user(request),
                    property=prop,
                    address=data["address"],
                    kind=data["kind"],
                    rooms=data["rooms"],
                    landlord_name=data["landlord_name"],
                    landlord_phone=data["landlord_phone"],
                    landlord=landlord or prop.landlord,
                    note=data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(RentalProperty,))
            else:
                messages.success(request, _("The property was saved."))
                return redirect("floating:property_detail", prop.pk)
    return render(request, "floating/property_form.html", {"form": form, "property": prop})


@require_GET
def property_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    prop = selectors.property_get(_user(request), pk)
    today = timezone.localdate()
    tenancies = list(selectors.tenancies_of(prop))
    agreements = list(selectors.agreements_of(prop))
    for tenancy in tenancies:
        tenancy.days_late = services.report_days_late(  # type: ignore[attr-defined]
            tenancy, agreements=agreements
        )
    return render(
        request,
        "floating/property_detail.html",
        {
            "property": prop,
            "current": [t for t in tenancies if t.moved_out is None],
            "past": [t for t in tenancies if t.moved_out is not None],
            "agreements": agreements,
            "in_force": services.agreement_in_force(prop, today),
            "arrivals": selectors.arrivals_of(prop),
            "end_form": TenancyEndForm(initial={"moved_out": today}),
            "upload_form": UploadForm(),
            "can_change": request.user.has_perm(CHANGE),
            "can_add_tenancy": request.user.has_perm(ADD_TENANCY),
            "can_sign": request.user.has_perm(ADD_AGREEMENT),
        },
    )


@require_POST
def property_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    prop = selectors.property_get(_user(request), pk)
    require_perm(request, CHANGE)
    reopen = request.POST.get("reopen") == "1"
    try:
        services.property_close(actor=_user(request), property=prop, reopen=reopen)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The property is let again.") if reopen else _("The property is no longer let."),
        )
    return redirect("floating:property_detail", prop.pk)


@GET_POST
def property_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    prop = selectors.property_get(_user(request), pk)
    require_perm(request, ADD_AGREEMENT)
    today = timezone.localdate()
    form = AgreementForm(
        request.POST if request.method == "POST" else None, initial={"signed_on": today}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.landlord_agreement_sign(
                actor=_user(request), property=prop, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc, models=(LandlordAgreement,))
        else:
            messages.success(request, _("The landlord's agreement was recorded."))
            return redirect("floating:property_detail", prop.pk)
    return render(
        request,
        "floating/property_agreement.html",
        {
            "property": prop,
            "form": form,
            "days": services.landlord_report_days(prop.unit, today),
        },
    )


@GET_POST
def tenancy_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    prop = selectors.property_get(_user(request), pk)
    require_perm(request, ADD_TENANCY)
    today = timezone.localdate()
    form = TenancyForm(
        request.POST if request.method == "POST" else None,
        initial={"moved_in": today, "reported_on": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            tenancy = services.tenancy_report(
                actor=_user(request), property=prop, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc, models=(Tenancy,))
        else:
            if tenancy.person_id:
                messages.success(
                    request, _("The tenant was recorded: she is registered as living here.")
                )
            else:
                messages.success(
                    request,
                    _("The tenant was recorded and is on the worklist to be registered."),
                )
            return redirect("floating:property_detail", prop.pk)
    return render(request, "floating/tenancy_form.html", {"property": prop, "form": form})


@require_POST
def tenancy_end(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    tenancy = selectors.tenancy_get(_user(request), pk)
    require_perm(request, ADD_TENANCY)
    form = TenancyEndForm(request.POST)
    if form.is_valid():
        try:
            services.tenancy_end(
                actor=_user(request), tenancy=tenancy, moved_out=form.cleaned_data["moved_out"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The tenant's moving out was recorded."))
    else:
        for message in form_messages(form):
            messages.error(request, message)
    return redirect("floating:property_detail", tenancy.property_id)


def read_upload(upload: UploadedFile) -> list[SheetRow]:
    """An uploaded tenant list: an Excel workbook (sheet 租户名单 or the first) or a CSV
    file (UTF-8 or GB18030) with the same headers."""
    name = (upload.name or "").lower()
    if upload.size is not None and upload.size > MAX_UPLOAD:
        raise ExcelImportError(_("The file is too large."))
    if name.endswith(".csv"):
        raw = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ExcelImportError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        reader = csv.DictReader(io.StringIO(text))
        missing = [h for h in services.TENANT_REQUIRED if h not in (reader.fieldnames or [])]
        if missing:
            raise ExcelImportError(
                _("The file lacks the columns %(names)s.") % {"names": "、".join(missing)}
            )
        return [
            SheetRow(number=i, values={k: (v or "").strip() for k, v in row.items() if k})
            for i, row in enumerate(reader, start=2)
        ]
    sheet = read_sheet(upload, filename=upload.name, required_headers=services.TENANT_REQUIRED)
    return sheet.rows


@require_POST
def tenancy_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A tenant list of one property: every row checked, nothing half-imported; the
    rows in error listed on the page."""
    require_perm(request, VIEW)
    prop = selectors.property_get(_user(request), pk)
    require_perm(request, ADD_TENANCY)
    form = UploadForm(request.POST, request.FILES)
    result: ImportResult | None = None
    error = ""
    if form.is_valid():
        try:
            rows = read_upload(form.cleaned_data["file"])
            result = services.tenants_import(actor=_user(request), rows=rows, property=prop)
        except ExcelImportError as exc:
            error = exc.message
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(form_messages(form))
    if result is not None and result.written and not result.rejected:
        messages.success(
            request, _("%(n)d tenants were recorded from the list.") % {"n": result.created}
        )
        return redirect("floating:property_detail", prop.pk)
    return render(
        request,
        "floating/tenancy_upload.html",
        {"property": prop, "result": result, "error": error},
        status=200 if result is not None else 400,
    )
