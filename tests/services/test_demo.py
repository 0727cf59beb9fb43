"""services.demo: the demo county gets methods, visits, schedules and a round, once."""

from __future__ import annotations

from jisheng.orgs.demo import load_demo
from jisheng.orgs.models import User
from jisheng.people.demo import load_demo_persons
from jisheng.services import selectors
from jisheng.services.demo import load_demo_services
from jisheng.services.models import CampaignRound, ContraceptionRecord, FollowUpDue, FollowUpVisit


def test_demo_services_load_once_and_fill_the_worklist(db):
    load_demo()
    load_demo_persons(count=800)
    assert load_demo_services() is True
    counts = (
        ContraceptionRecord.objects.count(),
        FollowUpVisit.objects.count(),
        FollowUpDue.objects.count(),
        CampaignRound.objects.count(),
    )
    assert all(counts), counts
    assert CampaignRound.objects.get().targets.exists()
    village_user = User.objects.get(username="zhuangan")
    assert selectors.worklist(village_user).total > 0
    assert load_demo_services() is False
    assert (
        ContraceptionRecord.objects.count(),
        FollowUpVisit.objects.count(),
        FollowUpDue.objects.count(),
        CampaignRound.objects.count(),
    ) == counts


def test_no_demo_county_no_demo_services(db):
    assert load_demo_services() is False
