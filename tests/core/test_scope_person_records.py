"""core.scope's helpers for the records of a person (issue 13 item 7): the scope of a
record follows its person's CURRENT unit, not the unit where it was entered."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jisheng.core.models import AuditEvent
from jisheng.core.scope import (
    get_person_record_or_404,
    person_record_path,
    require_person_record_in_scope,
    restrict_person_records,
)
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.services import followup
from jisheng.services.models import FollowUpVisit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(tree):
    """A visit entered in village A, then its person moved to the community."""
    woman = factories.person(tree.village_a, name="赵丽")
    visit = followup.visit_record(
        actor=None, person=woman, visited_on=datetime.date(2024, 6, 1), way="home"
    )
    people_services.event_record(
        actor=None,
        person=woman,
        kind=EventKind.INTERNAL_TRANSFER,
        date=datetime.date(2025, 1, 1),
        data={"unit": tree.community},
    )
    return FollowUpVisit.objects.select_related("person__unit").get(pk=visit.pk)


def test_path_is_the_persons_current_unit(moved, tree):
    assert moved.unit == tree.village_a  # where it was entered: the statistics keep it
    assert person_record_path(moved) == tree.community.path


def test_restrict_and_get(moved, tree, users):
    visits = FollowUpVisit.objects.all()
    assert list(restrict_person_records(visits, users.town_office)) == []
    assert list(restrict_person_records(visits, users.office)) == [moved]  # county
    street = factories.user("street_office", tree.street, "office")
    assert list(restrict_person_records(visits, street)) == [moved]
    assert list(restrict_person_records(visits, street, tree.community)) == [moved]
    assert list(restrict_person_records(visits, street, tree.town)) == []  # unit outside
    assert list(restrict_person_records(visits, None)) == []
    assert get_person_record_or_404(visits, street, pk=moved.pk) == moved
    with pytest.raises(Http404):
        get_person_record_or_404(visits, users.town_office, pk=moved.pk)
    with pytest.raises(Http404):
        get_person_record_or_404(visits, street, pk="x")
    assert AuditEvent.objects.filter(action="denied", user=users.town_office).count() == 1


def test_require(moved, tree, users):
    require_person_record_in_scope(None, moved)  # the system
    require_person_record_in_scope(factories.user("s", tree.street, "office"), moved)
    with pytest.raises(PermissionDenied):
        require_person_record_in_scope(users.town_office, moved)
    assert AuditEvent.objects.filter(action="denied", user=users.town_office).exists()
