import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jisheng.people.timeline import Step, replay

D = dt.date


def reg(day, unit=1, marital="single"):
    return Step("r", "register", day, {"unit_id": unit, "marital_status": marital})


def test_marriage_divorce_remarriage():
    spans = replay(
        [
            reg(D(2000, 1, 1)),
            Step("m", "marriage", D(2005, 1, 1), {}),
            Step("d", "divorce", D(2010, 1, 1), {}),
            Step("m2", "marriage", D(2012, 1, 1), {}),
        ]
    )
    assert [s.state.marital_status for s in spans] == [
        "single",
        "first_marriage",
        "divorced",
        "remarried",
    ]
    assert spans[0].valid_to == D(2005, 1, 1)
    assert spans[-1].valid_to is None


def test_move_between_units_changes_unit_at_the_date():
    spans = replay(
        [reg(D(2000, 1, 1), unit=1), Step("t", "internal_transfer", D(2003, 6, 1), {"unit_id": 2})]
    )
    assert [(s.valid_from, s.valid_to, s.state.unit_id) for s in spans] == [
        (D(2000, 1, 1), D(2003, 6, 1), 1),
        (D(2003, 6, 1), None, 2),
    ]


@pytest.mark.parametrize(
    "steps",
    [
        [Step("m", "marriage", D(1999, 1, 1), {}), reg(D(2000, 1, 1))],  # before registration
        [reg(D(2000, 1, 1)), Step("d", "divorce", D(2001, 1, 1), {})],  # not married
        [
            reg(D(2000, 1, 1), marital="first_marriage"),
            Step("m", "marriage", D(2001, 1, 1), {}),
        ],  # already married
        [
            reg(D(2000, 1, 1)),
            Step("x", "death", D(2001, 1, 1), {}),
            Step("m", "marriage", D(2002, 1, 1), {}),
        ],  # after death
        [
            reg(D(2000, 1, 1)),
            Step("o", "move_out", D(2001, 1, 1), {}),
            Step("m", "marriage", D(2002, 1, 1), {}),
        ],  # after moving out
        [reg(D(2000, 1, 1)), Step("r", "return", D(2001, 1, 1), {})],  # not away
        [reg(D(2000, 1, 1)), Step("t", "internal_transfer", D(2001, 1, 1), {})],  # no unit
    ],
)
def test_impossible_histories_are_refused(steps):
    with pytest.raises(ValidationError):
        replay(steps)


def test_same_day_events_collapse_and_unchanged_state_adds_no_period():
    spans = replay(
        [
            reg(D(2000, 1, 1)),
            Step("m", "marriage", D(2000, 1, 1), {}),
            Step("c", "contraception", D(2001, 1, 1), {}),
        ]
    )
    assert len(spans) == 1
    assert spans[0].state.marital_status == "first_marriage"


def test_flow_out_and_return():
    spans = replay(
        [
            reg(D(2000, 1, 1)),
            Step("f", "flow_out", D(2001, 1, 1), {}),
            Step("b", "return", D(2001, 9, 1), {}),
        ]
    )
    assert [s.state.status for s in spans] == ["registered", "out_migrant", "registered"]
