"""The scoring rules (pure functions): every rule kind, both directions, every band
edge (exactly 90, exactly 70), totals with items that had no cases, composites,
consequences for units and staff roles only, and ranking with ties and vetoes."""

from __future__ import annotations

import pytest

from jisheng.indicators import scoring
from jisheng.indicators.scoring import (
    NO_CASES,
    NOT_ENTERED,
    SCORED,
    UNWEIGHTED,
    ItemScore,
    Outcome,
    Part,
    Rule,
)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


# --------------------------------------------------------------------------- all or nothing


@pytest.mark.parametrize(
    ("value", "points"), [(95, 20), (95.0000000001, 20), (100, 20), (94.99, 0), (0, 0)]
)
def test_all_or_nothing_at_least(value, points):
    assert scoring.all_or_nothing(value, target=95, weight=20) == points


@pytest.mark.parametrize(("value", "points"), [(5, 10), (4.2, 10), (5.01, 0)])
def test_all_or_nothing_at_most(value, points):
    assert scoring.all_or_nothing(value, target=5, weight=10, direction="at_most") == points


# --------------------------------------------------------------------------- linear below target


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (100, 20),  # above the target: full, never more
        (95, 20),  # at the target
        (94, 15),  # one point short: −5
        (93.5, 12.5),  # fractions of a point count
        (91, 0),  # four points short: 0
        (80, 0),  # floored at zero
    ],
)
def test_linear_below_target_seed_rule(value, points):
    """节育率 20 points, −5 per point below (001:219-253)."""
    assert scoring.linear_below_target(
        value, target=95, weight=20, minus_per_point=5
    ) == pytest.approx(points)


def test_linear_below_target_floor():
    assert scoring.linear_below_target(70, target=95, weight=20, minus_per_point=5, floor=4) == 4
    assert scoring.linear_below_target(94, target=95, weight=20, minus_per_point=5, floor=4) == 15


@pytest.mark.parametrize(("value", "points"), [(5, 10), (3, 10), (6, 8), (10, 0)])
def test_linear_below_target_at_most_counts_points_above(value, points):
    assert scoring.linear_below_target(
        value, target=5, weight=10, minus_per_point=2, direction="at_most"
    ) == pytest.approx(points)


# --------------------------------------------------------------------------- linear between


@pytest.mark.parametrize(
    ("value", "points"), [(70, 0), (80, 0), (87.5, 5), (95, 10), (99, 10), (90, 20 / 3)]
)
def test_linear_between_rising(value, points):
    assert scoring.linear_between(value, zero_at=80, full_at=95, weight=10) == pytest.approx(points)


@pytest.mark.parametrize(("value", "points"), [(6, 0), (5, 0), (3, 5), (1, 10), (0, 10)])
def test_linear_between_falling(value, points):
    assert scoring.linear_between(value, zero_at=5, full_at=1, weight=10) == pytest.approx(points)


def test_linear_between_needs_two_values():
    with pytest.raises(ValueError):
        scoring.linear_between(5, zero_at=3, full_at=3, weight=10)


# --------------------------------------------------------------------------- by hand


def test_yes_no_and_manual():
    assert scoring.yes_no(True, weight=5) == 5
    assert scoring.yes_no(False, weight=5) == 0
    assert scoring.manual(7.5, weight=10) == 7.5
    assert scoring.manual(10, weight=10) == 10
    assert scoring.manual(0, weight=10) == 0


@pytest.mark.parametrize("points", [-0.5, 10.01, 100])
def test_manual_refuses_points_outside_the_weight(points):
    with pytest.raises(ValueError, match="between 0 and 10"):
        scoring.manual(points, weight=10)


# --------------------------------------------------------------------------- score()


def test_score_dispatches_on_the_kind():
    rule = Rule(kind="linear_below_target", weight=20, target=95, minus_per_point=5)
    got = scoring.score(rule, 94)
    assert (got.points, got.max_points, got.met, got.status) == (15, 20, False, SCORED)
    assert scoring.score(Rule(kind="all_or_nothing", weight=10, target=90), 90).points == 10
    between = Rule(kind="linear_between", weight=10, zero_at=80, full_at=95)
    assert scoring.score(between, 87.5).points == 5
    assert scoring.score(between, 95).met is True  # full_at stands for the target
    assert scoring.score(Rule(kind="yes_no", weight=5), answer=True).points == 5
    assert scoring.score(Rule(kind="manual", weight=5), points=3).points == 3


