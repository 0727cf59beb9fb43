"""``count_and_first``: a worklist group's count and first rows in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.core.querysets import count_and_first
from jisheng.orgs.models import Unit


@pytest.mark.django_db
def test_the_count_and_the_first_rows_in_their_order_in_one_query(tree):
    units = Unit.objects.order_by("-code")
    expected = list(units.values_list("code", flat=True))
    with CaptureQueriesContext(connection) as queries:
        total, first = count_and_first(units, 3)
    assert len(queries) == 1
    assert total == len(expected) > 3
    assert [u.code for u in first] == expected[:3]


@pytest.mark.django_db
def test_nothing_to_show_and_a_count_only(tree):
    assert count_and_first(Unit.objects.filter(code="none"), 5) == (0, [])
    total, first = count_and_first(Unit.objects.all(), 0)
    assert (total, first) == (Unit.objects.count(), [])
