"""The certificate as PDF, and checking a certificate.

- ``certificates:pdf`` (``/certificates/<pk>/pdf/``): the kind's document printed by
  WeasyPrint (:mod:`jisheng.certificates.pdf`), in the user's scope (another unit's
  answers 404, audited), the print audited as an export; without WeasyPrint the same
  document as an HTML page to print, with a notice;
- ``verify:public`` (``/verify/<code>``): the QR code's page, NO log-in, rate-limited
  per client IP, every look-up logged (:mod:`jisheng.certificates.verification`);
- ``certificates:verify`` (``/certificates/verify/?number=``): checking a certificate
  by its number across units (``certificates.verify_certificate``), logged and audited.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.certificates import pdf, selectors, verification
from jisheng.certificates.choices import LookupResult
from jisheng.certificates.kinds import kind as kind_of
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.clientip import client_ip
from jisheng.core.web import require_perm

VIEW = "certificates.view_certificate"
VERIFY = "certificates.verify_certificate"


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate's document (application/pdf, inline, the Chinese file name)."""
    require_perm(request, VIEW)
    certificate = selectors.certificate_get(request.user, pk)
    if certificate.status not in pdf.PRINTABLE or not certificate.number:
        raise Http404(_("Only an issued certificate is printed."))
    spec = kind_of(certificate.kind)
    try:
        document = pdf.render_pdf(certificate, base_url=_site(request))
    except pdf.PdfUnavailable:
        audit.record(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=certificate,
            message=_("Certificate printed (HTML page)."),
        )
        html = pdf.render_html(
            certificate,
            _site(request),
            request=request,
            notice=_("PDF printing is not available here; print this page."),
        )
        return HttpResponse(html)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=certificate,
        message=_("Certificate printed (PDF)."),
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, f"{spec.name}-{certificate.number}.pdf") or "inline"
    )
    return response


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@require_GET
def verify_public(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code's page: the result and the few facts a reader may see."""
    with translation.override("zh-hans"):
        answer = verification.lookup_public(code, ip=client_ip(request))
        if answer.result == LookupResult.LIMITED:
            response = render(request, "certificates/verify_limited.html", status=429)
            response["Retry-After"] = str(verification.window_seconds())
            return _private(response)
        # 未找到 is an answer too (200, like the API's "unknown"): the page says it
        response = render(request, "certificates/verify.html", {"answer": answer})
        return _private(response)


@require_GET
def verify_number(request: HttpRequest) -> HttpResponse:
    """Check a certificate by its number (any unit's): the same facts as the public page,
    the number and the kind's fields; logged and audited."""
    require_perm(request, VERIFY)
    number = request.GET.get("number", "").strip()
    answer = None
    if number:
        answer = verification.lookup_number(number, user=request.user, ip=client_ip(request))
    return render(request, "certificates/verify_number.html", {"number": number, "answer": answer})
