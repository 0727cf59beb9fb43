"""services.schedule: visits due derived from history and pack, and visits matched to them."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.policy.choices import Method
from jisheng.policy.loader import parse_pack
from jisheng.policy.services import PACKS_DIR
from jisheng.services.schedule import (
    Due,
    DueKind,
    Facts,
    Horizon,
    MethodUse,
    Span,
    Visit,
    assign,
    derive,
)

D = dt.date
H = Horizon(D(2025, 1, 1), D(2026, 12, 31))
A, B = 101, 102  # two units


def pack(name: str = "default-2026.yaml"):
    return parse_pack((PACKS_DIR / name).read_text(encoding="utf-8")).pack


DEFAULT = pack()


BORN = D(1990, 6, 15)
MARRIED = D(2020, 1, 1)


def woman(*spans: Span, methods=(), deliveries=(), abortions=(), born=BORN) -> Facts:
    return Facts(1, "F", born, list(spans), list(methods), list(deliveries), list(abortions))


def married(start=MARRIED, end=None, unit=A, status="registered") -> Span:
    return Span(start, end, unit, "first_marriage", status)


def regular(items):
    return [(d.method, d.starts_on, d.due_on) for d in items if d.kind == DueKind.METHOD]


# --------------------------------------------------------------------------- regular visits


def test_pill_users_are_due_every_month_by_its_last_day():
    items = derive(woman(married(), methods=[MethodUse("pill", D(2021, 3, 1))]), DEFAULT, H)
    got = regular(items)
    assert len(got) == 24
    assert got[0] == ("pill", D(2025, 1, 1), D(2025, 1, 31))
    assert got[1] == ("pill", D(2025, 2, 1), D(2025, 2, 28))
    assert ("pill", D(2026, 2, 1), D(2026, 2, 28)) in got
    assert got[-1] == ("pill", D(2026, 12, 1), D(2026, 12, 31))


def test_iud_users_are_due_every_quarter_by_the_25th_of_its_third_month():
    items = derive(woman(married(), methods=[MethodUse("iud", D(2019, 5, 1))]), DEFAULT, H)
    got = regular(items)
    assert [due for _m, _s, due in got] == [
        D(y, m, 25) for y in (2025, 2026) for m in (3, 6, 9, 12)
    ]
    assert got[0][1] == D(2025, 1, 1)


def test_no_method_record_means_no_method_with_its_own_frequency():
    got = regular(derive(woman(married()), DEFAULT, H))
    assert {m for m, _s, _d in got} == {"none"} and len(got) == 8


def test_a_method_started_mid_period_starts_with_the_next_period():
    facts = woman(married(), methods=[MethodUse("pill", D(2026, 3, 10))])
    got = regular(derive(facts, DEFAULT, H))
    pill = [s for m, s, _d in got if m == "pill"]
    assert pill[0] == D(2026, 4, 1)  # March: the start itself was a service contact
    none = [s for m, s, _d in got if m == "none"]
    assert none[-1] == D(2025, 10, 1)  # the quarter of the start is not due for "none"


def test_a_method_change_mid_period_drops_that_period():
    facts = woman(
        married(),
        methods=[
            MethodUse("iud", D(2020, 1, 1), D(2026, 8, 10)),
            MethodUse("pill", D(2026, 8, 10)),
        ],
    )
    got = regular(derive(facts, DEFAULT, H))
    iud = [s for m, s, _d in got if m == "iud"]
    pill = [s for m, s, _d in got if m == "pill"]
    assert iud[-1] == D(2026, 4, 1)  # Q3 2026: changed on 10 August, not due as IUD
    assert pill == [D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)]


def test_only_the_target_group_is_followed():
    single = Span(D(2000, 1, 1), None, A, "single", "registered")
    assert regular(derive(woman(single), DEFAULT, H)) == []
    man = Facts(2, "M", D(1990, 1, 1), [married()])
    assert regular(derive(man, DEFAULT, H)) == []
    out = married(status="out_migrant")
    assert regular(derive(woman(out), DEFAULT, H)) == []


def test_marriage_mid_quarter_starts_with_the_next_quarter():
    facts = woman(
        Span(D(2010, 1, 1), D(2025, 5, 20), A, "single", "registered"),
        married(D(2025, 5, 20)),
    )
    got = regular(derive(facts, DEFAULT, H))
    assert got[0] == ("none", D(2025, 7, 1), D(2025, 9, 25))


def test_moving_out_mid_period_drops_that_period_and_everything_after():
    facts = woman(
        married(D(2020, 1, 1), D(2026, 5, 3)),
        Span(D(2026, 5, 3), None, A, "first_marriage", "out_migrant"),
        methods=[MethodUse("pill", D(2020, 1, 1))],
    )
    got = regular(derive(facts, DEFAULT, H))
    assert got[-1][1] == D(2026, 4, 1)


def test_moving_inside_the_registry_keeps_the_schedule_and_changes_the_unit():
    facts = woman(
        married(D(2020, 1, 1), D(2026, 5, 3), unit=A),
        married(D(2026, 5, 3), None, unit=B),
        methods=[MethodUse("pill", D(2020, 1, 1))],
    )
    items = [d for d in derive(facts, DEFAULT, H) if d.kind == DueKind.METHOD]
    assert len(items) == 24  # May 2026 still due
    may = next(d for d in items if d.starts_on == D(2026, 5, 1))
    assert may.unit_id == B  # the unit where she lives on the due date
    april = next(d for d in items if d.starts_on == D(2026, 4, 1))
    assert april.unit_id == A


def test_turning_50_ends_the_follow_up():
    facts = woman(married(), methods=[MethodUse("pill", D(2020, 1, 1))], born=D(1975, 8, 15))
    got = regular(derive(facts, DEFAULT, H))
    # 50 on 15 August 2025: July is the last whole month at 49
    assert got[-1][1] == D(2025, 7, 1)


def test_the_horizon_bounds_the_items():
    facts = woman(married(), methods=[MethodUse("pill", D(2020, 1, 1))])
    short = Horizon(D(2026, 3, 1), D(2026, 5, 31))
    assert [s for _m, s, _d in regular(derive(facts, DEFAULT, short))] == [
        D(2026, 3, 1),
        D(2026, 4, 1),
        D(2026, 5, 1),
    ]


# --------------------------------------------------------------------------- after events


def test_visits_after_an_operation_a_delivery_and_an_abortion():
    facts = woman(
        married(),
        methods=[MethodUse("pill", D(2020, 1, 1), D(2026, 3, 5)), MethodUse("iud", D(2026, 3, 5))],
        deliveries=[D(2025, 6, 1)],
        abortions=[D(2025, 11, 20)],
    )
    items = derive(facts, DEFAULT, H)
    after = {(d.kind, d.sequence): d for d in items if d.kind != DueKind.METHOD}
    surgery1 = after[(DueKind.AFTER_SURGERY, 1)]
    assert (surgery1.starts_on, surgery1.due_on) == (D(2026, 3, 6), D(2026, 4, 4))
    surgery2 = after[(DueKind.AFTER_SURGERY, 2)]
    assert (surgery2.starts_on, surgery2.due_on) == (D(2026, 4, 5), D(2026, 7, 4))
    assert (DueKind.AFTER_SURGERY, 3) not in after
    delivery = after[(DueKind.AFTER_DELIVERY, 1)]
    assert delivery.due_on == D(2025, 7, 13)  # 42 days
    assert after[(DueKind.AFTER_ABORTION, 1)].due_on == D(2025, 12, 4)
    assert after[(DueKind.AFTER_ABORTION, 2)].due_on == D(2026, 1, 4)


def test_after_delivery_visit_is_for_any_resident_mother():
    single = Span(D(2000, 1, 1), None, A, "single", "registered")
    items = derive(woman(single, deliveries=[D(2026, 2, 1)]), DEFAULT, H)
    assert [d.kind for d in items] == [DueKind.AFTER_DELIVERY]


def test_no_pack_no_items():
    assert derive(woman(married()), None, H) == []


def test_a_pack_without_followup_gives_nothing():
    empty = DEFAULT.model_copy(update={"followup": None})
    assert derive(woman(married()), empty, H) == []


@pytest.mark.parametrize(
    "name",
    ["default-2026.yaml", "mine-2005.yaml", "street-2025.yaml", "school-2023.yaml",
     "county-commodities-2007.yaml"],
)  # fmt: skip
def test_every_shipped_pack_derives_a_schedule(name):
    facts = woman(
        married(),
        methods=[MethodUse("pill", D(2020, 1, 1), D(2025, 7, 1)), MethodUse("iud", D(2025, 7, 1))],
        deliveries=[D(2025, 2, 1)],
    )
    chosen = pack(name)
    items = derive(facts, chosen, H)
    if chosen.followup is None:
        assert items == []
        return
    assert items == sorted(items, key=lambda d: (d.due_on, d.kind, d.starts_on))
    assert len({d.key for d in items}) == len(items)
    for item in items:
        assert H.start <= item.due_on <= H.end
        assert item.starts_on <= item.due_on
    methods = chosen.followup.methods
    if "iud" in methods:
        every = methods["iud"].every_months
        iud = [d for d in items if d.method == "iud"]
        assert len(iud) == 18 // every  # July 2025 – December 2026


# --------------------------------------------------------------------------- assigning visits


def month(m: int, y: int = 2026) -> Due:
    first = D(y, m, 1)
    last = (D(y, m + 1, 1) if m < 12 else D(y + 1, 1, 1)) - dt.timedelta(days=1)
    return Due(DueKind.METHOD, first, last, A, method="pill")


def test_a_visit_inside_the_window_is_on_time_and_an_early_one_counts_for_its_own_period():
    items = [month(1), month(2), month(3)]
    done = assign(items, [Visit("v1", D(2026, 1, 31)), Visit("v2", D(2026, 2, 3))], D(2026, 4, 1))
    assert [(d.visit_id, d.on_time) for d in done] == [("v1", True), ("v2", True), (None, False)]


def test_two_visits_in_one_period_count_once():
    done = assign(
        [month(1), month(2)], [Visit(1, D(2026, 1, 5)), Visit(2, D(2026, 1, 20))], D(2026, 3, 1)
    )
    assert [d.visit_id for d in done] == [1, None]


def test_a_late_visit_counts_for_the_last_open_item_before_the_next_window():
    quarter = Due(DueKind.METHOD, D(2026, 1, 1), D(2026, 3, 25), A, method="iud")
    next_quarter = Due(DueKind.METHOD, D(2026, 4, 1), D(2026, 6, 25), A, method="iud")
    done = assign([quarter, next_quarter], [Visit(7, D(2026, 3, 28))], D(2026, 5, 1))
    assert (done[0].visit_id, done[0].on_time) == (7, False)  # late, before April
    assert done[1].visit_id is None
    # a visit in the next window belongs to the next item
    # a visit in the next window belongs to the next item, and (one visit acts on the
    # person, issue 13 item 22) clears the quarter before it too, late
    done = assign([quarter, next_quarter], [Visit(8, D(2026, 4, 2))], D(2026, 5, 1))
    assert [(d.visit_id, d.on_time) for d in done] == [(8, False), (8, True)]


def test_one_visit_serves_a_regular_and_an_after_event_item():
    after = Due(DueKind.AFTER_SURGERY, D(2026, 1, 10), D(2026, 2, 8), A, sequence=1)
    done = assign([month(2), after], [Visit(5, D(2026, 2, 5))], D(2026, 3, 1))
    assert [d.visit_id for d in done] == [5, 5]


def test_open_items_not_yet_due_are_not_late():
    done = assign([month(3)], [], D(2026, 3, 10))
    assert done[0].done_on is None and not done[0].on_time


def test_a_visit_made_for_an_overdue_item_clears_it_and_every_item_it_covers():
    # issue 13 item 22: one visit acts on the person
    items = [month(1), month(2), month(3)]
    visit = Visit("v", D(2026, 3, 10), target=(DueKind.METHOD, D(2026, 1, 1)))
    done = assign(items, [visit], D(2026, 3, 12))
    assert [(d.visit_id, d.on_time) for d in done] == [("v", False), ("v", False), ("v", True)]
    # without a target it counts for March on time and for the months before, late
    done = assign(items, [Visit("w", D(2026, 3, 10))], D(2026, 3, 12))
    assert [(d.visit_id, d.on_time) for d in done] == [("w", False), ("w", False), ("w", True)]


def test_a_target_that_no_longer_exists_is_matched_normally():
    visit = Visit("v", D(2026, 3, 10), target=(DueKind.METHOD, D(2025, 1, 1)))
    done = assign([month(3)], [visit], D(2026, 3, 12))
    assert done[0].visit_id == "v" and done[0].on_time


SHIPPED = [
    "default-2026.yaml",
    "mine-2005.yaml",
    "street-2025.yaml",
    "school-2023.yaml",
    "county-commodities-2007.yaml",
]


PACK_METHODS = [
    (name, method)
    for name in SHIPPED
    if (followup := pack(name).followup) is not None
    for method in Method.values
    if method in followup.methods
]


def test_every_pack_follows_most_methods():
    assert len(PACK_METHODS) >= 40  # 5 packs × 10 methods, less what a seed leaves out


@pytest.mark.parametrize(("name", "method"), PACK_METHODS)
def test_each_pack_and_method_gives_one_visit_per_period(name, method):
    """A woman in the pack's target group using ``method`` since before the horizon is
    due once per period of the pack's frequency for that method, in its target unit."""
    chosen = pack(name)
    followup = chosen.followup
    group = chosen.target_groups[followup.target]
    marital = group.marital[0] if group.marital else "first_marriage"
    status = group.statuses[0] if group.statuses else "registered"
    age = (group.age_min or 20) + 5
    born = D(2025 - age, 6, 1)
    facts = Facts(
        1,
        group.sex or "F",
        born,
        [Span(D(2000, 1, 1), None, A, marital, status)],
        [MethodUse(method, D(2020, 1, 1))],
    )
    items = [d for d in derive(facts, chosen, H) if d.kind == DueKind.METHOD]
    every = followup.methods[method].every_months
    assert len(items) == 24 // every
    assert all(d.method == method and d.unit_id == A for d in items)
    starts = [d.starts_on for d in items]
    assert starts == sorted(set(starts))
    for d in items:
        assert (d.starts_on.month - 1) % every == 0


