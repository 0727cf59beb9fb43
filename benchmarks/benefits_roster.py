"""The payment roster and the bank's return file at county scale (issue 18 / payments).

    uv run python benchmarks/benefits_roster.py [--lines 50000] [--database-url URL]
                                                [--seed 1] [--fail-every 50]

1. Starts Django like ``registry.py`` (a temporary SQLite file unless
   ``--database-url``; use a scratch database), loads the demo organisation (示范县) and
   generates ``--persons`` (default ``--lines``) persons in it
   (``people.bulk.generate_persons``; reused when a run left them).
2. Unless there is one: a FUNDED batch of the county with one approved case for each of
   the first ``--lines`` persons (amounts from 100.00 to 3,600.00 yuan, odd fen) and an
   account in use for each (encrypted, hashed, masked as the service does) — in bulk, not
   timed.
3. Times, as the county's payment clerk ``daifa`` (a non-superuser: scope and 四权分离
   apply):
   - **roster built and exported**: ``roster_build`` then ``roster_export`` (xlsx in the
     default layout: 50,000 accounts decrypted) — target ≤ 10 s;
   - **return checked and applied**: a return file of every line (csv, one line in
     ``--fail-every`` failed with a reason, account numbers in full) read by
     ``return_import``: parsed, every row checked (reference, duplicate, amount, account
     by its keyed hash), applied in one transaction — target ≤ 15 s.
4. Prints both figures with PASS/FAIL, and checks the sums to the fen.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import generate, with_django

TARGET_EXPORT_S = 10
TARGET_RETURN_S = 15


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--persons", type=int, default=None, help="persons (default: --lines)")
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fail-every", type=int, default=50)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    args.persons = max(args.persons or args.lines, args.lines)
    return with_django(args, run)


def amount_of(index: int) -> Decimal:
    return Decimal(100 + (index * 37) % 3500) + Decimal((index * 7) % 100) / 100


def make_batch(root: object, lines: int) -> object:
    """The FUNDED batch, its cases and the accounts, in bulk (a fixture, no audit)."""
    from django.db import transaction

    from jisheng.benefits import accounts
    from jisheng.benefits.choices import BatchStatus, CaseStatus
    from jisheng.benefits.models import BankAccount, Batch, Case
    from jisheng.people.models import Person

    persons = list(
        Person.objects.filter(unit__path__startswith=root.path)  # type: ignore[attr-defined]
        .order_by("pk")
        .values_list("pk", "name", "unit_id")[:lines]
    )
    if len(persons) < lines:
        raise SystemExit(f"only {len(persons)} persons: generate more")
    started = time.perf_counter()
    with transaction.atomic():
        batch = Batch.objects.create(
            kind="childcare",
            unit=root,
            title="基准测试育儿补贴发放",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
            status=BatchStatus.FUNDED,
        )
        Case.objects.bulk_create(
            [
                Case(
                    batch=batch,
                    kind="childcare",
                    person_id=pk,
                    beneficiary_id=pk,
                    unit_id=unit_id,
                    status=CaseStatus.APPROVED,
                    covers_from=datetime.date(2026, 1, 1),
                    covers_to=datetime.date(2026, 12, 31),
                    months=12,
                    amount=amount_of(i),
                )
                for i, (pk, _name, unit_id) in enumerate(persons)
            ],
            batch_size=2000,
        )
        existing = set(
            BankAccount.objects.filter(is_active=True).values_list("person_id", flat=True)
        )
        rows = []
        for i, (pk, name, unit_id) in enumerate(persons):
            if pk in existing:
                continue
            stored = accounts.protect(card(i))
            rows.append(
                BankAccount(
                    person_id=pk,
                    unit_id=unit_id,
                    bank="农业银行示范县支行",
                    holder_name=name,
                    number_encrypted=stored.encrypted,
                    number_hash=stored.hash,
                    number_masked=stored.masked,
                )
            )
        BankAccount.objects.bulk_create(rows, batch_size=2000)
    seconds = time.perf_counter() - started
    print(f"  batch {batch.pk}: {lines:,} cases, accounts made in {seconds:.1f} s")
    return batch


def card(index: int) -> str:
    from stdnum import luhn

    body = f"622848{index:012d}"
    return body + luhn.calc_check_digit(body)


def return_file(content: bytes, fail_every: int) -> tuple[bytes, int, Decimal]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    head = [str(h) for h in next(rows)]
    at = {h: head.index(h) for h in ("流水号", "账号", "金额")}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["流水号", "账号", "金额", "状态", "失败原因"])
    failed = 0
    paid = Decimal("0.00")
    for n, row in enumerate(rows):
        bad = fail_every and n % fail_every == 0
        failed += bool(bad)
        if not bad:
            paid += Decimal(str(row[at["金额"]]))
        writer.writerow(
            [
                row[at["流水号"]],
                row[at["账号"]],
                row[at["金额"]],
                "失败" if bad else "成功",
                "账户已冻结" if bad else "",
            ]
        )
    return out.getvalue().encode("utf-8-sig"), failed, paid


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from jisheng.benefits.choices import PaymentStatus
    from jisheng.benefits.models import Payment
    from jisheng.benefits.services_payments import return_import, roster_build, roster_export
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit, User

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    batch = make_batch(root, args.lines)
    payer = User.objects.select_related("unit").get(username="daifa")

    started = time.perf_counter()
    built = roster_build(actor=payer, batch=batch)
    build_s = time.perf_counter() - started
    exported = roster_export(actor=payer, batch=batch)
    export_s = time.perf_counter() - started
    expected = sum((amount_of(i) for i in range(args.lines)), Decimal("0.00"))
    assert built.total == expected, (built.total, expected)
    assert exported.bank_file.lines == args.lines

    data, failed, paid = return_file(exported.content, args.fail_every)
    started = time.perf_counter()
    result = return_import(actor=payer, batch=batch, data=data, filename="return.csv")
    return_s = time.perf_counter() - started
    bank_file = result.bank_file
    assert bank_file.refused == 0, bank_file.report[:3]
    assert bank_file.accepted == args.lines
    assert bank_file.total_amount == paid, (bank_file.total_amount, paid)
    assert Payment.objects.filter(batch=batch, status=PaymentStatus.FAILED).count() == failed

    ok_export = export_s <= TARGET_EXPORT_S
    ok_return = return_s <= TARGET_RETURN_S
    size = len(exported.content)
    print(f"  roster total {built.total} yuan (exact to the fen), file {size:,} bytes")
    print(
        f"roster of {args.lines:,} lines built and exported   {export_s:6.2f} s "
        f"(build {build_s:.2f} s)  target ≤ {TARGET_EXPORT_S} s  {'PASS' if ok_export else 'FAIL'}"
    )
    print(
        f"return file of {args.lines:,} lines checked and applied {return_s:6.2f} s "
        f"({failed:,} failed)  target ≤ {TARGET_RETURN_S} s  {'PASS' if ok_return else 'FAIL'}"
    )
    return 0 if ok_export and ok_return else 1


if __name__ == "__main__":
    raise SystemExit(main())
