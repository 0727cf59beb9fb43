"""Issue 16 in a browser: the office issues a 生育登记 (the engine's ``issue_now``), opens
the certificate, downloads its PDF through the page's link and finds the number in it;
the QR code's address opens on a phone (390 × 844, no log-in, no horizontal overflow) and
says 有效; after the office revokes it the same page says 已作废."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from jisheng.certificates.choices import CertificateStatus
from jisheng.certificates.services import issue_now
from jisheng.core import workflow
from jisheng.people.family import couple_create
from tests import factories
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

D = datetime.date
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_issue_print_and_verify_on_a_phone(page, phone_page, live_server, login, tree, users):
    wife = factories.person(
        tree.village_a, name="王小芳", sex="F", birth_date=D(1992, 3, 4), seq=901
    )
    husband = factories.person(
        tree.village_a, name="李强", sex="M", birth_date=D(1990, 6, 7), seq=902
    )
    couple = couple_create(actor=None, married_on=D(2018, 5, 1), wife=wife, husband=husband)
    certificate = issue_now(
        actor=users.office,
        kind="birth_registration",
        issuer=tree.town,
        couple=couple,
        data={"child_order": "1"},
    )

    login(page, "office", PASSWORD)
    page.goto(f"{live_server.url}/certificates/{certificate.pk}/")
    link = page.get_by_test_id("pdf-link")
    href = link.get_attribute("href")
    # the first PDF of the server process reads the font list: a generous timeout
    response = page.request.get(f"{live_server.url}{href}", timeout=120_000)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert certificate.number in re.sub(r"\s+", "", text)

    phone_page.set_viewport_size({"width": 390, "height": 844})
    verify_url = f"{live_server.url}/verify/{certificate.code}"
    phone_page.goto(verify_url)
    result = phone_page.get_by_test_id("verify-result")
    assert result.get_attribute("data-result") == "valid"
    assert "有效" in result.inner_text()
    assert "王*芳" in phone_page.get_by_test_id("verify-holder").inner_text()
    assert "/login/" not in phone_page.url
    assert phone_page.evaluate(OVERFLOW) <= 0

    workflow.transition(
        actor=users.office, obj=certificate, to=CertificateStatus.REVOKED, message="登记有误"
    )
    phone_page.goto(verify_url)
    result = phone_page.get_by_test_id("verify-result")
    assert result.get_attribute("data-result") == "revoked"
    assert "已作废" in result.inner_text()
    assert phone_page.evaluate(OVERFLOW) <= 0
