"""Certificates for the PDF and verification tests: issued through the engine's
``issue_now`` (as the office of the county)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from jisheng.certificates.services import issue_now
from jisheng.people.family import couple_create
from tests import factories

D = datetime.date


@pytest.fixture
def holders(tree):
    wife = factories.person(
        tree.village_a, name="王小芳", sex="F", birth_date=D(1992, 3, 4), seq=801
    )
    husband = factories.person(
        tree.village_a, name="李强", sex="M", birth_date=D(1990, 6, 7), seq=802
    )
    couple = couple_create(actor=None, married_on=D(2018, 5, 1), wife=wife, husband=husband)
    migrant = factories.person(
        tree.village_b, name="欧阳娜娜", sex="F", birth_date=D(1995, 1, 2), seq=803
    )
    return SimpleNamespace(wife=wife, husband=husband, couple=couple, migrant=migrant)


@pytest.fixture
def issued(tree, users, holders):
    """A 生育登记 of the couple of village A (issued by 东城镇) and a 婚育证明 of the
    woman of village B (36 months)."""
    birth = issue_now(
        actor=users.office,
        kind="birth_registration",
        issuer=tree.town,
        couple=holders.couple,
        data={"child_order": "2", "expected_on": "2027-03-01", "documents": "结婚证、户口簿"},
    )
    migrant = issue_now(
        actor=users.office,
        kind="migrant_marriage",
        issuer=tree.town,
        person=holders.migrant,
        data={"destination": "广东省深圳市"},
    )
    return SimpleNamespace(birth=birth, migrant=migrant)
