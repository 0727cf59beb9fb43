"""Rows of the changes part's tests (issue 18), made directly: a pack with the
benefit kinds (keys as the eligibility part ships them in ``default-2026.yaml``:
``childcare_subsidy``, ``rural_reward``, ``special_assistance``,
``only_child_health_fee``, ``propagandist_allowance``), entitlements, batches, cases
and paid payments."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from jisheng.benefits.choices import BatchStatus, CaseStatus, PaymentStatus
from jisheng.benefits.models import Batch, Case, Entitlement, Payment
from jisheng.policy.services import pack_load
from tests.policy.conftest import minimal

BENEFITS = """\
benefits:
  kinds:
    childcare_subsidy:
      label: 育儿补贴
      subject: child
      beneficiary: guardian
      prorate: months
      eligibility:
        - {code: under_three, rule: age_below, years: 3, text: 未满三周岁}
      amounts:
        - {from: 2025-01-01, yearly: "3600"}
      funding:
        - {level: central, share: "0.9"}
        - {level: province, share: "0.1"}
    rural_reward:
      label: 农村部分计划生育家庭奖励扶助
      subject: parent
      amounts:
        - {from: 2020-01-01, yearly: "960"}
    special_assistance:
      label: 计划生育特别扶助
      subject: parent
      period: month
      prorate: months
      amounts:
        - {from: 2020-01-01, monthly: "500"}
    only_child_health_fee:
      label: 独生子女父母保健费
      subject: parent
      prorate: months
      amounts:
        - {from: 2020-01-01, yearly: "240"}
      cost_sharing: {per_employed_parent: "0.5", otherwise: county}
    propagandist_allowance:
      label: 宣传员责任补贴
      subject: staff
      period: month
      prorate: months
      staff_positions: [propagandist]
      amounts:
        - {from: 2020-01-01, monthly: "10"}
"""

_lines = itertools.count(1)


def load_pack(unit=None) -> None:
    """The test pack with the benefit kinds, in force from 2020 (for ``unit``, else for
    every unit)."""
    text = minimal(code="benefits-test", effective_from="2020-01-01") + BENEFITS
    pack_load(actor=None, text=text, unit=unit)


def entitlement(person, *, kind="special_assistance", beneficiary=None, starts_on=None, **extra):
    return Entitlement.objects.create(
        kind=kind,
        person=person,
        beneficiary=beneficiary or person,
        unit=extra.pop("unit", person.unit),
        starts_on=starts_on or dt.date(2025, 1, 1),
        **extra,
    )


def batch(unit, *, kind="special_assistance", start=None, end=None, status=BatchStatus.DRAFT):
    start = start or dt.date(2026, 1, 1)
    end = end or dt.date(2026, 12, 31)
    return Batch.objects.create(
        kind=kind,
        unit=unit,
        title=f"{kind} {start}",
        period_start=start,
        period_end=end,
        status=status,
    )


def case(batch, entitlement, *, covers_from, covers_to, amount, months, status=None):
    made = Case.objects.create(
        batch=batch,
        kind=entitlement.kind,
        person=entitlement.person,
        beneficiary=entitlement.beneficiary,
        unit=entitlement.unit,
        covers_from=covers_from,
        covers_to=covers_to,
        months=months,
        amount=Decimal(amount),
        entitlement=entitlement,
        status=status or CaseStatus.APPROVED,
    )
    Batch.objects.filter(pk=batch.pk).update(
        case_count=batch.case_count + 1, total_amount=batch.total_amount + Decimal(amount)
    )
    batch.refresh_from_db()
    return made


def paid(case, *, on=None):
    """A payment of ``case`` the bank confirmed (what the payments part writes)."""
    line = next(_lines)
    return Payment.objects.create(
        batch=case.batch,
        case=case,
        beneficiary=case.beneficiary,
        payee_name=case.beneficiary.name,
        unit=case.unit,
        line=line,
        reference=f"T{line:08d}",
        amount=case.amount,
        status=PaymentStatus.PAID,
        paid_on=on or case.covers_to,
    )


# ----------------------------------------------------------------- row builders (query counts)


def entitlement_rows(env, n: int) -> None:
    """``n`` entitlements of new persons of village A (``tests/test_query_counts.py``)."""
    for _ in range(n):
        entitlement(env.make_person(name="陈静"))


def overpayment_rows(env, n: int) -> None:
    from jisheng.benefits.models import Overpayment

    for _ in range(n):
        made = entitlement(env.make_person(name="陈静"), status="stopped")
        Overpayment.objects.create(
            entitlement=made,
            unit=made.unit,
            months=1,
            amount=Decimal("500.00"),
            covers_from=dt.date(2026, 4, 1),
            covers_to=dt.date(2026, 4, 30),
        )


def allowance_rows(env, n: int) -> None:
    from jisheng.benefits.models import AllowanceLine
    from jisheng.orgs.models import User
    from tests import factories

    staff = User.objects.filter(username="rows_staff").first() or factories.user(
        "rows_staff", env.tree.village_a, "field"
    )
    for _ in range(n):
        made = batch(env.tree.village_a, kind="propagandist_allowance")
        AllowanceLine.objects.create(
            batch=made,
            user=staff,
            unit=env.tree.village_a,
            position="propagandist",
            months=12,
            amount=Decimal("120.00"),
        )
