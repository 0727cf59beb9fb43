"""Issue 16: checking a certificate — the public page /verify/<code> (no log-in, the
few facts only, rate-limited, every look-up logged), by number inside the system (across
units, logged and audited) and by the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from jisheng.certificates import verification
from jisheng.certificates.choices import CertificateStatus, LookupChannel, LookupResult
from jisheng.certificates.models import Certificate, Lookup
from jisheng.core import workflow
from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from tests import factories

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小芳", "王*芳"),
        ("王芳", "王*"),
        ("欧阳娜娜", "欧**娜"),
        ("芳", "*"),
        ("", ""),
        (" 李强 ", "李*"),
    ],
)
def test_a_name_is_masked_keeping_the_first_and_the_last_character(name, masked):
    assert verification.mask_name(name) == masked


def test_each_name_of_a_couple_is_masked():
    assert verification.mask_holder("李强、王小芳") == "李*、王*芳"


def _public(client, code, ip="203.0.113.7"):
    return client.get(f"/verify/{code}", REMOTE_ADDR=ip)


def test_the_public_page_needs_no_log_in_and_shows_only_the_allowed_facts(client, holders, issued):
    certificate = issued.birth
    assert reverse("verify:public", args=[certificate.code]) == f"/verify/{certificate.code}"
    response = _public(client, certificate.code)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-result="valid"' in page
    assert "有效" in page
    assert "生育登记服务单" in page
    assert "东城镇" in page
    assert "2026年" in page and "长期有效" in page
    assert "李*、王*芳" in page
    # nothing else: no full name, no ID number, no birth date, no number, no internal id
    for secret in (
        "王小芳",
        "李强",
        "110105",
        "1992",
        "1990",
        certificate.number,
        "甲村",
        f"/certificates/{certificate.pk}/",
        "结婚证",
    ):
        assert secret not in page, secret
    assert '<meta name="robots" content="noindex' in page
    assert "<script" not in page
    assert 'lang="zh-Hans"' in page
    assert response["X-Robots-Tag"].startswith("noindex")
    lookup = Lookup.objects.get()
    assert (lookup.channel, lookup.result, lookup.certificate, lookup.ip, lookup.user) == (
        LookupChannel.PUBLIC,
        LookupResult.VALID,
        certificate,
        "203.0.113.7",
        None,
    )
    assert lookup.asked == certificate.code


def test_a_revoked_a_replaced_and_an_expired_certificate_say_so(client, users, issued):
    workflow.transition(
        actor=users.office, obj=issued.birth, to=CertificateStatus.REVOKED, message="录入错误"
    )
    response = _public(client, issued.birth.code)
    assert response.status_code == 200
    assert 'data-result="revoked"' in response.content.decode()
    assert "已作废" in response.content.decode()

    Certificate.objects.filter(pk=issued.migrant.pk).update(valid_until=D(2026, 1, 1))
    response = _public(client, issued.migrant.code)
    assert "已过期" in response.content.decode()

    workflow.transition(
        actor=users.office, obj=issued.migrant, to=CertificateStatus.REPLACED, message="换发"
    )
    response = _public(client, issued.migrant.code)
    assert "已换发" in response.content.decode()
    assert list(Lookup.objects.order_by("id").values_list("result", flat=True)) == [
        LookupResult.REVOKED,
        LookupResult.EXPIRED,
        LookupResult.REPLACED,
    ]


@pytest.mark.parametrize("code", ["NoSuchCode1234567890", "x", "王小芳", "a" * 300])
def test_an_unknown_code_is_not_found_and_logged(client, issued, code):
    response = _public(client, code)
    assert response.status_code == 200
    page = response.content.decode()
    assert "未找到" in page
    lookup = Lookup.objects.get()
    assert lookup.result == LookupResult.UNKNOWN
    assert lookup.certificate is None
    assert lookup.asked == code[:60]


def test_the_number_is_not_a_code(client, issued):
    response = _public(client, issued.birth.number)
    assert 'data-result="unknown"' in response.content.decode()
    assert Lookup.objects.get().result == LookupResult.UNKNOWN


def test_an_application_has_no_public_answer(client, tree, users, holders):
    from jisheng.certificates.services import certificate_apply

    applied = certificate_apply(
        actor=users.office,
        kind="status",
        issuer=tree.town,
        person=holders.migrant,
        data={"purpose": "入学"},
    )
    Certificate.objects.filter(pk=applied.pk).update(code="AppliedCode123456789")
    page = _public(client, "AppliedCode123456789").content.decode()
    assert 'data-result="unknown"' in page and "未找到" in page


@override_settings(JISHENG_VERIFY_LIMIT=3, JISHENG_VERIFY_WINDOW_SECONDS=600)
def test_past_the_limit_an_address_gets_429_in_chinese_and_the_refusal_is_logged(client, issued):
    for _ in range(3):
        assert _public(client, issued.birth.code).status_code == 200
    response = _public(client, issued.birth.code)
    assert response.status_code == 429
    page = response.content.decode()
    assert "查询" in page and "频繁" in page
    assert issued.birth.number not in page and "王*芳" not in page
    assert response["Retry-After"] == "600"
    results = list(Lookup.objects.order_by("id").values_list("result", flat=True))
    assert results == [LookupResult.VALID] * 3 + [LookupResult.LIMITED]
    limited = Lookup.objects.order_by("id").last()
    assert limited.certificate is None and limited.ip == "203.0.113.7"
    # another address is not limited
    assert _public(client, issued.birth.code, ip="198.51.100.2").status_code == 200


# ------------------------------------------------------------------ by number


@pytest.fixture
def street_office(tree):
    """The office of 西城街道: another branch of the county than 东城镇's certificates."""
    return factories.user("street_office", tree.street, "office")


