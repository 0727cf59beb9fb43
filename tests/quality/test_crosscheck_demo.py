"""The demo's cross-check list: made from the registry's births with one left out, one
with the sex changed, one with the date moved, one added and one unreadable — every
outcome shows on the pages of ``jisheng demo``."""

from __future__ import annotations

from jisheng.quality.demo_crosscheck import load_demo_crosscheck
from jisheng.quality.models import CrossCheckList
from tests.quality.crosscheck_data import build


def test_the_demo_list_shows_every_outcome(tree, make_person):
    build(tree, make_person)
    checklist = load_demo_crosscheck()
    assert checklist is not None and checklist.unit == tree.county
    # the 8 births of the county in the year up to the newest (吴霞's, 2026-03-21),
    # by date: 王小宝, 刘丽, 李朵朵, 周一 (left out: unlisted), the two 张敏's sons of
    # 2026-03-03 (no child's name: two candidates each — the second with the sex
    # changed), 孙小悦 and 吴一 (the date moved by two days: contradicting); one row
    # added (missing) and one unreadable (row 10)
    assert checklist.total == 9
    assert [r["row"] for r in checklist.rejected] == [10]
    assert checklist.counts == {
        "matched": 4,
        "ambiguous": 2,
        "contradicting": 1,
        "missing": 1,
        "unlisted": 1,
    }
    assert load_demo_crosscheck() is None  # once
    assert CrossCheckList.objects.count() == 1
