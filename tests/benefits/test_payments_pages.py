"""Payment pages, the worklist of failures and the API (issue 18): masked accounts on
every page and answer, the roster's subtotals and 大写, the export downloaded, the
return file's report, scope (another township's payments: 404 and audited)."""

from __future__ import annotations

import base64
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from jisheng.benefits import accounts
from jisheng.benefits.choices import PaymentStatus
from jisheng.benefits.models import BankAccount, Payment
from jisheng.benefits.services_payments import return_import, roster_build, roster_export
from jisheng.benefits.worklist_payments import collect_failed
from jisheng.core.models import AuditEvent
from jisheng.core.tokens import token_create
from tests import factories
from tests.api.conftest import ApiClient
from tests.benefits import factories_payments as f
from tests.benefits.test_payments_services import answer, exported_rows, return_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, make_person):
    payer = f.payer("daifa_p", tree.county)
    town_payer = f.payer("daifa_town", tree.town)
    batch = f.batch(tree.county)
    a = make_person(name="张丽", unit=tree.village_a)
    b = make_person(name="刘敏", unit=tree.village_b)
    c = make_person(name="陈静", unit=tree.community)  # 西城街道: another township
    for person, amount in ((a, "3600.00"), (b, "1200.50"), (c, "300.00")):
        f.case(batch, person, amount=amount)
        f.account(person)
    return {"payer": payer, "town_payer": town_payer, "batch": batch, "people": (a, b, c)}


def login(client, user):
    client.force_login(user)
    return client


def full_numbers() -> list[str]:
    return [accounts.reveal(a.number_encrypted) for a in BankAccount.objects.all()]


def test_payer_builds_the_roster_and_sees_subtotals_masked(client, world):
    login(client, world["payer"])
    batch = world["batch"]
    response = client.post(reverse("benefits:roster_build", args=[batch.pk]), follow=True)
    html = response.content.decode()
    assert Payment.objects.filter(batch=batch).count() == 3
    assert "5100.50" in html and "人民币伍仟壹佰元伍角整" in html
    assert "甲村" in html and "乙村" in html and "丙社区" in html
    for number in full_numbers():
        assert number not in html
        assert f"{number[:4]} **** **** {number[-4:]}" in html
    printed = client.get(reverse("benefits:roster", args=[batch.pk]) + "?print=1")
    assert "人民币伍仟壹佰元伍角整" in printed.content.decode()
    book = client.get(reverse("benefits:roster_xlsx", args=[batch.pk]))
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="benefits.batch").exists()


