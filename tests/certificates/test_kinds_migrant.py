"""A 审验 of an in-migrant's 婚育证明 also records the migrants app's check (so that
``migrant_verification_rate`` counts it); a refused one records nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from jisheng.certificates.services import issue_now
from jisheng.migrants.models import CheckResult, MigrantCheck
from jisheng.people.choices import PersonStatus
from tests.certificates.kinds_fixtures import D, today, woman


def verify(users, tree, person, number, place="湖南省某镇计生办"):
    return issue_now(
        actor=users.office, kind="migrant_verification", issuer=tree.town, person=person,
        data={"certificate_number": number, "issuing_place": place},
    )  # fmt: skip


def test_an_in_migrant_s_verification_records_the_check(tree, users):
    her = woman(tree.village_a, status=PersonStatus.IN_MIGRANT, registered_on=D(2025, 1, 1))
    done = verify(users, tree, her, "430100-2025-0042")
    check = MigrantCheck.objects.get(person=her)
    assert (check.result, check.checked_on) == (CheckResult.VALID, today())
    assert (check.certificate_number, check.issuing_place) == (
        "430100-2025-0042",
        "湖南省某镇计生办",
    )
    assert done.number in check.note


def test_a_resident_s_verification_records_no_check(tree, users):
    her = woman(tree.village_a)
    verify(users, tree, her, "430100-2025-0043")
    assert not MigrantCheck.objects.exists()


def test_a_refused_verification_records_no_check(tree, users):
    her = woman(tree.village_a, status=PersonStatus.IN_MIGRANT, registered_on=D(2025, 1, 1))
    shown = issue_now(
        actor=users.office, kind="migrant_marriage", issuer=tree.town, person=her,
        issued_on=today() - datetime.timedelta(days=1200),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        verify(users, tree, her, shown.number)
    assert not MigrantCheck.objects.exists()
