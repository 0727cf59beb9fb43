"""Targets for the dashboard and the API: the signed contract's item, else the pack in
force, else none; many units in a few queries; the traffic-light status."""

from __future__ import annotations

import pytest

from jisheng.core import periods
from jisheng.indicators import contracts, targets
from jisheng.indicators.targets import Target
from tests.indicators import test_contracts
from tests.indicators.test_contracts import sign

assess_pack = test_contracts.assess_pack
drawn = test_contracts.drawn

Q3 = periods.parse("2026Q3")


def test_pack_target_without_a_contract(tree, assess_pack):
    got = targets.target_for(tree.village_a, "scored_prevalence", Q3)
    assert got == Target(value=80, direction="at_least", source="pack", weight=40)
    births = targets.target_for(tree.village_a, "births", Q3)
    assert births == Target(value=10, direction="at_most", source="pack", weight=None)
    assert targets.target_for(tree.village_a, "deaths", Q3) is None


def test_default_pack_target(tree):
    got = targets.target_for(tree.village_a, "followup_rate", Q3)
    assert (got.value, got.source, got.weight) == (95, "pack", 30)


def test_signed_contract_wins_and_a_draft_does_not(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    items = [{n: getattr(i, n) for n in contracts.ITEM_FIELDS} for i in contract.items.all()]
    items[0]["target"] = 70
    contracts.contract_update(actor=users.office, contract=contract, items=items)
    assert targets.target_for(tree.village_a, "scored_prevalence", Q3).source == "pack"
    sign(contract, users.office)
    got = targets.target_for(tree.village_a, "scored_prevalence", Q3)
    assert got == Target(value=70, direction="at_least", source="contract", weight=40)
    # another year: the pack again
    assert (
        targets.target_for(tree.village_a, "scored_prevalence", periods.parse("2025")).source
        == "pack"
    )
    # an indicator the contract does not list falls back to the pack
    assert targets.target_for(tree.village_a, "deaths", Q3) is None


def test_targets_for_many_units_in_few_queries(tree, users, drawn, django_assert_max_num_queries):
    sign(drawn[tree.village_a.code], users.office)
    units = [tree.county, tree.town, tree.village_a, tree.village_b, tree.street, tree.community]
    ids = ["scored_prevalence", "scored_long_acting", "births", "deaths"]
    with django_assert_max_num_queries(6):
        got = targets.targets_for(units, ids, Q3)
    assert got[(tree.village_a.pk, "scored_prevalence")].source == "contract"
    assert got[(tree.village_b.pk, "scored_prevalence")].source == "pack"
    assert got[(tree.community.pk, "births")].value == 10
    assert (tree.county.pk, "deaths") not in got
    assert targets.targets_for([], ids, Q3) == {}
    assert targets.targets_for(units, [], Q3) == {}


AT_LEAST = Target(value=95, direction="at_least", source="pack")
AT_MOST = Target(value=5, direction="at_most", source="pack")


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (95, AT_LEAST, "green"),
        (100, AT_LEAST, "green"),
        (94.9, AT_LEAST, "amber"),
        (90.25, AT_LEAST, "amber"),  # 5 % of 95 below
        (90.2, AT_LEAST, "red"),
        (5, AT_MOST, "green"),
        (5.25, AT_MOST, "amber"),
        (5.3, AT_MOST, "red"),
        (None, AT_LEAST, None),
        (90, None, None),
    ],
)
def test_status(value, target, expected):
    assert targets.status(value, target) == expected
