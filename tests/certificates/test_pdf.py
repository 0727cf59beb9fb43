"""Issue 16: a certificate as PDF without a browser (WeasyPrint, one font face), with the
QR code of its verification page; the pdf view (scope, audit, Chinese file name, the HTML
fallback when WeasyPrint cannot be loaded)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from jisheng.certificates import pdf
from jisheng.certificates.choices import CertificateStatus
from jisheng.certificates.kinds import kinds
from jisheng.certificates.models import Certificate
from jisheng.core import workflow
from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent

D = datetime.date
FULL_ID = re.compile(r"\d{17}[\dX]")
SAMPLE_DATA = {
    "birth_registration": {"child_order": "2", "expected_on": "2027-03-01"},
    "migrant_marriage": {"destination": "广东省深圳市"},
    "migrant_verification": {
        "certificate_number": "HY990100001000-2026-0007",
        "issuing_place": "东城镇",
    },
    "status": {"purpose": "入学"},
}
# (width, height) in points of the kind's paper
PAPER = {
    "A4": (595, 842),
    "A5": (420, 595),
    "A4-landscape": (842, 595),
    "A5-landscape": (595, 420),
}


def text_of(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return "".join(page.extract_text() for page in reader.pages)


def fonts_of(document: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(document))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def draft(kind: str, tree, holders, **extra) -> Certificate:
    """An issued certificate of ``kind`` in memory (the layout, not the engine, is tested)."""
    spec = kinds()[kind]
    couple = holders.couple if spec.holder == "couple" else None
    person = holders.migrant if spec.holder == "person" else None
    values = {
        "kind": kind,
        "status": CertificateStatus.ISSUED,
        "number": f"{spec.prefix}990100001000-2026-0042",
        "code": "AbCdEfGhIjKlMnOpQrSt",
        "issuer": tree.town,
        "unit": (couple or person).unit,
        "couple": couple,
        "person": person,
        "holder_name": "李强、王小芳" if couple else "欧阳娜娜",
        "data": SAMPLE_DATA.get(kind, {}),
        "issued_on": D(2026, 12, 7),
        "valid_until": spec.valid_until(D(2026, 12, 7)),
    }
    values.update(extra)
    return Certificate(**values)


@pytest.mark.parametrize("kind", list(kinds()))
def test_every_kind_prints_its_document_on_its_paper_in_one_font(kind, tree, holders):
    spec = kinds()[kind]
    certificate = draft(kind, tree, holders)
    document = pdf.render_pdf(certificate)
    assert document.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(document))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == PAPER[spec.paper]
    text = text_of(document)
    squeezed = re.sub(r"\s+", "", text)
    assert certificate.number in squeezed
    assert re.sub(r"\s+", "", spec.name) in squeezed
    assert "扫码核验" in squeezed
    assert "东城镇" in squeezed  # the issuing unit
    assert "2026年12月7日" in squeezed
    assert "110105************" in squeezed  # the ID number masked
    assert not FULL_ID.search(squeezed), "an ID number printed in full"
    if certificate.valid_until:
        assert pdf.format_cn_date(certificate.valid_until) in squeezed
    else:
        assert "长期有效" in squeezed
    for field in spec.fields:
        assert field.label in squeezed
    assert fonts_of(document) == {"Noto-Sans-CJK-SC"}


def test_the_fields_print_dates_in_chinese(tree, holders):
    document = pdf.render_pdf(draft("birth_registration", tree, holders))
    squeezed = re.sub(r"\s+", "", text_of(document))
    assert "预产期2027年3月1日" in squeezed
    assert "2027-03-01" not in squeezed


def test_the_qr_code_encodes_the_verification_address(tree, holders):
    certificate = draft("status", tree, holders)
    values = pdf.context(certificate, base_url="https://request.example/")
    assert values["verify_url"] == "https://request.example/verify/AbCdEfGhIjKlMnOpQrSt"
    assert values["qr"] == pdf.qr_data_uri(values["verify_url"])
    assert values["qr"].startswith("data:image/svg+xml")
    with override_settings(JISHENG_PUBLIC_URL="https://jisheng.example.gov.cn"):
        assert (
            pdf.verify_url(certificate, "https://request.example/")
            == "https://jisheng.example.gov.cn/verify/AbCdEfGhIjKlMnOpQrSt"
        )
    assert pdf.verify_url(certificate) == "http://127.0.0.1:8000/verify/AbCdEfGhIjKlMnOpQrSt"


def test_a_revoked_certificate_prints_with_the_void_mark(tree, holders):
    valid = re.sub(r"\s+", "", text_of(pdf.render_pdf(draft("status", tree, holders))))
    assert "已作废" not in valid
    revoked = draft("status", tree, holders, status=CertificateStatus.REVOKED)
    assert "已作废" in re.sub(r"\s+", "", text_of(pdf.render_pdf(revoked)))
    replaced = draft("status", tree, holders, status=CertificateStatus.REPLACED)
    assert "已换发" in re.sub(r"\s+", "", text_of(pdf.render_pdf(replaced)))


@pytest.mark.parametrize("status", [CertificateStatus.APPLIED, CertificateStatus.REVIEWED])
def test_an_application_is_not_printed(status, tree, holders):
    with pytest.raises(pdf.PdfUnavailable):
        pdf.render_pdf(draft("status", tree, holders, status=status, number=None, code=None))


# ------------------------------------------------------------------ the view


def test_the_pdf_view_answers_a_pdf_with_a_chinese_file_name_and_audits_it(client, users, issued):
    client.force_login(users.office)
    certificate = issued.birth
    response = client.get(reverse("certificates:pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline")
    assert "filename*=utf-8''%E7%94%9F%E8%82%B2%E7%99%BB%E8%AE%B0" in disposition  # 生育登记
    assert certificate.number in disposition
    squeezed = re.sub(r"\s+", "", text_of(response.content))
    assert certificate.number in squeezed
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(certificate.pk))
    assert event.count() == 1
    assert event.get().user == users.office


def test_the_pdf_view_prints_the_request_address_in_the_qr_code(client, users, issued):
    client.force_login(users.office)
    url = "http://testserver/verify/" + issued.birth.code
    html = pdf.render_html(issued.birth, "http://testserver/")
    assert pdf.qr_data_uri(url) in html


def test_another_units_certificate_is_not_found_and_the_attempt_is_audited(
    client, tree, users, issued
):
    from tests import factories

    outsider = factories.user("street_field", tree.street, "field")
    client.force_login(outsider)
    response = client.get(reverse("certificates:pdf", args=[issued.birth.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_id=str(issued.birth.pk), user=outsider
    ).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_pdf_view_needs_the_view_permission(client, users, issued):
    client.force_login(users.auditor)
    response = client.get(reverse("certificates:pdf", args=[issued.birth.pk]))
    assert response.status_code in (403, 404)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_revoked_certificate_still_prints_but_an_application_does_not(
    client, tree, users, holders, issued
):
    from jisheng.certificates.services import certificate_apply

    client.force_login(users.office)
    workflow.transition(
        actor=users.office,
        obj=issued.birth,
        to=CertificateStatus.REVOKED,
        message="登记信息有误",
    )
    response = client.get(reverse("certificates:pdf", args=[issued.birth.pk]))
    assert response.status_code == 200
    assert "已作废" in re.sub(r"\s+", "", text_of(response.content))
    applied = certificate_apply(
        actor=users.office,
        kind="status",
        issuer=tree.town,
        person=holders.migrant,
        data={"purpose": "入学"},
    )
    assert client.get(reverse("certificates:pdf", args=[applied.pk])).status_code == 404


def test_without_weasyprint_the_view_answers_the_print_page_with_a_chinese_notice(
    client, users, issued, monkeypatch
):
    def unavailable():
        raise pdf.PdfUnavailable("no pango")

    monkeypatch.setattr(pdf, "_weasyprint", unavailable)
    client.force_login(users.office)
    response = client.get(reverse("certificates:pdf", args=[issued.birth.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'data-testid="pdf-notice"' in page
    assert "PDF" in page and "打印" in page
    assert issued.birth.number in page
    nonce = re.search(r"<style nonce=\"([^\"]+)\">", page)
    assert nonce, "the print page's style block carries the request's nonce"
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_id=str(issued.birth.pk)
    ).exists()
