"""``packs_remembered``: a worklist reads the pack in force for a unit once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.policy.selectors import packs_remembered, version_in_force

DAY = dt.date(2026, 6, 1)


@pytest.mark.django_db
def test_the_versions_in_force_are_read_once_within_the_block(tree):
    village = tree.village_a
    with CaptureQueriesContext(connection) as outside:
        first = version_in_force(village, DAY)
        version_in_force(village, DAY)
    assert len(outside) == 2
    with CaptureQueriesContext(connection) as inside, packs_remembered():
        assert version_in_force(village, DAY) == first
        with packs_remembered():  # nested: the same memory
            assert version_in_force(village, DAY) == first
        version_in_force(village, DAY + dt.timedelta(days=1))  # another day: read
    assert len(inside) == 2
    with CaptureQueriesContext(connection) as after:
        version_in_force(village, DAY)
    assert len(after) == 1  # the memory ended with the block
