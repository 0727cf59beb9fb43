"""The past stays put (issue 15): a new policy pack version changes the visits due from
its effective date on; a schedule rebuild leaves last year's visits due — and its 随访率
through the indicator engine — exactly as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.policy.services import PACKS_DIR, pack_load
from jisheng.services import followup, schedule
from jisheng.services.models import FollowUpDue
from tests import factories

D = dt.date
TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1
# the new version is effective from the start of this year's second half (or, late in
# a year's first half, from its second quarter) — always before today
CUTOFF = D(TODAY.year, 7, 1) if TODAY.month > 7 else D(TODAY.year, 4, 1)


def followup_rate(unit, year: int) -> tuple[float, float]:
    (row,) = engine.compute([catalogue.get("followup_rate")], unit, parse(str(year)), engine.SELF)
    value = row.values["followup_rate"]
    return value.numerator, value.denominator


def rows(person, year: int | None = None) -> list[tuple]:
    items = FollowUpDue.objects.filter(person=person).order_by("due_on", "kind")
    if year is not None:
        items = items.filter(due_on__year=year)
    return list(items.values_list("kind", "method", "starts_on", "due_on", "visit_id", "done_on"))


def quarterly_pill_version():
    text = (PACKS_DIR / "default-2026.yaml").read_text(encoding="utf-8")
    changed = (
        text.replace("pill: {every_months: 1}", "pill: {every_months: 3}")
        .replace('version: "2026.2"', 'version: "2026.9"')
        .replace("effective_from: 2026-01-01", f"effective_from: {CUTOFF.isoformat()}")
    )
    assert changed.count("every_months: 3") > text.count("every_months: 3")
    assert f"effective_from: {CUTOFF.isoformat()}" in changed
    return pack_load(actor=None, text=changed)


@pytest.fixture
def woman(tree):
    person = factories.person(
        tree.village_a,
        "王芳",
        "F",
        D(TODAY.year - 33, 4, 4),
        seq=1,
        registered_on=D(TODAY.year - 8, 1, 1),
        marital_status="first_marriage",
    )
    followup.method_start(
        actor=None, person=person, method="pill", started_on=D(TODAY.year - 2, 1, 1)
    )
    # one visit last spring, on time for its month
    followup.visit_record(actor=None, person=person, visited_on=D(LAST_YEAR, 3, 9), way="home")
    return person


def test_a_new_version_leaves_last_year_and_the_months_before_it_unchanged(tree, woman):
    before_last_year = rows(woman, LAST_YEAR)
    before = rows(woman)
    rate_before = followup_rate(tree.county, LAST_YEAR)
    # monthly under the first version: twelve items last year, the March one done
    assert len(before_last_year) == 12
    assert rate_before == (1, 12)
    quarterly_pill_version()
    followup.schedule_rebuild(woman)
    assert rows(woman, LAST_YEAR) == before_last_year
    assert followup_rate(tree.county, LAST_YEAR) == rate_before
    after = rows(woman)
    # this year before the new version: as before
    assert [r for r in after if r[3] < CUTOFF] == [r for r in before if r[3] < CUTOFF]
    # from its effective date: quarterly periods only
    new = [r for r in after if r[3] >= CUTOFF]
    assert new and all(r[2].month in (1, 4, 7, 10) and r[2].day == 1 for r in new)
    old_new_side = [r for r in before if r[3] >= CUTOFF]
    assert len(new) < len(old_new_side)
    quarters_left = (12 - CUTOFF.month + 1) // 3
    assert len(new) == quarters_left


def test_the_nightly_rebuild_of_everyone_agrees(tree, woman):
    before_last_year = rows(woman, LAST_YEAR)
    quarterly_pill_version()
    followup.schedule_rebuild(woman)
    one = rows(woman)
    FollowUpDue.objects.all().delete()
    followup.schedules_rebuild_all()
    assert rows(woman) == one
    assert rows(woman, LAST_YEAR) == before_last_year


def test_a_timeline_of_one_version_derives_as_before():
    facts = schedule.Facts(1, "F", D(1990, 1, 1), [])
    horizon = schedule.Horizon.around(TODAY)
    assert schedule.derive_dated(facts, [(None, None)], horizon) == []