def test_a_group_without_statuses_follows_residents_only():
    no_status = DEFAULT.target_groups["married_wra"].model_copy(update={"statuses": []})
    chosen = DEFAULT.model_copy(
        update={"target_groups": {**DEFAULT.target_groups, "married_wra": no_status}}
    )
    gone = woman(married(status="out_migrant"), methods=[MethodUse("pill", D(2020, 1, 1))])
    assert regular(derive(gone, chosen, H)) == []
    dead = woman(married(status="deceased"))
    assert regular(derive(dead, chosen, H)) == []
    here = woman(married(status="registered"), methods=[MethodUse("pill", D(2020, 1, 1))])
    assert len(regular(derive(here, chosen, H))) == 24


# ------------------------------------------------------------- issue 14: keys that act


STREET = pack("street-2025.yaml")  # pill monthly face to face; IUD quarterly, any way
MINE = pack("mine-2005.yaml")  # employees every 3 months, every method face to face


def test_face_to_face_items_are_marked_from_the_pack():
    pill = derive(woman(married(), methods=[MethodUse("pill", D(2020, 1, 1))]), STREET, H)
    iud = derive(woman(married(), methods=[MethodUse("iud", D(2020, 1, 1))]), STREET, H)
    assert pill and all(d.face_to_face for d in pill if d.kind == DueKind.METHOD)
    assert iud and not any(d.face_to_face for d in iud)
    assert not any(d.face_to_face for d in derive(woman(married()), DEFAULT, H))


