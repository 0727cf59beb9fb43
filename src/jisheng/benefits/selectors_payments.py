"""Reads of the payments part: batches to pay, a roster with its subtotals by village,
bank files, failed payments — always inside the user's subtree (``restrict``)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from jisheng.benefits.choices import BatchStatus, CaseStatus, PaymentStatus
from jisheng.benefits.models import BankAccount, BankFile, Batch, Case, Payment
from jisheng.benefits.rmb import rmb_upper
from jisheng.core.scope import get_in_scope_or_404, restrict, restrict_within
from jisheng.orgs.models import Unit, User

PAYABLE = (BatchStatus.APPROVED, BatchStatus.FUNDED, BatchStatus.EXPORTED, BatchStatus.CLOSED)


def batches_to_pay(user: User, *, unit: Unit | None = None) -> QuerySet[Batch]:
    """Batches approved and after, newest first, of the user's subtree."""
    return (
        restrict_within(Batch.objects.select_related("unit"), user, unit)
        .filter(status__in=PAYABLE)
        .order_by("-period_start", "-pk")
    )


def batch_get(user: User, pk: int) -> Batch:
    return get_in_scope_or_404(Batch.objects.select_related("unit"), user, pk=pk)


def payments(
    user: User, *, batch: Batch | None = None, status: str = "", unit: Unit | None = None
) -> QuerySet[Payment]:
    rows = restrict_within(Payment.objects.select_related("unit", "account", "batch"), user, unit)
    if batch is not None:
        rows = rows.filter(batch=batch)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("batch", "line")


def payment_get(user: User, pk: int) -> Payment:
    return get_in_scope_or_404(
        Payment.objects.select_related("unit", "account", "batch", "beneficiary"), user, pk=pk
    )


@dataclass
class Village:
    name: str
    lines: list[Payment] = field(default_factory=list)
    total: Decimal = Decimal("0.00")


@dataclass
class Roster:
    batch: Batch
    villages: list[Village]
    total: Decimal
    total_upper: str
    count: int
    without_account: list[Payment]
    waiting_cases: int  # approved cases not on the roster yet
    by_status: dict[str, int]


def roster(user: User, batch: Batch) -> Roster:
    """The batch's roster lines (of the user's subtree) grouped by village (the line's
    unit), with subtotals, the total in figures and in 大写."""
    lines = list(payments(user, batch=batch).select_related("beneficiary"))
    groups: OrderedDict[int, Village] = OrderedDict()
    total = Decimal("0.00")
    by_status: dict[str, int] = {}
    for line in sorted(lines, key=lambda p: (p.unit.path, p.line)):
        village = groups.setdefault(line.unit_id, Village(line.unit.name))
        village.lines.append(line)
        village.total += line.amount
        total += line.amount
        by_status[line.status] = by_status.get(line.status, 0) + 1
    on_roster = {line.case_id for line in lines if line.case_id is not None}
    waiting = (
        restrict(Case.objects.filter(batch=batch, status=CaseStatus.APPROVED), user)
        .exclude(pk__in=on_roster)
        .count()
        if batch.status == BatchStatus.FUNDED
        else 0
    )
    return Roster(
        batch=batch,
        villages=list(groups.values()),
        total=total,
        total_upper=rmb_upper(total),
        count=len(lines),
        without_account=[
            p
            for p in lines
            if p.status == PaymentStatus.PENDING and (p.account is None or not p.account.is_active)
        ],
        waiting_cases=waiting,
        by_status=by_status,
    )


def bank_files(user: User, batch: Batch) -> QuerySet[BankFile]:
    return restrict(BankFile.objects.filter(batch=batch), user).order_by("-created_at", "-pk")


def bank_file_get(user: User, pk: int) -> BankFile:
    return get_in_scope_or_404(BankFile.objects.select_related("batch", "unit"), user, pk=pk)


def returned_lines(user: User, bank_file: BankFile) -> QuerySet[Payment]:
    return restrict(
        Payment.objects.filter(returned_in=bank_file).select_related("unit"), user
    ).order_by("line")


def failed_waiting(user: User, *, unit: Unit | None = None) -> QuerySet[Payment]:
    """Failed payments the office has not dealt with yet, oldest first."""
    return (
        restrict_within(Payment.objects.select_related("unit", "batch", "account"), user, unit)
        .filter(status=PaymentStatus.FAILED, failure_seen=False)
        .order_by("updated_at", "pk")
    )


def failed(user: User, *, unit: Unit | None = None, waiting_only: bool = True) -> QuerySet[Payment]:
    rows = restrict_within(
        Payment.objects.select_related("unit", "batch", "account"), user, unit
    ).filter(status__in=[PaymentStatus.FAILED, PaymentStatus.REISSUED])
    if waiting_only:
        rows = rows.filter(status=PaymentStatus.FAILED, failure_seen=False)
    return rows.order_by("-updated_at", "-pk")


def account_in_use(person_id: int) -> BankAccount | None:
    return BankAccount.objects.filter(person_id=person_id, is_active=True).first()


def accounts_of(user: User, person_id: int) -> QuerySet[BankAccount]:
    return restrict(BankAccount.objects.filter(person_id=person_id), user).order_by(
        "-is_active", "-created_at"
    )