def test_undefined_value_is_not_scored():
    got = scoring.score(Rule(kind="all_or_nothing", weight=10, target=90), None)
    assert got.points is None and got.status == NO_CASES and got.max_points == 10
    assert "No cases" in got.note


def test_hand_items_not_entered_count_zero_for_now():
    for rule in (Rule(kind="yes_no", weight=5), Rule(kind="manual", weight=5)):
        got = scoring.score(rule)
        assert (got.points, got.status) == (0, NOT_ENTERED)


def test_unweighted_item_is_shown_against_its_target():
    got = scoring.score(Rule(kind="", weight=0, target=90), 85)
    assert got.status == UNWEIGHTED and got.points is None and got.met is False
    assert got.max_points == 0


def test_describe_says_the_rule_in_words():
    text = scoring.describe(
        Rule(kind="linear_below_target", weight=20, target=95, minus_per_point=5)
    )
    assert "20" in text and "≥ 95%" in text and "minus 5" in text and "below" in text
    text = scoring.describe(
        Rule(
            kind="linear_below_target",
            weight=10,
            target=5,
            minus_per_point=2,
            direction="at_most",
            unit="permille",
        )
    )
    assert "≤ 5‰" in text and "above" in text
    assert "straight line" in scoring.describe(
        Rule(kind="linear_between", weight=10, zero_at=80, full_at=95)
    )
    assert scoring.target_text(Rule(target=None)) == "—"
    assert scoring.num(94.5) == "94.5" and scoring.num(95.0) == "95" and scoring.num(None) == "—"


# --------------------------------------------------------------------------- totals


def test_total_adds_points():
    items = [ItemScore(15, 20, False, SCORED), ItemScore(30, 30, True, SCORED)]
    got = scoring.total(items, declared=50)
    assert got.points == 45 and not got.rescaled and not got.mismatch


def test_total_rescales_when_items_had_no_cases():
    items = [
        ItemScore(30, 40, True, SCORED),
        ItemScore(None, 20, None, NO_CASES),
        ItemScore(30, 40, True, SCORED),
    ]
    got = scoring.total(items, declared=100)
    # 60 of the 80 points that could be scored, on the scale of all 100
    assert got.points == 75 and got.rescaled and got.left_out == 20 and got.earned == 60


def test_total_ignores_unweighted_items_and_reports_a_mismatch():
    items = [ItemScore(40, 40, True, SCORED), ItemScore(None, 0, False, UNWEIGHTED)]
    got = scoring.total(items, declared=100)
    assert got.points == 40 and got.max_points == 40 and got.mismatch


def test_total_when_nothing_could_be_scored():
    got = scoring.total([ItemScore(None, 20, None, NO_CASES)], declared=20)
    assert got.points is None


def test_composite_30_30_40():
    parts = [Part("抽查", 30, 80), Part("半年", 30, 90), Part("年终", 40, 95)]
    assert scoring.composite(parts) == pytest.approx(0.3 * 80 + 0.3 * 90 + 0.4 * 95)


def test_composite_leaves_a_missing_part_out():
    parts = [Part("抽查", 30, None), Part("半年", 30, 90), Part("年终", 40, 95)]
    assert scoring.composite(parts) == pytest.approx((30 * 90 + 40 * 95) / 70, abs=0.005)
    assert scoring.composite([Part("抽查", 30, None)]) is None


# --------------------------------------------------------------------------- bands

BANDS = [
    {"min_score": 90, "max_score": None, "label": "优秀"},
    {"min_score": 80, "max_score": 90, "label": "良好"},
    {"min_score": 70, "max_score": 80, "label": "合格"},
    {"min_score": 0, "max_score": 70, "label": "黄牌警告"},
]


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (100, "优秀"),
        (90, "优秀"),  # exactly 90: min included
        (89.99, "良好"),
        (89.996, "优秀"),  # rounded to 90.00 as shown
        (80, "良好"),
        (70, "合格"),  # exactly 70: min included, max of the band below excluded
        (69.99, "黄牌警告"),
        (0, "黄牌警告"),
    ],
)
def test_band_edges(score, label):
    assert scoring.band_for(score, BANDS)["label"] == label


def test_highest_band_includes_its_max():
    bands = [{"min_score": 90, "max_score": 100, "label": "A"}, {"min_score": 0, "max_score": 90}]
    assert scoring.band_for(100, bands)["label"] == "A"
    assert scoring.band_for(100.5, bands) is None


def test_no_band():
    assert scoring.band_for(None, BANDS) is None
    assert scoring.band_for(50, []) is None
    assert scoring.band_for(-1, BANDS) is None


