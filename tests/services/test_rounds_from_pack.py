"""Issue 14 item 8: a pack's campaign months create the rounds (nightly, idempotent) for
every office the pack applies to, and the rounds show on that office's worklist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from jisheng.core import periodic
from jisheng.core.registry import registry
from jisheng.policy.loader import parse_pack
from jisheng.policy.services import PACKS_DIR, pack_load
from jisheng.services import campaigns
from jisheng.services.models import CampaignRound, CampaignTarget
from jisheng.services.selectors_campaigns import ROUNDS_SOURCE, rounds_to_run
from tests import factories

D = dt.date
Y = 2026  # default-2026 is in force from 1 January 2026


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def women(tree):
    return [
        factories.person(
            unit,
            name,
            "F",
            D(1990, 1, 1),
            seq=n,
            registered_on=D(2015, 1, 1),
            marital_status="first_marriage",
        )
        for n, (unit, name) in enumerate(
            [(tree.village_a, "甲一"), (tree.village_b, "乙一"), (tree.community, "丙一")], 1
        )
    ]


def rounds():
    return sorted(
        CampaignRound.objects.values_list(
            "unit__code", "campaign_id", "period_start", "period_end", "from_pack"
        )
    )


def campaign(**values):
    base = {"id": "c", "kind": "comprehensive_service", "name": "c", "target": "t"}
    return parse_campaign({**base, **values})


def parse_campaign(data):
    from jisheng.policy.schema import Campaign

    return Campaign.model_validate(data)


def test_the_round_months_come_from_months_or_spread_from_january():
    assert campaign(rounds_per_year=2, months=[4, 10]).round_months() == [4, 10]
    assert campaign().round_months() == [1]
    assert campaign(rounds_per_year=2).round_months() == [1, 7]
    assert campaign(rounds_per_year=3).round_months() == [1, 5, 9]
    assert campaign(rounds_per_year=4).round_months() == [1, 4, 7, 10]
    assert campaign(rounds_per_year=12).round_months() == list(range(1, 13))


def test_every_years_counts_from_the_pack_s_first_year():
    every_two = campaign(every_years=2)
    assert [y for y in range(2024, 2031) if every_two.runs_in(y, 2026)] == [2026, 2028, 2030]
    assert campaign().runs_in(2027, 2026) and not campaign().runs_in(2025, 2026)


def test_the_coming_month_s_rounds_are_created_for_every_office(tree, women):
    # default-2026: comprehensive service in April and October, screening in May
    assert campaigns.rounds_create_from_packs(today=D(Y, 2, 20)) == []
    made = campaigns.rounds_create_from_packs(today=D(Y, 3, 20))
    april = (D(Y, 4, 1), D(Y, 4, 30))
    assert rounds() == [
        (tree.town.code, "comprehensive_service", *april, True),
        (tree.street.code, "comprehensive_service", *april, True),
    ]
    assert len(made) == 2
    town_round = CampaignRound.objects.get(unit=tree.town)
    assert town_round.pack_code == "default-2026" and town_round.drawn_at is not None
    assert sorted(
        CampaignTarget.objects.filter(round=town_round).values_list("person__name", flat=True)
    ) == ["乙一", "甲一"]
    # idempotent: the next night creates nothing more; in April, May's screening
    assert campaigns.rounds_create_from_packs(today=D(Y, 3, 21)) == []
    may = campaigns.rounds_create_from_packs(today=D(Y, 4, 30))
    assert sorted((r.unit.code, r.campaign_id, r.period_start) for r in may) == [
        (tree.town.code, "gynaecological_screening", D(Y, 5, 1)),
        (tree.street.code, "gynaecological_screening", D(Y, 5, 1)),
    ]


def test_a_server_down_at_month_start_still_creates_the_month_s_round(tree, women):
    made = campaigns.rounds_create_from_packs(today=D(Y, 4, 10))  # April, then May
    assert sorted((r.campaign_id, r.period_start) for r in made) == [
        ("comprehensive_service", D(Y, 4, 1)),
        ("comprehensive_service", D(Y, 4, 1)),
        ("gynaecological_screening", D(Y, 5, 1)),
        ("gynaecological_screening", D(Y, 5, 1)),
    ]


def test_a_round_made_by_hand_for_the_month_is_left_alone(tree, women):
    campaigns.round_create(
        actor=None, unit=tree.town, campaign_id="comprehensive_service",
        period_start=D(Y, 3, 25), period_end=D(Y, 4, 15),
    )  # fmt: skip
    made = campaigns.rounds_create_from_packs(today=D(Y, 3, 20))
    assert [r.unit_id for r in made] == [tree.street.pk]
    assert CampaignRound.objects.filter(unit=tree.town).count() == 1


def test_one_round_from_the_pack_per_office_campaign_and_month_in_the_database(tree, women):
    (first, *_rest) = campaigns.rounds_create_from_packs(today=D(Y, 3, 20))
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignRound.objects.create(
            kind=first.kind, name="again", campaign_id=first.campaign_id,
            target_group=first.target_group, period_start=first.period_start,
            period_end=first.period_end, unit=first.unit, pack_code=first.pack_code,
            pack_version=first.pack_version, from_pack=True,
        )  # fmt: skip


def test_a_unit_with_its_own_pack_runs_its_rounds_a_county_leaves_them_to_its_offices(tree):
    pack_load(actor=None, text=(PACKS_DIR / "mine-2005.yaml").read_text("utf-8"), unit=tree.mine)
    county = (PACKS_DIR / "default-2026.yaml").read_text("utf-8").replace(
        "id: default-2026", "id: county-2026"
    )  # fmt: skip
    pack_load(actor=None, text=county, unit=tree.county)
    assert [u.code for u in campaigns.organising_units()] == sorted(
        [tree.town.code, tree.street.code, tree.mine.code],
        key=lambda code: next(u.path for u in (tree.town, tree.street, tree.mine)
                              if u.code == code),
    )  # fmt: skip
    # mine-2005 gives no months: twice a year from January (January, July), screening yearly
    made = campaigns.rounds_create_from_packs(today=D(Y, 12, 20))
    mine = sorted((r.campaign_id, r.period_start) for r in made if r.unit_id == tree.mine.pk)
    assert mine == [
        ("comprehensive_service", D(Y + 1, 1, 1)),
        ("gynaecological_screening", D(Y + 1, 1, 1)),
    ]
    assert [r for r in made if r.unit_id != tree.mine.pk] == []  # default months: 4, 5, 10
    spring = campaigns.rounds_create_from_packs(today=D(Y, 3, 20))
    assert sorted((r.unit_id, r.pack_code) for r in spring) == sorted(
        [(tree.town.pk, "county-2026"), (tree.street.pk, "county-2026")]
    )


def test_a_closed_office_gets_no_rounds(tree, women):
    tree.street.is_active = False
    tree.street.save()
    made = campaigns.rounds_create_from_packs(today=D(Y, 3, 20))
    assert [r.unit_id for r in made] == [tree.town.pk]


def test_the_nightly_job_is_registered_and_runs(tree, women, settings, monkeypatch):
    from jisheng.services import tasks

    assert periodic.jobs()["services.create_rounds"].task is tasks.create_rounds
    calls = []
    monkeypatch.setattr(
        campaigns, "rounds_create_from_packs", lambda **kw: calls.append(kw) or [1, 2]
    )
    assert tasks.create_rounds.call() == 2 and calls == [{}]


# --------------------------------------------------------------------------- worklist


def test_the_rounds_are_on_the_worklist_of_the_office_that_runs_them(tree, users, women):
    assert registry["worklist_sources"]["rounds"] is ROUNDS_SOURCE
    assert ROUNDS_SOURCE.permission == "services.change_campaignround"
    campaigns.rounds_create_from_packs(today=D(Y, 3, 20))
    count, items = rounds_to_run(users.office, today=D(Y, 3, 20))
    assert count == 2
    assert [(i.person_id, i.unit_name, i.date) for i in items] == [
        (None, tree.town.name, D(Y, 4, 1)),
        (None, tree.street.name, D(Y, 4, 1)),
    ]
    town = CampaignRound.objects.get(unit=tree.town)
    assert items[0].url == f"/services/campaigns/{town.pk}/"
    assert "2 of 2 on the list not seen yet" in items[0].what
    # below a unit: only its rounds; a village's field staff run no round
    assert rounds_to_run(users.office, unit=tree.town, today=D(Y, 3, 20))[0] == 1
    assert rounds_to_run(users.field_a, today=D(Y, 3, 20)) == (0, [])
    # not yet: more than a month ahead; gone once it has ended
    assert rounds_to_run(users.office, today=D(Y, 2, 27))[0] == 0
    assert rounds_to_run(users.office, today=D(Y, 5, 1))[0] == 0
    # gone once everyone on the list has been seen
    CampaignTarget.objects.filter(round=town).update(attended_on=D(Y, 4, 2))
    count, items = rounds_to_run(users.office, today=D(Y, 4, 3), limit=1)
    assert count == 1 and [i.unit_name for i in items] == [tree.street.name]


def test_the_default_pack_plans_its_rounds_by_month():
    pack = parse_pack((PACKS_DIR / "default-2026.yaml").read_text("utf-8")).pack
    assert {c.id: c.round_months() for c in pack.campaigns} == {
        "comprehensive_service": [4, 10],
        "gynaecological_screening": [5],
    }


def test_the_worklist_line_and_the_refusal_are_in_chinese(tree, users, women):
    campaigns.rounds_create_from_packs(today=D(Y, 3, 20))
    with translation.override("zh-hans"):
        _count, items = rounds_to_run(users.office, today=D(Y, 3, 20))
        assert "名单 2 人中尚有 2 人未到检" in items[0].what
        assert str(ROUNDS_SOURCE.label) == "待开展的服务轮次"
