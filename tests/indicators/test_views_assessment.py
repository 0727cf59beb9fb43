"""Assessment pages: permissions, scope (404 and an audited denial), computing a new
one (errors on the form), the ranking with each unit's explanation, scoring by hand
with evidence uploads, the evidence file (audited), recomputing, approving (frozen: no
more buttons, no more writes), the printed report and its PDF."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from jisheng.core import pdf
from jisheng.core.models import AuditEvent
from jisheng.indicators import assessment as rules
from jisheng.indicators.models import Assessment
from tests import factories
from tests.indicators import test_contracts

assess_pack = test_contracts.assess_pack

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def office(client, users):
    client.cookies["django_language"] = "en"
    client.force_login(users.office)
    return client


@pytest.fixture
def annual(world, tree, users, assess_pack):
    # the explanation's notes are stored in the language of the computation: English,
    # like the pages these tests read (a request may leave another language active)
    with translation.override("en"):
        return rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")


def slots(assessment, unit):
    return {s["name"]: s for s in rules.entry_slots(assessment, unit.pk)}


def score_post(assessment, unit, *, meetings="15", leading="yes", accuracy="8", spot="90"):
    s = slots(assessment, unit)
    data = {
        f"{s['每月召开例会']['key']}__value": meetings,
        f"{s['每月召开例会']['key']}__evidence": SimpleUploadedFile("m.pdf", PDF),
        f"{s['成立领导小组']['key']}__value": leading,
        f"{s['成立领导小组']['key']}__evidence": SimpleUploadedFile("l.pdf", PDF),
        f"{s['信息准确率']['key']}__value": accuracy,
        f"{s['信息准确率']['key']}__evidence": SimpleUploadedFile("a.pdf", PDF),
        f"{s['平时抽查']['key']}__value": spot,
        f"{s['平时抽查']['key']}__evidence": SimpleUploadedFile("s.pdf", PDF),
    }
    return data


def test_permissions(client, users, annual):
    url = reverse("indicators:assessment_detail", args=[annual.pk])
    assert client.get(url).status_code == 302
    client.force_login(users.field_a)
    assert client.get(reverse("indicators:assessment_list")).status_code == 403
    assert client.get(url).status_code == 403
    client.force_login(users.leader)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="approve"' not in page.text
    assert (
        client.post(reverse("indicators:assessment_approve", args=[annual.pk])).status_code == 403
    )
    assert (
        client.post(reverse("indicators:assessment_recompute", args=[annual.pk])).status_code == 403
    )


def test_scope_is_404_and_audited(client, tree, annual):
    client.force_login(factories.user("street_office", tree.street, "office"))
    response = client.get(reverse("indicators:assessment_detail", args=[annual.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="street_office").exists()


def test_list_and_create(office, tree, world, assess_pack):
    url = reverse("indicators:assessment_list") + f"?unit={tree.town.code}"
    page = office.get(url)
    assert page.status_code == 200 and 'data-testid="assessment-form"' in page.text
    response = office.post(url, {"unit": tree.town.code, "period": "2026Q1"})
    assert response.status_code == 200 and "half-yearly (2026H1) or annual" in response.text
    assert not Assessment.objects.exists()
    response = office.post(url, {"unit": tree.town.code, "period": "2026"})
    assert response.status_code == 302
    created = Assessment.objects.get()
    assert response.url == reverse("indicators:assessment_detail", args=[created.pk])
    page = office.get(url)
    assert "2026" in page.text and 'data-testid="assessment-list"' in page.text


def test_detail_ranking_and_explanation(office, tree, annual):
    page = office.get(reverse("indicators:assessment_detail", args=[annual.pk]))
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="ranking"' in text and "甲村" in text and "乙村" in text
    assert f'data-testid="explain-{tree.village_a.code}"' in text
    assert "3 / 5" in text and "≥ 80%" in text  # value, numerator/denominator, target
    assert "No cases in the period" in text  # B has no married WRA
    assert "(1, 2, 2, 4)" in text  # how ranks and vetoes are ordered is said
    assert 'data-testid="approval-problems"' in text


def test_score_page_with_uploads(office, tree, annual):
    url = reverse("indicators:assessment_score", args=[annual.pk, tree.village_a.pk])
    page = office.get(url)
    assert page.status_code == 200 and 'data-testid="entries-form"' in page.text
    data = score_post(annual, tree.village_a)
    data[f"{slots(annual, tree.village_a)['每月召开例会']['key']}__evidence"] = SimpleUploadedFile(
        "m.exe", b"MZ"
    )
    response = office.post(url, data)
    assert response.status_code == 200 and "PDF, JPEG or PNG" in response.text
    response = office.post(url, score_post(annual, tree.village_a))
    assert response.status_code == 302
    annual.refresh_from_db()
    a = rules.unit_result(annual, tree.village_a.pk)
    assert a["items_total"]["points"] == 53
    page = office.get(url)
    assert 'data-testid="evidence-link"' in page.text


def test_evidence_file_is_scoped_and_audited(office, client, users, tree, annual):
    office.post(
        reverse("indicators:assessment_score", args=[annual.pk, tree.village_a.pk]),
        score_post(annual, tree.village_a),
    )
    entry = annual.entries.exclude(evidence="").first()
    response = office.get(reverse("indicators:assessment_evidence", args=[entry.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(
        action="view", object_type="indicators.assessmententry"
    ).exists()
    client.force_login(factories.user("street_office", tree.street, "office"))
    assert client.get(reverse("indicators:assessment_evidence", args=[entry.pk])).status_code == 404


def test_recompute_and_approve(office, tree, annual):
    response = office.post(reverse("indicators:assessment_approve", args=[annual.pk]))
    assert response.status_code == 302
    annual.refresh_from_db()
    assert annual.status == "draft"  # hand items pending
    for unit in (tree.village_a, tree.village_b):
        office.post(
            reverse("indicators:assessment_score", args=[annual.pk, unit.pk]),
            score_post(annual, unit),
        )
    assert (
        office.post(reverse("indicators:assessment_recompute", args=[annual.pk])).status_code == 302
    )
    response = office.post(reverse("indicators:assessment_approve", args=[annual.pk]))
    annual.refresh_from_db()
    assert annual.status == "approved"
    page = office.get(reverse("indicators:assessment_detail", args=[annual.pk]))
    assert 'data-testid="approve"' not in page.text and 'data-testid="recompute"' not in page.text
    assert "frozen" in page.text
    # no more scoring
    url = reverse("indicators:assessment_score", args=[annual.pk, tree.village_a.pk])
    assert 'data-testid="entries-form"' not in office.get(url).text
    response = office.post(url, score_post(annual, tree.village_a, meetings="1"))
    assert response.status_code == 302
    annual.refresh_from_db()
    assert rules.unit_result(annual, tree.village_a.pk)["items_total"]["points"] == 53


def test_print_and_pdf(office, tree, annual, monkeypatch):

    page = office.get(reverse("indicators:assessment_print", args=[annual.pk]))
    assert page.status_code == 200
    assert "目标管理责任制考核结果" in page.text and "@page" in page.text and "甲村" in page.text

    def unavailable(html):
        raise pdf.PdfUnavailable("no chromium")

    monkeypatch.setattr(pdf, "render_pdf", unavailable)
    response = office.get(reverse("indicators:assessment_pdf", args=[annual.pk]))
    assert response.status_code == 302 and response.url.endswith("/print/")
    monkeypatch.setattr(pdf, "render_pdf", lambda html: b"%PDF-1.4 fake")
    response = office.get(reverse("indicators:assessment_pdf", args=[annual.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="export", object_type="indicators.assessment").exists()


def test_detail_page_queries_do_not_grow_with_units(office, annual, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert (
            office.get(reverse("indicators:assessment_detail", args=[annual.pk])).status_code == 200
        )


def test_real_pdf_with_chinese_fonts(office, annual):
    import os

    from jisheng.services import letters

    if not os.path.exists(letters.chromium_path()):
        pytest.skip("Chromium is not installed")
    response = office.get(reverse("indicators:assessment_pdf", args=[annual.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert b"Noto" in response.content  # the CJK font is embedded
