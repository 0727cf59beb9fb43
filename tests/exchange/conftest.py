"""The exchange's world (hand-built): 流芳, an in-migrant living in 甲村 (东城镇) whose
household registration is 西城街道 (a unit of this system); 外芳, an in-migrant of 乙村
whose home office is in another system (code ``440104001000``); 无籍, an in-migrant
of 甲村 with no home known; 本地, a resident of 甲村 who is no in-migrant. Offices:
东城镇 (where they live), 西城街道 (流芳's home), 示范煤矿 (an office with no part in it)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.models import Arrival
from jisheng.people.choices import PersonStatus
from tests import factories

TODAY = timezone.localdate()
D = datetime.date
OUTSIDE_CODE = "440104001000"


def arrival(person, unit, *, home_unit=None, home_code="", arrived=None, register=True):
    """A reported arrival of ``person``, then registered (as the arrivals part does:
    status saved → the registration notice)."""
    arrived = arrived or TODAY - datetime.timedelta(days=100)
    row = Arrival.objects.create(
        person=person,
        unit=unit,
        name=person.name,
        id_number_encrypted=person.id_number_encrypted,
        id_hash=person.id_hash,
        arrived_on=arrived,
        due_on=arrived + datetime.timedelta(days=15),
        home_unit=home_unit,
        home_code=home_code,
    )
    if register:
        row.status = ArrivalStatus.REGISTERED
        row.registered_on = arrived + datetime.timedelta(days=5)
        row.save()
    return row


@pytest.fixture
def world(tree, users):
    born = D(1992, 3, 3)
    since = TODAY - datetime.timedelta(days=400)

    def woman(unit, name, seq, status=PersonStatus.IN_MIGRANT):
        return factories.person(
            unit, name=name, sex="F", birth_date=born, seq=seq, status=status,
            registered_on=since, marital_status="first_marriage",
        )  # fmt: skip

    liu = woman(tree.village_a, "流芳", 501)
    wai = woman(tree.village_b, "外芳", 502)
    wu = woman(tree.village_a, "无籍", 503)
    local = woman(tree.village_a, "本地", 504, status=PersonStatus.REGISTERED)
    return SimpleNamespace(
        tree=tree,
        users=users,
        liu=liu,
        wai=wai,
        wu=wu,
        local=local,
        liu_arrival=arrival(liu, tree.village_a, home_unit=tree.street),
        wai_arrival=arrival(wai, tree.village_b, home_code=OUTSIDE_CODE),
        wu_arrival=arrival(wu, tree.village_a),
        town_office=users.town_office,
        street_office=factories.user("street_office", tree.street, "office"),
        mine_office=factories.user("mine_office", tree.mine, "office"),
    )
