"""services.synthetic: methods and visits for a generated population."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from jisheng.people import bulk
from jisheng.people.choices import MARRIED_STATUSES
from jisheng.people.models import Person
from jisheng.services import followup
from jisheng.services.models import ContraceptionRecord, FollowUpDue, FollowUpVisit
from jisheng.services.synthetic import generate_services
from tests.services.test_selectors import followup_rate


def test_generated_services_fit_the_people_and_their_schedules(tree, users):
    end = timezone.localdate()
    bulk.generate_persons(root=tree.county, count=3000, seed=6, end=end, territory=False)
    result = generate_services(root=tree.county, seed=6, end=end)
    assert result.women > 200 and result.methods > 0 and result.visits > 0
    women = Person.objects.filter(pk__in=ContraceptionRecord.objects.values("person_id"))
    assert all(p.sex == "F" and p.marital_status in MARRIED_STATUSES for p in women)
    for record in ContraceptionRecord.objects.select_related("person")[:500]:
        assert record.started_on <= end
        assert record.ended_on is None or record.ended_on > record.started_on
        assert record.unit_id == record.person.unit_id
    # at most one open record per person
    open_per_person = (
        ContraceptionRecord.objects.filter(ended_on=None)
        .values("person")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not open_per_person.exists()
    assert not FollowUpVisit.objects.filter(visited_on__gt=end).exists()
    assert not FollowUpDue.objects.exists()  # schedules are the rebuild's job
    assert followup.schedules_rebuild_all(today=end) == FollowUpDue.objects.count() > 0
    start = dt.date(end.year - 1, 1, 1)
    on_time, due = followup_rate(tree.county, start.year)
    assert due > 0 and 0.7 < on_time / due < 0.95
    # the same seed again gives the same records
    first = list(ContraceptionRecord.objects.order_by("id").values_list("person_id", "method"))
    ContraceptionRecord.objects.all().delete()
    FollowUpDue.objects.all().delete()
    FollowUpVisit.objects.all().delete()
    generate_services(root=tree.county, seed=6, end=end)
    again = list(ContraceptionRecord.objects.order_by("id").values_list("person_id", "method"))
    assert again == first
