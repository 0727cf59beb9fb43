"""A certificate printed to PDF without a browser: WeasyPrint lays out the kind's
template (``kinds.yaml`` ``template``, a Django template under ``certificates/pdf/``)
on the kind's paper (A4 / A5, portrait or landscape) in ONE font face, Noto Sans CJK SC
regular (every further face is subset into each document: ~50 ms more each).

The document shows the number, the kind, the holder (ID numbers masked), the kind's
fields, the issuing unit, the date of issue and the validity, and a QR code of the
verification address ``<site>/verify/<code>`` with 扫码核验 under it. A revoked
certificate prints with a large 已作废 mark, a replaced one with 已换发.

WeasyPrint needs Pango: when it cannot be loaded (``OSError`` on import), or a
certificate cannot be printed (not issued), :class:`PdfUnavailable` is raised and the
view falls back to the HTML print page.
"""

from __future__ import annotations

import datetime
import functools
import threading
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from jisheng.certificates.choices import CertificateStatus
from jisheng.certificates.kinds import KindSpec
from jisheng.certificates.kinds import kind as kind_of
from jisheng.core.templatetags.cn import format_cn_date

if TYPE_CHECKING:
    from django.http import HttpRequest
    from weasyprint.text.fonts import FontConfiguration

    from jisheng.certificates.models import Certificate

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
# The statuses whose certificate is printed (an application is not a document).
PRINTABLE = (CertificateStatus.ISSUED, CertificateStatus.REVOKED, CertificateStatus.REPLACED)
FONT_FAMILY = "Noto Sans CJK SC"
PAGE_SIZES = {
    "A4": "A4 portrait",
    "A5": "A5 portrait",
    "A4-landscape": "A4 landscape",
    "A5-landscape": "A5 landscape",
}
SEX_NAMES = {"M": "男", "F": "女"}


class PdfUnavailable(RuntimeError):
    """WeasyPrint (Pango) cannot be loaded here, or the certificate is not printable."""


_lock = threading.Lock()
# The one FontConfiguration of the process (fontconfig's font list, read once).
_font_config: FontConfiguration | None = None


@functools.cache
def _weasyprint() -> types.ModuleType:
    try:
        import weasyprint
    except (OSError, ImportError) as exc:  # no Pango / GObject on this machine
        raise PdfUnavailable(f"WeasyPrint cannot be loaded: {exc}") from exc
    return weasyprint


def font_config() -> FontConfiguration:
    """The module's one ``FontConfiguration`` (made on first use)."""
    global _font_config
    with _lock:
        if _font_config is None:
            from weasyprint.text.fonts import FontConfiguration

            _weasyprint()
            _font_config = FontConfiguration()
        return _font_config


def available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def public_base(base_url: str | None = None) -> str:
    """The site address the QR code points at: ``base_url`` (the request's), else
    ``JISHENG_PUBLIC_URL``, else http://127.0.0.1:8000 — without a trailing slash."""
    configured = settings.JISHENG_PUBLIC_URL
    return (configured or base_url or DEFAULT_PUBLIC_URL).rstrip("/")


def verify_url(certificate: Certificate, base_url: str | None = None) -> str:
    return public_base(base_url) + reverse("verify:public", args=[certificate.code])


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI (error correction M)."""
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    id_masked: str
    sex: str = ""


def parties(certificate: Certificate) -> list[Party]:
    """The holder as printed: the husband and the wife of a couple (a spouse outside the
    system by the couple's outside fields), or the person. ID numbers masked."""
    couple = certificate.couple
    if couple is not None:
        rows = []
        for role, person, sex in (("男方", couple.husband, "M"), ("女方", couple.wife, "F")):
            if person is not None:
                rows.append(Party(role, person.name, person.id_masked))
            elif couple.outside_name and (couple.outside_sex or sex) == sex:
                rows.append(Party(role, couple.outside_name, couple.outside_id_masked))
        return rows
    person = certificate.person
    if person is not None:
        return [Party("姓名", person.name, person.id_masked, SEX_NAMES.get(person.sex, ""))]
    return [Party("姓名", certificate.holder_name, "")]


def field_rows(spec: KindSpec, data: Mapping[str, object]) -> list[tuple[str, str]]:
    """(label, value as printed) of the kind's fields: dates in Chinese, choices as is."""
    rows = []
    for field in spec.fields:
        value = data.get(field.key)
        if value in (None, ""):
            text = "—"
        elif field.type == "date":
            try:
                text = format_cn_date(datetime.date.fromisoformat(str(value)))
            except ValueError:
                text = str(value)
        else:
            text = str(value)
        rows.append((field.label, text))
    return rows


def context(certificate: Certificate, base_url: str | None = None) -> dict[str, object]:
    """What a certificate's template prints."""
    spec = kind_of(certificate.kind)
    url = verify_url(certificate, base_url)
    revoked = certificate.status == CertificateStatus.REVOKED or certificate.voided_at is not None
    return {
        "certificate": certificate,
        "kind": spec,
        "kind_name": spec.name,
        "page_size": PAGE_SIZES[spec.paper],
        "font_family": FONT_FAMILY,
        "parties": parties(certificate),
        "fields": field_rows(spec, certificate.data or {}),
        "issuer_name": certificate.issuer.name,
        "unit_name": certificate.unit.name,
        "issued_on": format_cn_date(certificate.issued_on),
        "valid_until": format_cn_date(certificate.valid_until) if certificate.valid_until else "",
        "verify_url": url,
        "qr": qr_data_uri(url),
        "mark": "已作废"
        if revoked
        else ("已换发" if certificate.status == CertificateStatus.REPLACED else ""),
    }


def render_html(
    certificate: Certificate,
    base_url: str | None = None,
    *,
    request: HttpRequest | None = None,
    notice: str = "",
) -> str:
    """The document's HTML (for WeasyPrint; with ``request`` and ``notice`` the page a
    browser prints when WeasyPrint is not available: its style block carries the
    request's CSP nonce)."""
    spec = kind_of(certificate.kind)
    values = context(certificate, base_url)
    values["notice"] = notice
    with translation.override("zh-hans"):
        return render_to_string(spec.template, values, request=request)


def render_pdf(certificate: Certificate, *, base_url: str | None = None) -> bytes:
    """The certificate's document as PDF bytes (WeasyPrint, one font face).

    Raises :class:`PdfUnavailable` when WeasyPrint cannot be loaded or the certificate
    is not issued (nor revoked or replaced)."""
    if certificate.status not in PRINTABLE or not certificate.number or not certificate.code:
        raise PdfUnavailable("only an issued, revoked or replaced certificate is printed")
    weasyprint = _weasyprint()
    html = render_html(certificate, base_url)
    document = weasyprint.HTML(string=html, base_url=public_base(base_url))
    return document.write_pdf(font_config=font_config())
