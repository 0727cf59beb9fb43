"""生育登记 pages: register a child of a couple (issued at once as the numbered
生育登记服务单) and the list of registrations with the birth each led to. Thin: the
rules are in :mod:`jisheng.certificates.birth_registration`. Scoped: another unit's
couple answers 404 (audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.certificates import birth_registration, selectors
from jisheng.certificates.forms_registration import RegistrationForm
from jisheng.certificates.models import Certificate
from jisheng.core.forms import add_service_errors
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors as org_selectors

if TYPE_CHECKING:
    from jisheng.orgs.models import User

VIEW = "certificates.view_certificate"
ADD = "certificates.add_certificate"
PAGE_SIZE = 50


@GET_POST
def registration_new(request: HttpRequest, couple_pk: int) -> HttpResponse:
    require_perm(request, ADD)
    couple = selectors.couple_get(request.user, couple_pk)
    working = getattr(request, "working_unit", None)
    today = timezone.localdate()
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        initial={
            "child_order": birth_registration.births_recorded(couple, today) + 1,
            "issuer": working.code if working else couple.unit.code,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = data["issuer"].strip()
        issuer = org_selectors.unit_find(user=request.user, code=code) if code else working
        if issuer is None:
            form.add_error("issuer", _("No unit with this code in your data scope."))
        else:
            try:
                certificate, warning = birth_registration.registration_issue(
                    actor=cast("User", request.user),  # signed in: require_perm passed
                    couple=couple,
                    issuer=issuer,
                    child_order=data["child_order"],
                    expected_on=data["expected_on"],
                    documents=data["documents"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(Certificate,))
            else:
                messages.success(
                    request,
                    _("Birth registration %(number)s issued.") % {"number": certificate.number},
                )
                if warning:
                    messages.warning(request, warning)
                return redirect("certificates:detail", certificate.pk)
    return render(
        request,
        "certificates/registration_new.html",
        {
            "form": form,
            "couple": couple,
            "births": birth_registration.births_recorded(couple, today),
        },
    )


@require_GET
def registration_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    unit = getattr(request, "working_unit", None)
    linked_arg = request.GET.get("linked", "")
    linked = {"yes": True, "no": False}.get(linked_arg)
    q = request.GET.get("q", "")
    rows = birth_registration.registration_list(request.user, unit=unit, linked=linked, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/registration_list.html",
        {"page": page, "unit": unit, "linked": linked_arg if linked is not None else "", "q": q},
    )
