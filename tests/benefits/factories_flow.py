"""Batches and cases for the flow's tests (the sweep that creates them is another
part's): ``batch_with_cases(tree, n=…)`` — a batch of ``kind`` in the township with ``n``
cases spread over its villages, amounts as Decimal, each with its funding shares."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from jisheng.benefits.choices import BatchStatus, CaseStatus
from jisheng.benefits.models import Batch, Case, CaseShare
from tests import factories

_seq = itertools.count(5001)
NAMES = ["张小华", "李明", "王秀英", "赵丽", "欧阳春华", "刘洋", "陈静", "杨帆"]


def batch(
    unit: Any,
    *,
    kind: str = "childcare",
    status: str = BatchStatus.DRAFT,
    year: int = 2026,
    title: str = "",
    notice_from: datetime.date | None = None,
    notice_until: datetime.date | None = None,
) -> Batch:
    return Batch.objects.create(
        kind=kind,
        unit=unit,
        title=title or f"{year}年育儿补贴",
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        status=status,
        notice_from=notice_from,
        notice_until=notice_until,
    )


def case(
    b: Batch,
    unit: Any,
    *,
    name: str = "张小华",
    amount: Decimal = Decimal("3600.00"),
    months: int = 12,
    status: str = CaseStatus.CANDIDATE,
    shares: tuple[tuple[str, Decimal], ...] | None = None,
) -> Case:
    person = factories.person(
        unit,
        name=name,
        seq=next(_seq),
        birth_date=datetime.date(2024, 3, 1),
        registered_on=datetime.date(2024, 3, 10),
    )
    c = Case.objects.create(
        batch=b,
        kind=b.kind,
        person=person,
        beneficiary=person,
        unit=unit,
        status=status,
        covers_from=b.period_start,
        covers_to=b.period_end,
        months=months,
        amount=amount,
        explanation=[{"code": "age", "text": "未满三周岁", "ok": True, "records": []}],
    )
    if shares is None:
        half = (amount / 2).quantize(Decimal("0.01"))
        shares = (("central", half), ("province", amount - half))
    for level, part in shares:
        CaseShare.objects.create(case=c, level=level, amount=part)
    return c


def batch_with_cases(
    tree: Any,
    *,
    n: int = 4,
    kind: str = "childcare",
    status: str = BatchStatus.DRAFT,
    case_status: str = CaseStatus.CANDIDATE,
    unit: Any = None,
    **fields: Any,
) -> Batch:
    """A batch of the township (or ``unit``) with ``n`` cases over villages A and B."""
    from jisheng.benefits.services_flow import recount

    b = batch(unit or tree.town, kind=kind, status=status, **fields)
    villages = [tree.village_a, tree.village_b]
    for i in range(n):
        case(b, villages[i % 2], name=NAMES[i % len(NAMES)], status=case_status)
    recount(b)
    b.refresh_from_db()
    return b