def test_pack_bands_work_too():
    from jisheng.policy.schema import Band

    bands = [Band(min_score=90, label="优秀"), Band(min_score=0, max_score=90, label="其他")]
    assert scoring.band_for(90, bands).label == "优秀"
    assert scoring.band_for(89.9, bands).label == "其他"


# --------------------------------------------------------------------------- consequences

CONSEQUENCES = [
    {"trigger": "score_band", "max_score": 70, "applies_to": "unit", "kind": "yellow_card"},
    {"trigger": "score_band", "min_score": 90, "applies_to": "unit", "kind": "reward",
     "amount_yuan": 1000},
    {"trigger": "last_place", "applies_to": "staff_role", "role": "first_responsible",
     "kind": "notice"},
    {"trigger": "false_records", "applies_to": "unit", "kind": "veto"},
    {"trigger": "indicator_below_target", "applies_to": "unit", "kind": "rectify"},
    {"trigger": "report_late", "applies_to": "unit", "kind": "notice"},
]  # fmt: skip


def kinds(outcome: Outcome) -> list[str]:
    return [c["kind"] for c in scoring.consequences_for(CONSEQUENCES, outcome)]


def test_score_band_consequences_at_the_edges():
    assert kinds(Outcome(score=70)) == []  # max excluded: 70 is not below 70
    assert kinds(Outcome(score=69.99)) == ["yellow_card"]
    assert kinds(Outcome(score=90)) == ["reward"]  # min included
    assert kinds(Outcome(score=89.99)) == []
    assert kinds(Outcome(score=None)) == []


def test_last_place_veto_and_below_target():
    got = scoring.consequences_for(CONSEQUENCES, Outcome(score=75, last_place=True))
    assert [(c["applies_to"], c["role"], c["kind"]) for c in got] == [
        ("staff_role", "first_responsible", "notice")
    ]
    assert kinds(Outcome(score=75, below_target=True)) == ["rectify"]
    assert kinds(Outcome(score=95, vetoed=True, failed_triggers=frozenset({"false_records"}))) == [
        "veto"
    ]  # no reward for a vetoed unit


def test_report_late_is_not_decided_by_an_assessment():
    assert "notice" not in kinds(Outcome(score=80, failed_triggers=frozenset()))


def test_consequences_never_address_a_person():
    bad = [{"trigger": "score_band", "max_score": 70, "applies_to": "person", "kind": "penalty"}]
    assert scoring.consequences_for(bad, Outcome(score=10)) == []


def test_pack_consequences_work_too():
    from jisheng.policy.schema import Consequence

    c = Consequence(
        trigger="score_band", applies_to="unit", kind="penalty", max_score=60, amount_yuan=500
    )
    got = scoring.consequences_for([c], Outcome(score=59))
    assert got == [
        {
            "trigger": "score_band",
            "applies_to": "unit",
            "role": "",
            "kind": "penalty",
            "amount_yuan": 500.0,
            "description": "",
        }
    ]


# --------------------------------------------------------------------------- ranking


def ranks(entries):
    standings = scoring.rank(entries)
    return {k: (s.rank, s.tied, s.is_last) for k, s in standings.items()}


def test_competition_ranking_with_ties():
    got = ranks([("a", 95, False), ("b", 90, False), ("c", 90, False), ("d", 80, False)])
    assert got == {
        "a": (1, False, False),
        "b": (2, True, False),
        "c": (2, True, False),
        "d": (4, False, True),
    }


def test_ties_compare_rounded_totals():
    got = ranks([("a", 90.001, False), ("b", 89.999, False)])
    assert got["a"][0] == got["b"][0] == 1


def test_all_tied_for_last_are_last():
    got = ranks([("a", 95, False), ("b", 80, False), ("c", 80, False)])
    assert got["b"] == (2, True, True) and got["c"] == (2, True, True)


def test_nobody_is_last_when_all_are_tied_or_alone():
    assert not any(s[2] for s in ranks([("a", 80, False), ("b", 80, False)]).values())
    assert ranks([("a", 80, False)]) == {"a": (1, False, False)}
    assert ranks([]) == {}


def test_vetoed_units_rank_below_all_others():
    got = ranks(
        [("a", 99, True), ("b", 60, False), ("c", 70, False), ("d", 50, True), ("e", None, False)]
    )
    assert [k for k, _ in sorted(got.items(), key=lambda kv: kv[1][0])] == [
        "c",
        "b",
        "e",
        "a",
        "d",
    ]
    assert got["a"][0] == 4 and got["d"] == (5, False, True)
