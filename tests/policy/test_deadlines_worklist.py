"""Issue 14 item 8: a pack's calendar deadlines act — they come onto the worklist of the
units the pack governs shortly before they fall due."""

from __future__ import annotations

import datetime as dt

from jisheng.core.registry import registry
from jisheng.policy.selectors import DEADLINE_NOTICE_DAYS, DEADLINES_SOURCE, deadlines_coming
from jisheng.policy.services import PACKS_DIR, pack_load

D = dt.date


def test_the_source_is_registered():
    assert registry["worklist_sources"]["deadlines"] is DEADLINES_SOURCE
    assert DEADLINES_SOURCE.permission == "policy.view_policypack"


def test_the_default_pack_s_quarterly_report_comes_two_weeks_ahead(tree, users):
    # default-2026: followup_report on the 25th of a quarter's third month; the other
    # deadlines are counted from events (days_after, months_after): not on this list
    count, items = deadlines_coming(users.office, today=D(2026, 3, 11))
    assert (count, [(i.date, i.person_id) for i in items]) == (1, [(D(2026, 3, 25), None)])
    assert items[0].what == "随访情况上报（每季度第三个月 25 日前）"
    assert items[0].url == "/policy/default-2026/" and items[0].unit_name == tree.county.name
    assert deadlines_coming(users.office, today=D(2026, 3, 10))[0] == 0  # 15 days ahead
    # passed; June's far — but the monthly statistics meeting (28th) and the monthly
    # report (3rd of the next month, issue 15) come every month
    assert [i.date for i in deadlines_coming(users.office, today=D(2026, 3, 26))[1]] == [
        D(2026, 3, 28),
        D(2026, 4, 3),
    ]
    assert DEADLINE_NOTICE_DAYS == 14


def test_a_unit_s_own_pack_gives_its_calendar(tree, users):
    text = (PACKS_DIR / "school-2023.yaml").read_text("utf-8")
    pack_load(actor=None, text=text, unit=tree.street)
    # school-2023: the statistics meeting on the 28th of every month, contracts by 31 March
    count, items = deadlines_coming(users.office, unit=tree.street, today=D(2026, 3, 20))
    assert count == 2
    assert [i.date for i in items] == [D(2026, 3, 28), D(2026, 3, 31)]
    assert all(i.url == "/policy/school-2023/" for i in items)
    assert deadlines_coming(users.office, unit=tree.street, today=D(2026, 3, 20), limit=1)[0] == 2
    # the county itself still follows the default pack
    assert [i.date for i in deadlines_coming(users.office, today=D(2026, 3, 20))[1]] == [
        D(2026, 3, 25),
        D(2026, 3, 28),
        D(2026, 4, 3),
    ]


def test_nobody_signed_in_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert deadlines_coming(AnonymousUser(), unit=tree.town, today=D(2026, 3, 20)) == (0, [])