def test_export_downloads_and_return_report(client, world):
    login(client, world["payer"])
    batch = world["batch"]
    client.post(reverse("benefits:roster_build", args=[batch.pk]))
    response = client.post(reverse("benefits:bank_export", args=[batch.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = exported_rows(response.content)
    assert {r["账号"] for r in rows} == set(full_numbers())
    data = return_csv(
        [
            answer(rows[0]),
            answer(rows[1], status="失败", reason="账户已冻结"),
            answer(rows[2]),
            ["B0-1", "6222", "1", "成功", ""],
        ]
    )
    upload = io.BytesIO(data)
    upload.name = "回盘.csv"
    report = client.post(
        reverse("benefits:bank_return", args=[batch.pk]), {"file": upload}, follow=True
    )
    html = report.content.decode()
    assert "账户已冻结" in html and "B0-1" in html
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 2
    again = io.BytesIO(data)
    again.name = "回盘.csv"
    html = client.post(
        reverse("benefits:bank_return", args=[batch.pk]), {"file": again}, follow=True
    ).content.decode()
    assert "已导入过" in html or "already imported" in html


def test_wrong_headers_shown_on_the_form(client, world):
    login(client, world["payer"])
    batch = world["batch"]
    roster_build(actor=world["payer"], batch=batch)
    roster_export(actor=world["payer"], batch=batch)
    upload = io.BytesIO(return_csv([["x"]], headers=["流水号", "金额"]))
    upload.name = "bad.csv"
    html = client.post(
        reverse("benefits:bank_return", args=[batch.pk]), {"file": upload}
    ).content.decode()
    assert "账号" in html and "return-form" in html


def test_another_townships_batch_is_404_and_audited(client, world, tree):
    street_batch = f.batch(tree.street)
    login(client, world["town_payer"])
    assert client.get(reverse("benefits:roster", args=[street_batch.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="daifa_town").exists()


def test_roster_shows_only_the_users_subtree(client, world, tree):
    """A town's batch of the town: the town sees it; a county batch is the county's."""
    town_batch = f.batch(tree.town, title="东城镇特别扶助")
    f.case(town_batch, world["people"][0], amount="500.00")
    roster_build(actor=world["payer"], batch=town_batch)
    office = factories.user("zhen_t", tree.town, "office")
    login(client, office)
    html = client.get(reverse("benefits:roster", args=[town_batch.pk])).content.decode()
    assert "张丽" in html and "陈静" not in html and "500.00" in html
    assert client.get(reverse("benefits:roster", args=[world["batch"].pk])).status_code == 404


def test_account_page_masks_and_records(client, world, users):
    person = world["people"][0]
    login(client, users.office)
    url = reverse("benefits:account_create", args=[person.pk])
    html = client.get(url).content.decode()
    for number in full_numbers():
        assert number not in html
    new = f.card_number(4242)
    response = client.post(url, {"bank": "建设银行", "holder_name": "张丽", "number": new})
    assert response.status_code == 302
    assert BankAccount.objects.get(person=person, is_active=True).bank == "建设银行"
    assert new not in client.get(url).content.decode()
    assert new not in str(list(AuditEvent.objects.values_list("changes", "message")))
    bad = client.post(url, {"bank": "建设银行", "holder_name": "张丽", "number": "12ab"})
    assert bad.status_code == 200 and 'data-testid="account-form"' in bad.content.decode()


def _failed(world):
    batch = world["batch"]
    roster_build(actor=world["payer"], batch=batch)
    rows = exported_rows(roster_export(actor=world["payer"], batch=batch).content)
    data = return_csv([answer(rows[0], status="失败", reason="户名不符"), answer(rows[1])])
    return_import(actor=world["payer"], batch=batch, data=data, filename="r.csv")
    return Payment.objects.get(reference=rows[0]["流水号"])


def test_failed_payment_on_the_office_worklist_and_page(client, world, users, tree):
    failed = _failed(world)
    town_office = users.town_office
    count, items = collect_failed(town_office)
    assert count == 1 and items[0].person_name == "张丽" and "户名不符" in items[0].what
    street_office = factories.user("street_o", tree.street, "office")
    assert collect_failed(street_office)[0] == 0
    login(client, town_office)
    html = client.get(reverse("benefits:failed_list")).content.decode()
    assert "户名不符" in html and "张丽" in html
    f.account(failed.beneficiary, seq=777)
    client.post(reverse("benefits:failure_handle", args=[failed.pk]), {"note": ""})
    failed.refresh_from_db()
    assert failed.failure_seen
    assert collect_failed(town_office)[0] == 0


def _api(user) -> ApiClient:
    _token, secret = token_create(actor=None, user=user, name="t")
    return ApiClient(secret, language="zh-hans")


def test_api_lists_payments_masked_and_scoped(world, tree):
    roster_build(actor=world["payer"], batch=world["batch"])
    office = factories.user("zhen_api", tree.town, "office")
    body = _api(office).get("/benefits/payments").json()
    assert {row["payee_name"] for row in body["items"]} == {"张丽", "刘敏"}
    text = str(body)
    for number in full_numbers():
        assert number not in text
    assert all("****" in row["account_masked"] for row in body["items"])
    assert Decimal(body["items"][0]["amount"]) == Decimal("3600.00")
    outside = Payment.objects.get(payee_name="陈静")
    response = _api(office).get(f"/benefits/payments/{outside.pk}")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="zhen_api").exists()


def test_api_builds_exports_and_imports(world):
    client = _api(world["payer"])
    batch = world["batch"]
    built = client.post_json(f"/benefits/bank-files/{batch.pk}/roster", {}).json()
    assert built["created"] == 3 and Decimal(built["total"]) == Decimal("5100.50")
    exported = client.post_json(f"/benefits/bank-files/{batch.pk}/export", {}).json()
    rows = exported_rows(base64.b64decode(exported["content_base64"]))
    data = return_csv([*(answer(r) for r in rows), answer(rows[0])])  # a duplicate
    body = {"filename": "r.csv", "content_base64": base64.b64encode(data).decode()}
    result = client.post_json(f"/benefits/bank-files/{batch.pk}/return", body)
    assert result.status_code == 200, result.content
    answer_ = result.json()
    assert answer_["accepted"] == 2 and answer_["refused"] == 2
    again = client.post_json(f"/benefits/bank-files/{batch.pk}/return", body).json()
    assert again["seen_before"] is True
    bad = client.post_json(
        f"/benefits/bank-files/{batch.pk}/return", {"filename": "r.csv", "content_base64": "%%"}
    )
    assert bad.status_code == 422


def test_api_pay_refused_to_office(world, users):
    response = _api(users.office).post_json(f"/benefits/bank-files/{world['batch'].pk}/roster", {})
    assert response.status_code == 403
