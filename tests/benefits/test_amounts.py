"""The money arithmetic of benefits (issue 18): months counted, proration, a rise in the
amount, a death mid-month, and the shares (funding levels, the cost-sharing rule)."""

import datetime as dt
from decimal import Decimal

import pytest

from jisheng.benefits.amounts import compute, counted_months, split
from jisheng.policy.schema_benefits import BenefitKind

CHILDCARE = BenefitKind.model_validate(
    {
        "label": "育儿补贴",
        "subject": "child",
        "beneficiary": "guardian",
        "prorate": "months",
        "amounts": [{"from": "2025-01-01", "yearly": "3600"}],
        "funding": [{"level": "central", "share": "0.9"}, {"level": "province", "share": "0.1"}],
    }
)
SPECIAL = BenefitKind.model_validate(
    {
        "label": "特别扶助",
        "subject": "parent",
        "period": "month",
        "prorate": "months",
        "amounts": [{"from": "2020-01-01", "monthly": 500}],
    }
)
HEALTH_FEE = BenefitKind.model_validate(
    {
        "label": "独生子女父母保健费",
        "subject": "parent",
        "amounts": [{"from": "2020-01-01", "yearly": 240}, {"from": "2026-07-01", "yearly": 360}],
        "prorate": "months",
        "cost_sharing": {"per_employed_parent": "0.5", "otherwise": "county"},
    }
)


def y(year: int) -> dict[str, dt.date]:
    return {"period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31)}


def test_child_born_2023_05_20_is_prorated_from_2025_until_three() -> None:
    born, three = dt.date(2023, 5, 20), dt.date(2026, 5, 20)
    in_2025 = compute(CHILDCARE, start=born, until=three, **y(2025))
    in_2026 = compute(CHILDCARE, start=born, until=three, **y(2026))
    assert (in_2025.month_count, in_2025.amount) == (12, Decimal("3600.00"))
    # January to April 2026: she is three on 20 May, so May is not counted
    assert (in_2026.month_count, in_2026.amount) == (4, Decimal("1200.00"))
    # nothing before the subsidy existed (2023, 2024)
    assert compute(CHILDCARE, start=born, until=three, **y(2024)).amount == Decimal("0.00")


def test_a_child_born_mid_year_counts_her_birth_month() -> None:
    got = compute(CHILDCARE, start=dt.date(2026, 8, 31), until=dt.date(2029, 8, 31), **y(2026))
    assert got.months[0] == dt.date(2026, 8, 1)
    assert (got.month_count, got.amount) == (5, Decimal("1500.00"))


def test_death_mid_month_pays_that_month_and_stops_after() -> None:
    # she died on 15 March; the death rule stops payments from the next month
    got = compute(SPECIAL, start=dt.date(2020, 1, 1), until=dt.date(2026, 4, 1), **y(2026))
    assert [m.month for m in got.months] == [1, 2, 3]
    assert got.amount == Decimal("1500.00")


def test_a_rise_mid_year_applies_from_its_date() -> None:
    got = compute(HEALTH_FEE, start=dt.date(2010, 1, 1), until=None, **y(2026))
    assert got.amount == Decimal("120.00") + Decimal("180.00")


def test_a_yearly_amount_that_does_not_divide_rounds_once_at_the_end() -> None:
    kind = BenefitKind.model_validate(
        {
            "label": "x",
            "subject": "parent",
            "prorate": "months",
            "amounts": [{"from": "2020-01-01", "yearly": "500"}],
        }
    )
    got = compute(kind, start=dt.date(2026, 6, 1), until=None, **y(2026))
    assert got.amount == Decimal("291.67")  # 500 × 7 / 12, not 7 × 41.67 = 291.69


def test_cost_sharing_with_two_one_and_no_employed_parents() -> None:
    amount = Decimal("360.00")
    two = split(HEALTH_FEE, amount, employers=[11, 12])
    assert [(s.level, s.payer_id, s.amount) for s in two] == [
        ("employer", 11, Decimal("180.00")),
        ("employer", 12, Decimal("180.00")),
    ]
    one = split(HEALTH_FEE, amount, employers=[12])
    assert [(s.level, s.payer_id, s.amount) for s in one] == [("employer", 12, amount)]
    none = split(HEALTH_FEE, amount, employers=[])
    assert [(s.level, s.amount) for s in none] == [("county", amount)]


def test_funding_shares_always_add_up_to_the_amount() -> None:
    lines = split(CHILDCARE, Decimal("1234.57"))
    assert [s.level for s in lines] == ["central", "province"]
    assert sum(s.amount for s in lines) == Decimal("1234.57")


def test_counted_months_of_an_eligibility_ending_in_the_month_it_starts_is_empty() -> None:
    assert counted_months(dt.date(2026, 5, 1), dt.date(2026, 5, 20), **y(2026)) == []
    assert len(counted_months(dt.date(2026, 5, 1), None, **y(2026))) == 8


@pytest.mark.parametrize("bad", ["-1", "12.345", "abc", True])
def test_an_amount_is_refused_in_clear_words(bad: object) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        BenefitKind.model_validate(
            {"label": "x", "subject": "person", "amounts": [{"from": "2025-01-01", "yearly": bad}]}
        )
