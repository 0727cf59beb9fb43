"""The demo shows late entries: a closed month of a village and two visits entered late."""

from __future__ import annotations

from jisheng.core.models import ClosedPeriod, LateEntry
from jisheng.orgs.demo import load_demo
from jisheng.people.demo import load_demo_persons
from jisheng.reporting.demo_late import DEMO_REASONS, load_demo_late_entries


def test_the_demo_late_entries_load_once(db):
    load_demo()
    load_demo_persons(count=300)
    assert load_demo_late_entries() is True
    closure = ClosedPeriod.objects.get()
    entries = list(LateEntry.objects.order_by("day"))
    assert [e.reason for e in entries] == list(DEMO_REASONS)
    assert all(closure.first <= e.day <= closure.last for e in entries)
    assert all(e.unit.path.startswith(closure.unit.path) and e.object_id for e in entries)
    assert closure.unit.unit_type in (
        "village",
        "community",
    )  # 村 or 社区: which one depends on the day
    assert load_demo_late_entries() is False
    assert LateEntry.objects.count() == 2
