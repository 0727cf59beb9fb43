"""The under-reporting scan on generated data (the small version of
``benchmarks/underreporting.py``): a generated county of eight residence units, the
births of three villages left out of the year, the scan finds them and flags few others."""

import datetime

import pytest

from jisheng.core.periods import parse
from jisheng.people import bulk
from jisheng.people.models import Birth
from jisheng.quality import underreporting as ur
from tests import factories

D = datetime.date
END = D(2026, 6, 30)


@pytest.fixture
def county(tree):
    """The shared tree plus five villages of 东城镇: eight residence units with about
    1,200 generated persons each (ten years of events up to 30 June 2026)."""
    for i in range(5):
        factories.unit(f"99010000101{i}", f"丁{i}村", "village", tree.town)
    bulk.generate_persons(root=tree.county, count=10_000, seed=15, end=END, territory=False)
    return tree


def leave_out(units, period) -> int:
    """The period's births of ``units`` moved out of it (as if never registered)."""
    births = Birth.objects.filter(unit__in=units, date__gte=period.first, date__lte=period.last)
    return births.update(date=period.first - datetime.timedelta(days=400))


def test_scan_finds_the_villages_whose_births_are_left_out(county, capsys):
    """With reference rates given (a pack's: here the county's of the registry as
    generated) the three villages are flagged low and at most one other is flagged. With
    the county's own rates of the damaged registry they are found too, but leaving out
    3/8 of the county's births lowers those rates by a third, so villages that registered
    all their births may look high: a pack's rates are the better reference when much
    is missing."""
    period = parse("2025")
    before = ur.scan(county.county, period)
    assert before.observed == Birth.objects.filter(date__year=2025).count()
    assert before.expected == pytest.approx(before.observed, abs=1e-6)  # see the module
    residence = sorted((v for v in before.villages if v.expected >= 5), key=lambda v: -v.expected)
    assert len(residence) >= 6
    chosen = [v.unit_id for v in residence[:3]]
    removed = leave_out(chosen, period)
    rates = tuple(g.rate for g in before.reference.groups)
    after = ur.scan(county.county, period, rates=rates)
    own = ur.scan(county.county, period)
    with capsys.disabled():
        for label, result in (("pack rates", after), ("county's own rates", own)):
            found = [v for v in result.flagged if v.unit_id in chosen and v.flag == ur.LOW]
            false = [v for v in result.flagged if v.unit_id not in chosen]
            print(
                f"\n{label}: {removed} births of 3 villages left out; recall {len(found)}/3, "
                f"false flags {len(false)} of {len(result.villages) - 3} "
                f"(before: {len(before.flagged)} flags)"
            )
            for v in result.flagged:
                print(f"  unit {v.unit_id}: E {v.expected:.2f} O {v.observed} {v.flag} p {v.p:.1e}")
    found = [v for v in after.flagged if v.unit_id in chosen and v.flag == ur.LOW]
    assert len(found) == 3  # recall
    assert all(v.observed == 0 and v.p == v.p_low < 0.01 for v in found)
    assert len([v for v in after.flagged if v.unit_id not in chosen]) <= 1
    assert {v.unit_id for v in own.flagged if v.flag == ur.LOW} == set(chosen)
    assert all(v.flag == ur.HIGH for v in own.flagged if v.unit_id not in chosen)