def test_an_office_checks_another_units_certificate_by_its_number(client, street_office, issued):
    client.force_login(street_office)
    url = reverse("certificates:verify")
    assert "核验" in client.get(url).content.decode()
    response = client.get(url, {"number": issued.birth.number.lower()})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-result="valid"' in page
    assert issued.birth.number in page
    assert "登记的孩次" in page and "2027年3月1日" in page
    assert "李*、王*芳" in page
    assert "王小芳" not in page and "110105" not in page
    lookup = Lookup.objects.get()
    assert (lookup.channel, lookup.result, lookup.user, lookup.certificate) == (
        LookupChannel.NUMBER,
        LookupResult.VALID,
        street_office,
        issued.birth,
    )
    event = AuditEvent.objects.get(action=AuditAction.VIEW, user=street_office)
    assert event.object_id == str(issued.birth.pk)
    # not a scope refusal: checking by number is allowed across units
    assert not AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


def test_an_unknown_number_is_answered_logged_and_audited(client, street_office, issued):
    client.force_login(street_office)
    response = client.get(reverse("certificates:verify"), {"number": "SY000-2026-9999"})
    assert response.status_code == 200
    assert "未找到" in response.content.decode()
    assert Lookup.objects.get().result == LookupResult.UNKNOWN
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, user=street_office, object_repr="SY000-2026-9999"
    ).exists()


def test_checking_by_number_needs_its_permission(client, users, issued):
    client.force_login(users.field_a)
    response = client.get(reverse("certificates:verify"), {"number": issued.birth.number})
    assert response.status_code == 403
    assert not Lookup.objects.exists()


# ------------------------------------------------------------------ the API


def test_the_api_checks_a_number_across_units(api, tree, issued):
    response = api("office").get("/certificates/verify", number=issued.migrant.number)
    assert response.status_code == 200
    body = response.json()
    assert body["result"] == "valid"
    assert body["number"] == issued.migrant.number
    assert body["holder"] == "欧**娜"
    assert body["issuer"] == "东城镇"
    assert body["valid_until"] == issued.migrant.valid_until.isoformat()
    assert {"label": "流入地", "value": "广东省深圳市"} in body["fields"]
    assert "id" not in body and "110105" not in response.content.decode()
    lookup = Lookup.objects.get()
    assert (lookup.channel, lookup.result) == (LookupChannel.API, LookupResult.VALID)


def test_the_api_answers_an_unknown_number_and_refuses_without_the_permission(api, issued):
    response = api("office").get("/certificates/verify", number="NOPE-1")
    assert response.status_code == 200
    assert response.json()["result"] == "unknown"
    assert response.json()["holder"] is None
    assert api("field_a").get("/certificates/verify", number=issued.birth.number).status_code == 403
    assert api("office").get("/certificates/verify").status_code in (400, 422)
