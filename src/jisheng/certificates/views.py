"""Certificate pages (/certificates/…): the certificates issued, the couples to offer
the 独生子女父母光荣证, the issue form, a certificate with its void form, and the
printable certificate (HTML print). Scoped: another unit's certificate or couple
answers 404 (audited)."""

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

from jisheng.certificates import selectors, services
from jisheng.certificates.choices import CertificateKind, CertificateStatus
from jisheng.certificates.forms import IssueForm, VoidForm
from jisheng.certificates.models import Certificate
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.forms import add_service_errors
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors as org_selectors

VIEW = "certificates.view_certificate"
ADD = "certificates.add_certificate"
VOID = "certificates.change_certificate"
PAGE_SIZE = 50


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and 1900 <= int(value) <= 2200 else None


@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW)
    unit = getattr(request, "working_unit", None)
    kind = request.GET.get("kind", "")
    kind = kind if kind in CertificateKind.values else ""
    year = _year(request.GET.get("year", ""))
    q = request.GET.get("q", "")
    rows = selectors.certificate_list(request.user, unit=unit, kind=kind, year=year, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"kind": kind, "year": year or "", "q": q}.items() if v}
    return render(
        request,
        "certificates/certificate_list.html",
        {
            "page": page,
            "unit": unit,
            "kinds": CertificateKind.choices,
            "kind": kind,
            "year": year,
            "q": q,
            "query": urlencode(query),
            "can_add": request.user.has_perm(ADD),
        },
    )


@require_GET
def candidates(request: HttpRequest) -> HttpResponse:
    """Couples with exactly one child today and no 独生子女父母光荣证 in force."""
    require_perm(request, VIEW)
    unit = getattr(request, "working_unit", None)
    rows = selectors.candidates(request.user, unit=unit, day=timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/candidates.html",
        {"page": page, "unit": unit, "can_add": request.user.has_perm(ADD)},
    )


@GET_POST
def certificate_issue(request: HttpRequest, couple_pk: int) -> HttpResponse:
    require_perm(request, ADD)
    couple = selectors.couple_get(request.user, couple_pk)
    working = getattr(request, "working_unit", None)
    today = timezone.localdate()
    form = IssueForm(
        request.POST if request.method == "POST" else None,
        initial={
            "kind": CertificateKind.ONE_CHILD_PARENTS,
            "issued_on": today,
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
                certificate = services.issue_now(
                    actor=request.user,
                    couple=couple,
                    kind=data["kind"],
                    issuer=issuer,
                    issued_on=data["issued_on"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, models=(Certificate,))
            else:
                messages.success(
                    request,
                    _("Certificate %(number)s issued.") % {"number": certificate.number},
                )
                return redirect("certificates:detail", certificate.pk)
    return render(
        request,
        "certificates/certificate_issue.html",
        {"form": form, "couple": couple, "child": selectors.only_child_of(couple, today)},
    )


@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VIEW)
    certificate = selectors.certificate_get(request.user, pk)
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "child": (
                selectors.only_child_of(certificate.couple, certificate.issued_on)
                if certificate.couple is not None and certificate.issued_on is not None
                else None
            ),
            "void_form": VoidForm(),
            "can_void": request.user.has_perm(VOID)
            and certificate.status == CertificateStatus.ISSUED,
        },
    )


@require_GET
def certificate_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as an HTML page to print (A5); a voided one is marked so."""
    require_perm(request, VIEW)
    certificate = selectors.certificate_get(request.user, pk)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=certificate,
        message=_("Certificate printed."),
    )
    return render(
        request,
        "certificates/certificate_print.html",
        {
            "certificate": certificate,
            "child": (
                selectors.only_child_of(certificate.couple, certificate.issued_on)
                if certificate.couple is not None and certificate.issued_on is not None
                else None
            ),
        },
    )


@require_POST
def certificate_void(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, VOID)
    certificate = selectors.certificate_get(request.user, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(
                actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The certificate was voided."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("certificates:detail", certificate.pk)