def test_a_phone_call_does_not_do_a_face_to_face_visit():
    face = [Due(DueKind.METHOD, D(2026, 1, 1), D(2026, 1, 31), A, "pill", face_to_face=True)]
    phone = Visit("p", D(2026, 1, 10), face_to_face=False)
    home = Visit("h", D(2026, 1, 20))
    assert [d.visit_id for d in assign(face, [phone], D(2026, 3, 1))] == [None]
    assert [d.visit_id for d in assign(face, [phone, home], D(2026, 3, 1))] == ["h"]
    # made for the item (from the worklist), a phone call still does not do it
    targeted = Visit("t", D(2026, 1, 10), target=face[0].key, face_to_face=False)
    assert [d.visit_id for d in assign(face, [targeted], D(2026, 3, 1))] == [None]
    late_phone = Visit("l", D(2026, 2, 10), face_to_face=False)
    assert [d.visit_id for d in assign(face, [late_phone], D(2026, 3, 1))] == [None]
    # an item that asks for no particular way is done by the phone call
    plain = [Due(DueKind.METHOD, D(2026, 1, 1), D(2026, 1, 31), A, "iud")]
    assert [d.visit_id for d in assign(plain, [phone], D(2026, 3, 1))] == ["p"]


def test_employees_are_visited_at_the_employee_interval_whatever_the_method():
    monthly = MINE.followup.model_copy(
        update={"methods": {"pill": MINE.followup.methods["pill"].model_copy(
            update={"every_months": 1})}}
    )  # fmt: skip
    chosen = MINE.model_copy(update={"followup": monthly})
    employee = Span(D(2000, 1, 1), None, A, "first_marriage", "registered", employer_id=7)
    resident = Span(D(2000, 1, 1), None, A, "first_marriage", "registered")
    on_pill = [MethodUse("pill", D(2020, 1, 1))]
    got = regular(derive(woman(employee, methods=on_pill), chosen, H))
    assert len(got) == 8 and all(s.month in (1, 4, 7, 10) for _m, s, _d in got)
    assert len(regular(derive(woman(resident, methods=on_pill), chosen, H))) == 24
    # a method the table leaves out is still visited for an employee, not for a resident
    on_iud = [MethodUse("iud", D(2020, 1, 1))]
    assert len(regular(derive(woman(employee, methods=on_iud), chosen, H))) == 8
    assert regular(derive(woman(resident, methods=on_iud), chosen, H)) == []


def test_taking_up_a_job_mid_period_works_like_a_method_change():
    without = MINE.followup.model_copy(update={"employees_every_months": None})
    monthly = without.model_copy(
        update={"methods": {"pill": without.methods["pill"].model_copy(
            update={"every_months": 1})}, "employees_every_months": 3}
    )  # fmt: skip
    chosen = MINE.model_copy(update={"followup": monthly})
    spans = (
        Span(D(2000, 1, 1), D(2026, 5, 10), A, "first_marriage", "registered"),
        Span(D(2026, 5, 10), None, A, "first_marriage", "registered", employer_id=7),
    )
    got = regular(derive(woman(*spans, methods=[MethodUse("pill", D(2020, 1, 1))]), chosen, H))
    starts = [s for _m, s, _d in got]
    assert starts[:16] == [D(2025, m, 1) for m in range(1, 13)] + [
        D(2026, m, 1) for m in range(1, 5)
    ]  # monthly until April 2026; May is cut by the new job
    assert starts[16:] == [D(2026, 7, 1), D(2026, 10, 1)]  # then quarterly from July
    assert regular(derive(woman(*spans), chosen.model_copy(
        update={"followup": without}), H))  # fmt: skip
