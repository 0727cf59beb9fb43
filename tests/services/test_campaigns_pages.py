"""Campaign and letter pages and API: permissions, scope (404 + audited denial), the
bulk attendance page (all rows or none, errors on their rows), the certificate form,
statistics and their export, letters and their PDF."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.core.models import AuditEvent
from jisheng.core.tokens import token_create
from jisheng.services import campaigns, letters
from jisheng.services.models import CampaignRound, CampaignTarget, Letter
from tests import factories
from tests.api.conftest import ApiClient
from tests.services.test_letters import couples, mine_pack  # noqa: F401  (fixtures)

D = dt.date
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def round_(tree, today):
    for i, (unit, name) in enumerate(
        [(tree.village_a, "王芳"), (tree.village_a, "张敏"), (tree.village_b, "李丽")], start=1
    ):
        factories.person(
            unit,
            name,
            "F",
            D(1990, 1, i),
            seq=i,
            registered_on=D(2015, 1, 1),
            marital_status="first_marriage",
        )
    return campaigns.round_create(
        actor=None,
        unit=tree.town,
        campaign_id="comprehensive_service",
        period_start=today - dt.timedelta(days=10),
        period_end=today + dt.timedelta(days=20),
    )


def english(client):
    client.cookies["django_language"] = "en"


def formset_data(rows, overrides=None):
    """POST data of the attendance page for ``rows`` (targets): ``overrides`` maps a
    target id to the values typed for it."""
    data = {
        "t-TOTAL_FORMS": str(len(rows)),
        "t-INITIAL_FORMS": str(len(rows)),
        "t-MIN_NUM_FORMS": "0",
        "t-MAX_NUM_FORMS": "200",
    }
    for i, target in enumerate(rows):
        data[f"t-{i}-target"] = str(target.pk)
        for key, value in (overrides or {}).get(target.pk, {}).items():
            data[f"t-{i}-{key}"] = value
    return data


def test_pages_need_permission_and_login(client, users, round_):
    url = reverse("services:campaign_detail", args=[round_.pk])
    assert client.get(url).status_code == 302
    client.force_login(users.auditor)
    assert client.get(url).status_code == 403
    assert client.get(reverse("services:letter_list")).status_code == 403


def test_round_list_create_and_detail(client, users, tree, today):
    factories.person(
        tree.village_a,
        "王芳",
        "F",
        D(1990, 1, 1),
        registered_on=D(2015, 1, 1),
        marital_status="first_marriage",
    )
    client.force_login(users.town_office)
    english(client)
    page = client.get(reverse("services:campaign_create"))
    assert page.status_code == 200 and "comprehensive_service" in page.content.decode()
    bad = client.post(
        reverse("services:campaign_create"),
        {
            "campaign_id": "comprehensive_service",
            "period_start": today.isoformat(),
            "period_end": (today - dt.timedelta(days=3)).isoformat(),
        },
    )
    assert bad.status_code == 200 and "ends before it starts" in bad.content.decode()
    response = client.post(
        reverse("services:campaign_create"),
        {
            "campaign_id": "comprehensive_service",
            "period_start": today.isoformat(),
            "period_end": (today + dt.timedelta(days=30)).isoformat(),
        },
    )
    round_ = CampaignRound.objects.get()
    assert response.status_code == 302 and round_.unit == tree.town
    detail = client.get(reverse("services:campaign_detail", args=[round_.pk])).content.decode()
    assert "甲村" in detail and "乙村" in detail and "—" in detail  # 乙村: no targets
    assert "100" not in detail.split('data-testid="coverage-total"')[1][:20]
    assert client.get(reverse("services:campaign_list")).status_code == 200


def test_field_staff_cannot_create_rounds(client, users):
    client.force_login(users.field_a)
    assert client.get(reverse("services:campaign_create")).status_code == 403


def test_attendance_page_saves_all_rows_or_none(client, users, round_, today):
    client.force_login(users.field_a)
    english(client)
    url = reverse("services:campaign_attendance", args=[round_.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "王芳" in text and "张敏" in text and "李丽" not in text  # own village only
    rows = list(CampaignTarget.objects.filter(unit__code="990100001001").order_by("person__name"))
    first, second = rows[0], rows[1]
    bad = formset_data(
        rows,
        {
            first.pk: {"attended_on": today.isoformat(), "iud_in_place": "yes"},
            second.pk: {"pregnant": "no", "referred": "on"},
        },
    )
    response = client.post(url, bad)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert "Give the date attended before the results." in body
    assert "Say where the person was referred." in body
    assert body.count("table-danger") == 1  # only the wrong row is marked
    assert not CampaignTarget.objects.filter(attended_on__isnull=False).exists()
    good = formset_data(
        rows,
        {
            first.pk: {"attended_on": today.isoformat(), "iud_in_place": "yes"},
            second.pk: {
                "attended_on": today.isoformat(),
                "pregnant": "no",
                "referred": "on",
                "referred_to": "县医院",
            },
        },
    )
    response = client.post(url, good)
    assert response.status_code == 302
    assert CampaignTarget.objects.filter(attended_on=today).count() == 2


def test_attendance_post_of_another_villages_row_is_404_and_audited(client, users, round_, today):
    client.force_login(users.field_a)
    other = CampaignTarget.objects.get(unit__code="990100001002")
    url = reverse("services:campaign_attendance", args=[round_.pk])
    response = client.post(url, formset_data([other], {other.pk: {"attended_on": str(today)}}))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="field_a").exists()
    other.refresh_from_db()
    assert other.attended_on is None


def test_leader_sees_but_cannot_save(client, users, round_, today):
    client.force_login(users.leader)
    url = reverse("services:campaign_attendance", args=[round_.pk])
    assert client.get(url).status_code == 200
    rows = list(CampaignTarget.objects.all())
    assert client.post(url, formset_data(rows)).status_code == 403


def test_filters_search_and_open(client, users, round_, today):
    client.force_login(users.town_office)
    url = reverse("services:campaign_attendance", args=[round_.pk])
    text = client.get(url, {"unit": "990100001002"}).content.decode()
    assert "李丽" in text and "王芳" not in text
    text = client.get(url, {"q": "zm"}).content.decode()
    assert "张敏" in text and "王芳" not in text
    target = CampaignTarget.objects.get(person__name="王芳")
    campaigns.attendance_record(
        actor=None, round_=round_, entries=[campaigns.AttendanceEntry(target.pk, attended_on=today)]
    )
    text = client.get(url, {"open": "1"}).content.decode()
    assert "王芳" not in text and "张敏" in text


def test_checked_elsewhere_form(client, users, round_, today):
    client.force_login(users.field_a)
    english(client)
    target = CampaignTarget.objects.get(person__name="王芳")
    url = reverse("services:campaign_elsewhere", args=[target.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "checked_elsewhere_on": today.isoformat(),
            "certificate": SimpleUploadedFile("a.exe", b"MZ\x90\x00"),
        },
    )
    assert "PDF, JPEG or PNG" in bad.content.decode()
    ok = client.post(
        url,
        {
            "checked_elsewhere_on": today.isoformat(),
            "certificate": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    assert ok.status_code == 302
    target.refresh_from_db()
    assert target.checked_elsewhere
    download = client.get(reverse("services:campaign_certificate", args=[target.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    # another village's staff: 404, audited
    client.force_login(users.field_b)
    assert client.get(reverse("services:campaign_certificate", args=[target.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="field_b").exists()


def test_export_statistics(client, users, round_, today):
    client.force_login(users.town_office)
    response = client.get(reverse("services:campaign_export", args=[round_.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "单位"  # Chinese by default
    assert values[1][:3] == ["甲村", 2, 0] and values[2][:2] == ["乙村", 1]
    assert values[-1][1] == 3 and values[-1][4] == "0.0%"
    assert AuditEvent.objects.filter(action="export", object_type="services.campaignround").exists()


def test_worklist_page_shows_absent_group_and_links_to_the_row(client, users, round_):
    client.force_login(users.field_a)
    text = client.get(reverse("services:worklist")).content.decode()
    assert 'data-testid="worklist-group-absent"' in text
    target = CampaignTarget.objects.get(person__name="王芳")
    assert f"?target={target.pk}" in text
    page = client.get(
        reverse("services:campaign_attendance", args=[round_.pk]), {"target": target.pk}
    )
    assert "王芳" in page.content.decode() and "张敏" not in page.content.decode()


# --------------------------------------------------------------------------- letters


def test_letter_pages(client, users, tree, couples, today):  # noqa: F811
    client.force_login(users.office)
    english(client)
    targets = client.get(reverse("services:letter_targets"), {"unit": "MINE01"})
    assert targets.status_code == 200 and "甲工" in targets.content.decode()
    response = client.post(
        reverse("services:letter_create"),
        {"couple": couples["outside"].pk, "unit": "MINE01", "year": today.year},
    )
    letter = Letter.objects.get()
    assert response.status_code == 302 and letter.number == f"{today.year}-001"
    assert "甲工" in client.get(reverse("services:letter_list")).content.decode()
    printed = client.get(reverse("services:letter_print", args=[letter.pk])).content.decode()
    assert "函调函" in printed and "邻县纺织厂" in printed
    pdf = client.get(reverse("services:letter_pdf", args=[letter.pk]))
    if letters.chromium_path() and os.path.exists(letters.chromium_path()):
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf["Content-Type"] == "application/pdf"
    else:  # no Chromium here: the print page instead
        assert pdf.status_code == 302
    bad = client.post(
        reverse("services:letter_detail", args=[letter.pk]),
        {
            "reply_received_on": (today - dt.timedelta(days=400)).isoformat(),
            "reply_result": "confirmed",
        },
    )
    assert "before the letter was sent" in bad.content.decode()
    ok = client.post(
        reverse("services:letter_detail", args=[letter.pk]),
        {"reply_received_on": today.isoformat(), "reply_result": "confirmed", "reply_text": "属实"},
    )
    assert ok.status_code == 302
    letter.refresh_from_db()
    assert letter.reply_result == "confirmed"


def test_letter_out_of_scope_is_404_and_audited(client, users, tree, couples, today):  # noqa: F811
    letter = letters.letter_create(
        actor=None, issuer=tree.mine, couple=couples["outside"], year=today.year
    )
    client.force_login(users.town_office)
    assert client.get(reverse("services:letter_detail", args=[letter.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="town_office").exists()


def test_field_staff_have_no_letters(client, users):
    client.force_login(users.field_a)
    assert client.get(reverse("services:letter_list")).status_code == 403


# --------------------------------------------------------------------------- API


def api_for(user):
    _token, secret = token_create(actor=None, user=user, name="t")
    return ApiClient(secret, language="en")


def test_api_rounds_targets_and_attendance(users, round_, today):
    field = api_for(users.field_a)
    rounds = field.get("/services/campaigns")
    assert rounds.status_code == 200 and rounds.json()["items"][0]["id"] == round_.pk
    page = field.get(f"/services/campaigns/{round_.pk}/targets")
    assert page.json()["count"] == 2
    ids = [t["id"] for t in page.json()["items"]]
    bad = field.post_json(
        f"/services/campaigns/{round_.pk}/attendance",
        {
            "rows": [
                {"target": ids[0], "attended_on": today.isoformat()},
                {"target": ids[1], "referred": True},
            ]
        },
    )
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["details"]} == {
        "rows.1.attended_on",
        "rows.1.referred_to",
    }
    assert not CampaignTarget.objects.filter(attended_on__isnull=False).exists()
    ok = field.post_json(
        f"/services/campaigns/{round_.pk}/attendance",
        {
            "rows": [
                {"target": i, "attended_on": today.isoformat(), "iud_in_place": "yes"} for i in ids
            ]
        },
    )
    assert ok.status_code == 200 and ok.json() == {"changed": 2}
    opened = field.get(f"/services/campaigns/{round_.pk}/targets", open=True)
    assert opened.json()["count"] == 0


def test_api_attendance_outside_scope_is_refused(users, round_, today):
    other = CampaignTarget.objects.get(unit__code="990100001002")
    response = api_for(users.field_a).post_json(
        f"/services/campaigns/{round_.pk}/attendance",
        {"rows": [{"target": other.pk, "attended_on": today.isoformat()}]},
    )
    assert response.status_code in (403, 404)
    assert AuditEvent.objects.filter(action="denied", username="field_a").exists()


def test_api_round_of_another_township_is_404(users, tree, today):
    street_round = campaigns.round_create(
        actor=None,
        unit=tree.street,
        campaign_id="comprehensive_service",
        period_start=today,
        period_end=today + dt.timedelta(days=5),
    )
    response = api_for(users.field_a).get(f"/services/campaigns/{street_round.pk}/targets")
    assert response.status_code == 404


def test_api_letters(users, tree, couples, today):  # noqa: F811
    letters.letter_create(actor=None, issuer=tree.mine, couple=couples["outside"], year=today.year)
    response = api_for(users.office).get("/services/letters", open=True)
    assert response.status_code == 200
    assert response.json()["items"][0]["number"] == f"{today.year}-001"
    assert api_for(users.field_a).get("/services/letters").status_code == 403


def test_attendance_page_with_a_malformed_date_saves_nothing(client, users, round_, today):
    client.force_login(users.field_a)
    english(client)
    url = reverse("services:campaign_attendance", args=[round_.pk])
    rows = list(CampaignTarget.objects.filter(unit__code="990100001001").order_by("person__name"))
    data = formset_data(
        rows,
        {rows[0].pk: {"attended_on": today.isoformat()}, rows[1].pk: {"attended_on": "2026-13-45"}},
    )
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Give a valid date." in body and body.count("table-danger") == 1
    assert not CampaignTarget.objects.filter(attended_on__isnull=False).exists()
