"""Payments (issue 18): accounts encrypted and masked, the roster, the bank's export and
its return file checked row by row, 四权分离 on the PAY power, failures back to the
office and paid again."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from openpyxl import load_workbook

from jisheng.benefits import accounts
from jisheng.benefits.choices import BatchStatus, CaseStatus, PaymentStatus, Power
from jisheng.benefits.models import BankAccount, BankFile, Case, Duty, Payment
from jisheng.benefits.rmb import rmb_upper
from jisheng.benefits.services_payments import (
    account_number_read,
    batch_close,
    failure_handle,
    return_import,
    roster_build,
    roster_export,
)
from jisheng.core.models import AuditEvent
from tests import factories
from tests.benefits import factories_payments as f

pytestmark = pytest.mark.django_db

HEADERS = ["流水号", "账号", "金额", "状态", "失败原因"]


@pytest.fixture
def payer(tree):
    return f.payer("daifa_t", tree.county)


@pytest.fixture
def funded(tree, make_person):
    """A FUNDED county batch: three mothers in two villages with accounts, amounts
    that add up to the fen."""
    batch = f.batch(tree.county)
    a = make_person(name="张丽", unit=tree.village_a)
    b = make_person(name="王芳", unit=tree.village_a)
    c = make_person(name="刘敏", unit=tree.village_b)
    for person, amount in ((a, "3600.00"), (b, "1500.10"), (c, "2099.95")):
        f.case(batch, person, amount=amount)
        f.account(person)
    return batch


def exported_rows(content: bytes) -> list[dict[str, str]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    head = [str(h) for h in values[0]]
    return [
        dict(zip(head, [str(v) if v is not None else "" for v in row], strict=True))
        for row in values[1:]
    ]


def return_csv(rows: list[list[str]], headers: list[str] = HEADERS, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def sent(batch, payer) -> list[dict[str, str]]:
    roster_build(actor=payer, batch=batch)
    return exported_rows(roster_export(actor=payer, batch=batch).content)


def answer(row: dict[str, str], status="成功", reason="") -> list[str]:
    return [row["流水号"], row["账号"], row["金额"], status, reason]


# --------------------------------------------------------------------------- accounts


def test_account_number_is_encrypted_hashed_and_masked(person):
    number = f.card_number(7)
    account = f.account(person, seq=7)
    assert account.number_masked == f"{number[:4]} **** **** {number[-4:]}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM benefits_bankaccount")
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert number not in stored
    assert account.number_hash == accounts.number_hash(number)
    assert accounts.reveal(account.number_encrypted) == number


def test_reading_the_full_number_is_audited(person, users):
    account = f.account(person, seq=8)
    assert account_number_read(actor=users.office, account=account) == f.card_number(8)
    event = AuditEvent.objects.filter(action="view", object_type="benefits.bankaccount").get()
    assert f.card_number(8) not in str(event.changes) + event.message + event.object_repr


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("", "Enter"),
        ("6222 0210 abcd 1234", "digits only"),
        ("12345678901", "12 to 30"),
        ("1" * 31, "12 to 30"),
        ("6222021001123456780", "check digit"),  # Luhn digit wrong
    ],
)
def test_bad_account_numbers_are_refused(person, number, why, settings):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as err:
        from jisheng.benefits.services_payments import account_record

        account_record(actor=None, person=person, bank="农行", holder_name="李秀英", number=number)
    assert why in str(err.value.message_dict["number"])


def test_one_account_in_use_per_person(person):
    first = f.account(person, seq=1)
    second = f.account(person, seq=2)
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert BankAccount.objects.filter(person=person, is_active=True).count() == 1
    with pytest.raises(ValidationError):
        f.account(person, seq=2, bank=second.bank)


def test_account_outside_scope_refused(tree, users, make_person):
    other = make_person(unit=tree.community)
    from jisheng.benefits.services_payments import account_record

    with pytest.raises(PermissionDenied):
        account_record(
            actor=users.field_a, person=other, bank="农行", holder_name="x", number=f.card_number(3)
        )


# --------------------------------------------------------------------------- roster


def test_roster_lines_references_and_exact_total(funded, payer):
    result = roster_build(actor=payer, batch=funded)
    assert result.created == 3 and result.without_account == 0
    assert result.total == Decimal("7200.05")
    assert isinstance(result.total, Decimal)
    refs = list(Payment.objects.filter(batch=funded).values_list("reference", flat=True))
    assert refs == [f"B{funded.pk}-1", f"B{funded.pk}-2", f"B{funded.pk}-3"]
    assert Duty.objects.filter(batch=funded, user=payer, power=Power.PAY).exists()
    again = roster_build(actor=payer, batch=funded)  # brought up to date: nothing new
    assert again.created == 0 and Payment.objects.filter(batch=funded).count() == 3


def test_case_without_account_is_listed_and_blocks_the_export(funded, payer, make_person, tree):
    nobody = make_person(name="赵红", unit=tree.village_b)
    f.case(funded, nobody, amount="100.00")
    result = roster_build(actor=payer, batch=funded)
    assert result.created == 4 and result.without_account == 1
    line = Payment.objects.get(batch=funded, beneficiary=nobody)
    assert line.account is None
    with pytest.raises(ValidationError, match="赵红"):
        roster_export(actor=payer, batch=funded)
    f.account(nobody)
    assert roster_build(actor=payer, batch=funded).without_account == 0
    roster_export(actor=payer, batch=funded)


def test_roster_needs_funds(tree, payer, make_person):
    approved = f.batch(tree.county, status=BatchStatus.APPROVED)
    f.case(approved, make_person())
    with pytest.raises(ValidationError):
        roster_build(actor=payer, batch=approved)


def test_pay_refused_to_the_user_who_confirmed_the_batch(funded, tree):
    both = factories.user("both", tree.county, "office", "payer")
    Duty.objects.create(batch=funded, user=both, power=Power.CONFIRM, action="approve")
    with pytest.raises(PermissionDenied, match="四权分离"):
        roster_build(actor=both, batch=funded)
    assert AuditEvent.objects.filter(action="denied", username="both").exists()
    assert not Payment.objects.filter(batch=funded).exists()
    other = f.batch(tree.county)
    roster_build(actor=both, batch=other)  # allowed on a batch where she confirmed nothing


def test_pay_refused_without_the_power(funded, users):
    with pytest.raises(PermissionDenied):
        roster_build(actor=users.office, batch=funded)


# --------------------------------------------------------------------------- export


def test_export_has_the_full_number_only_in_the_file_and_is_audited(funded, payer):
    roster_build(actor=payer, batch=funded)
    exported = roster_export(actor=payer, batch=funded)
    rows = exported_rows(exported.content)
    assert list(rows[0]) == ["序号", "流水号", "户名", "账号", "金额", "开户行", "摘要"]
    numbers = {a.person_id: accounts.reveal(a.number_encrypted) for a in BankAccount.objects.all()}
    assert {r["账号"] for r in rows} == set(numbers.values())
    assert [r["金额"] for r in rows] == ["3600.00", "1500.10", "2099.95"]
    bank_file = exported.bank_file
    assert bank_file.total_amount == Decimal("7200.05") and bank_file.lines == 3
    event = AuditEvent.objects.get(action="export", object_type="benefits.bankfile")
    assert bank_file.sha256 in event.message
    for number in numbers.values():
        assert number not in event.message
    funded.refresh_from_db()
    assert funded.status == BatchStatus.EXPORTED
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.EXPORTED}


def test_csv_layout_in_gb18030(funded, payer, monkeypatch):
    from jisheng.benefits import bankfiles
    from jisheng.policy.schema_benefits import BankLayout

    layout = BankLayout(
        format="csv",
        encoding="gb18030",
        columns=[
            {"header": "账号", "field": "account"},
            {"header": "户名", "field": "payee"},
            {"header": "金额", "field": "amount"},
            {"header": "流水号", "field": "reference"},
        ],
    )
    monkeypatch.setattr(bankfiles, "layout_for", lambda batch: ("rcc", layout))
    roster_build(actor=payer, batch=funded)
    exported = roster_export(actor=payer, batch=funded)
    text = exported.content.decode("gb18030")
    assert text.splitlines()[0] == "账号,户名,金额,流水号"
    assert "张丽" in text and exported.filename.endswith(".csv")
    assert exported.bank_file.layout == "rcc"


# --------------------------------------------------------------------------- return


def test_wrong_headers_refuse_the_whole_file(funded, payer):
    rows = sent(funded, payer)
    data = return_csv(
        [answer(r) for r in rows], headers=["流水号", "卡号", "金额", "状态", "失败原因"]
    )
    with pytest.raises(ValidationError) as err:
        return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    assert "账号" in str(err.value)
    assert not BankFile.objects.filter(direction="return").exists()
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.EXPORTED}


def test_mixed_rows_good_applied_bad_listed(funded, payer):
    rows = sent(funded, payer)
    bad_amount = dict(rows[1], 金额="1500.00")
    data = return_csv(
        [
            answer(rows[0]),
            answer(bad_amount),
            answer(rows[2], status="失败", reason="账户已销户"),
            ["B999999-1", rows[0]["账号"], "1.00", "成功", ""],
        ]
    )
    result = return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    bank_file = result.bank_file
    assert (bank_file.lines, bank_file.accepted, bank_file.refused) == (4, 2, 2)
    reasons = {r["reference"]: r["reason"] for r in bank_file.report}
    assert "1500.00" in reasons[rows[1]["流水号"]]
    assert "B999999-1" in reasons
    paid = Payment.objects.get(reference=rows[0]["流水号"])
    assert paid.status == PaymentStatus.PAID and paid.paid_on is not None
    assert Case.objects.get(payment=paid).status == CaseStatus.PAID
    failed = Payment.objects.get(reference=rows[2]["流水号"])
    assert failed.status == PaymentStatus.FAILED and failed.failure_reason == "账户已销户"
    assert Payment.objects.get(reference=rows[1]["流水号"]).status == PaymentStatus.EXPORTED
    assert bank_file.total_amount == Decimal("3600.00")


def test_unknown_row_refused(funded, payer):
    rows = sent(funded, payer)
    data = return_csv([["B1-999", rows[0]["账号"], "10.00", "成功", ""]])
    result = return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    assert result.bank_file.refused == 1 and result.bank_file.accepted == 0
    assert "No line" in result.refused[0].reason or "没有" in result.refused[0].reason


def test_duplicate_reference_in_the_file_refused(funded, payer):
    rows = sent(funded, payer)
    data = return_csv(
        [answer(rows[0]), answer(rows[0], status="失败", reason="x"), answer(rows[1])]
    )
    result = return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    assert result.bank_file.refused == 2 and result.bank_file.accepted == 1
    assert Payment.objects.get(reference=rows[0]["流水号"]).status == PaymentStatus.EXPORTED


def test_row_already_applied_refused(funded, payer):
    rows = sent(funded, payer)
    return_import(actor=payer, batch=funded, data=return_csv([answer(rows[0])]), filename="a.csv")
    second = return_csv([answer(rows[0], status="失败", reason="x"), answer(rows[1])])
    result = return_import(actor=payer, batch=funded, data=second, filename="b.csv")
    assert result.bank_file.refused == 1 and result.bank_file.accepted == 1
    assert Payment.objects.get(reference=rows[0]["流水号"]).status == PaymentStatus.PAID


def test_account_that_disagrees_refused(funded, payer):
    rows = sent(funded, payer)
    data = return_csv([[rows[0]["流水号"], f.card_number(999), rows[0]["金额"], "成功", ""]])
    result = return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    assert result.bank_file.refused == 1
    assert Payment.objects.get(reference=rows[0]["流水号"]).status == PaymentStatus.EXPORTED


def test_masked_account_in_the_return_is_compared_by_its_digits(funded, payer):
    rows = sent(funded, payer)
    number = rows[0]["账号"]
    data = return_csv(
        [[rows[0]["流水号"], number[:4] + "*" * 11 + number[-4:], "3600", "成功", ""]]
    )
    result = return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    assert result.bank_file.accepted == 1


def test_reimporting_the_same_file_changes_nothing(funded, payer):
    rows = sent(funded, payer)
    data = return_csv([answer(rows[0]), answer(rows[1], status="失败", reason="户名不符")])
    first = return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    before = list(Payment.objects.order_by("pk").values_list("status", "updated_at"))
    again = return_import(actor=payer, batch=funded, data=data, filename="r-copy.csv")
    assert again.seen_before and again.bank_file.pk == first.bank_file.pk
    assert BankFile.objects.filter(direction="return").count() == 1
    assert list(Payment.objects.order_by("pk").values_list("status", "updated_at")) == before


def test_xlsx_return_and_close(funded, payer):
    from openpyxl import Workbook

    rows = sent(funded, payer)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row["流水号"], row["账号"], Decimal(row["金额"]), "成功", None])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError):
        batch_close(actor=payer, batch=funded)
    result = return_import(actor=payer, batch=funded, data=buffer.getvalue(), filename="r.xlsx")
    assert result.bank_file.accepted == 3, result.bank_file.report
    batch_close(actor=payer, batch=funded)
    funded.refresh_from_db()
    assert funded.status == BatchStatus.CLOSED


# --------------------------------------------------------------------------- failures


def test_failed_payment_back_to_the_office_and_paid_again(funded, payer, users, tree):
    rows = sent(funded, payer)
    data = return_csv(
        [answer(rows[0], status="失败", reason="账户冻结"), answer(rows[1]), answer(rows[2])]
    )
    return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    failed = Payment.objects.get(reference=rows[0]["流水号"])
    with pytest.raises(ValidationError):  # the same account, no note
        failure_handle(actor=users.office, payment=failed)
    f.account(failed.beneficiary, seq=555)
    failure_handle(actor=users.office, payment=failed)
    later = f.batch(tree.county, title="2026年育儿补贴补发")
    result = roster_build(actor=payer, batch=later)
    assert result.reissued == 1
    failed.refresh_from_db()
    assert failed.status == PaymentStatus.REISSUED
    again = Payment.objects.get(batch=later, reissue_of=failed)
    assert again.amount == failed.amount and again.account.number_masked.endswith(
        f.card_number(555)[-4:]
    )
    new_rows = exported_rows(roster_export(actor=payer, batch=later).content)
    return_import(
        actor=payer, batch=later, data=return_csv([answer(new_rows[0])]), filename="x.csv"
    )
    assert Case.objects.get(payment=failed).status == CaseStatus.PAID


def test_failure_handle_outside_scope_refused(funded, payer, tree):
    rows = sent(funded, payer)
    data = return_csv([answer(rows[2], status="失败", reason="x")])  # 刘敏 of village B
    return_import(actor=payer, batch=funded, data=data, filename="r.csv")
    failed = Payment.objects.get(reference=rows[2]["流水号"])
    field_a = factories.user("fa", tree.village_a, "field")
    with pytest.raises(PermissionDenied):
        failure_handle(actor=field_a, payment=failed, note="查过")


# --------------------------------------------------------------------------- 大写


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "人民币零元整"),
        ("3600", "人民币叁仟陆佰元整"),
        ("1234.56", "人民币壹仟贰佰叁拾肆元伍角陆分"),
        ("1.05", "人民币壹元零伍分"),
        ("0.05", "人民币伍分"),
        ("10005", "人民币壹万零伍元整"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("20304050.60", "人民币贰仟零叁拾万肆仟零伍拾元陆角整"),
        ("180000000.00", "人民币壹亿捌仟万元整"),
    ],
)
def test_rmb_upper(amount, text):
    assert rmb_upper(Decimal(amount)) == text


def test_rmb_upper_refuses_a_float():
    with pytest.raises(TypeError):
        rmb_upper(3600.0)  # type: ignore[arg-type]


def test_no_binary_fraction_in_the_payments_code():
    """Money is Decimal: no float literal, no ``float`` name in the part's modules."""
    import ast
    from pathlib import Path

    import jisheng.benefits as package

    root = Path(package.__file__).parent
    names = [
        "accounts.py", "bankfiles.py", "rmb.py", "services_payments.py",
        "selectors_payments.py", "views_payments.py", "api_payments.py",
        "worklist_payments.py", "forms_payments.py",
    ]  # fmt: skip
    for name in names:
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), name
            assert not (isinstance(node, ast.Name) and node.id == "float"), name
