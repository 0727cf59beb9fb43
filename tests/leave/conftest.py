"""Fixtures of the leave tests: 王芳 of 甲村 works at 示范煤矿 (MINE01); the county office
approves, the county leader signs; her marriage, birth, IUD and abortion are recorded."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from jisheng.people.models import Birth, Couple, Pregnancy
from jisheng.policy.services import ensure_default_pack
from jisheng.services.models import ContraceptionRecord
from tests import factories

D = datetime.date


@pytest.fixture
def leave(tree, users, make_person):
    ensure_default_pack()
    wang = make_person(name="王芳", employer=tree.mine)
    zhao = make_person(name="赵强", sex="M", birth_date=D(1988, 3, 2), employer=tree.shaft)
    other = make_person(name="李娜")  # employed nowhere
    couple = Couple.objects.create(
        unit=tree.village_a, wife=wang, husband=zhao, married_on=D(2024, 10, 1)
    )
    birth = Birth.objects.create(
        unit=tree.village_a, mother=wang, father=zhao, couple=couple, date=D(2025, 3, 10),
        sex="F", computed_order=1, child_name="赵小雨",
    )  # fmt: skip
    iud = ContraceptionRecord.objects.create(
        person=wang, unit=tree.village_a, method="iud", started_on=D(2025, 9, 1)
    )
    abortion = Pregnancy.objects.create(
        unit=tree.village_a, woman=wang, registered_on=D(2024, 5, 1), outcome="abortion",
        outcome_on=D(2024, 6, 1),
    )  # fmt: skip
    mine_leader = factories.user("mine_leader", tree.mine, "leader")
    return SimpleNamespace(
        wang=wang,
        zhao=zhao,
        other=other,
        couple=couple,
        birth=birth,
        iud=iud,
        abortion=abortion,
        office=users.office,
        leader=users.leader,
        mine_leader=mine_leader,
        tree=tree,
    )
