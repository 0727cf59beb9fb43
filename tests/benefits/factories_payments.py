"""Rows the payments tests start from: a FUNDED (or other) batch of approved cases made
directly (the sweep and the approval flow are other parts), and accounts."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from stdnum import luhn

from jisheng.benefits.choices import BatchStatus, CaseStatus
from jisheng.benefits.models import Batch, Case, CaseShare
from jisheng.benefits.services_payments import account_record
from tests import factories

_seq = itertools.count(1)


def card_number(seq: int) -> str:
    """A valid 19-digit debit card number (Luhn), distinct for each ``seq``."""
    body = f"622202{seq:012d}"
    return body + luhn.calc_check_digit(body)


def batch(
    unit, *, status: str = BatchStatus.FUNDED, kind: str = "childcare", title: str = ""
) -> Batch:
    return Batch.objects.create(
        kind=kind,
        unit=unit,
        title=title or "2026年育儿补贴发放",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        status=status,
    )


def case(the_batch: Batch, beneficiary, *, amount: str = "3600.00", unit=None, child=None) -> Case:
    made = Case.objects.create(
        batch=the_batch,
        kind=the_batch.kind,
        person=child or beneficiary,
        beneficiary=beneficiary,
        unit=unit or beneficiary.unit,
        status=CaseStatus.APPROVED,
        covers_from=dt.date(2026, 1, 1),
        covers_to=dt.date(2026, 12, 31),
        months=12,
        amount=Decimal(amount),
    )
    CaseShare.objects.create(case=made, level="central", amount=Decimal(amount))
    return made


def account(person, *, seq: int | None = None, bank: str = "农业银行东城支行"):
    return account_record(
        actor=None,
        person=person,
        bank=bank,
        holder_name=person.name,
        number=card_number(seq if seq is not None else next(_seq)),
    )


def payer(username: str, unit):
    return factories.user(username, unit, "payer")
