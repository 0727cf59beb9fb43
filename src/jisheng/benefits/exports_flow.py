"""The 公示 (public notice) of a batch: a printable A4 list per batch or per village —
names partly masked (张*华, 张*), unit, benefit, months, amount, the notice period and
where to object. No ID number, no birth date: only what the notice needs (SPEC §7)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from jisheng.benefits import selectors_flow as selectors
from jisheng.benefits.models import Batch
from jisheng.orgs.models import Unit, User

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class NoticeLine:
    number: int
    name: str  # masked
    paid_to: str  # masked, when another person is paid (a guardian)
    unit: str
    months: int
    amount: Decimal


def notice_lines(user: User, batch: Batch, *, unit: Unit | None = None) -> list[NoticeLine]:
    """The lines of the public list (reviewed, objected or approved cases), masked."""
    rows = selectors.public_cases(user, batch, unit=unit).only(
        "id", "months", "amount", "person__name", "beneficiary__name", "unit__name",
        "person_id", "beneficiary_id",
    )  # fmt: skip
    lines = []
    for number, case in enumerate(rows, start=1):
        lines.append(
            NoticeLine(
                number=number,
                name=selectors.mask_name(case.person.name),
                paid_to=(
                    selectors.mask_name(case.beneficiary.name)
                    if case.beneficiary_id != case.person_id
                    else ""
                ),
                unit=case.unit.name,
                months=case.months,
                amount=case.amount,
            )
        )
    return lines


def notice_html(
    request: HttpRequest,
    user: User,
    batch: Batch,
    *,
    unit: Unit | None = None,
    for_pdf: bool = False,
) -> str:
    lines = notice_lines(user, batch, unit=unit)
    return render_to_string(
        "benefits/flow/notice_print.html",
        {
            "batch": batch,
            "unit": unit,
            "kind": selectors.kind_label(batch.kind, batch.unit),
            "lines": lines,
            "total": sum((line.amount for line in lines), ZERO),
            "for_pdf": for_pdf,
            "today": timezone.localdate(),
        },
        request=request,
    )
