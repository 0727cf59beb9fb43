"""floating.synthetic: the floating-population work of a generated county."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from jisheng.core.models import AuditEvent
from jisheng.exchange.models import Notice, NoticeKind, NoticeStatus
from jisheng.floating import synthetic
from jisheng.floating.choices import ArrivalSource, ArrivalStatus, OutflowStatus, SweepStatus
from jisheng.floating.models import (
    Arrival,
    AwayTeam,
    ContactRecord,
    LandlordAgreement,
    Outflow,
    RentalProperty,
    ServiceAgreement,
    Sweep,
    SweepFinding,
    SweepItem,
    Tenancy,
)
from jisheng.people import bulk
from jisheng.people.choices import PersonStatus
from jisheng.people.models import Person
from jisheng.policy.schema import Floating
from jisheng.policy.selectors import pack_in_force

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def county(tree):
    bulk.generate_persons(root=tree.county, count=1500, seed=7, end=TODAY, territory=False)
    return tree


def _delete_all() -> None:
    Notice.objects.exclude(in_reply_to=None).delete()
    Notice.objects.all().delete()
    SweepFinding.objects.all().delete()
    SweepItem.objects.all().delete()
    Sweep.objects.all().delete()
    ContactRecord.objects.all().delete()
    ServiceAgreement.objects.all().delete()
    Outflow.objects.all().delete()
    AwayTeam.objects.all().delete()
    Tenancy.objects.all().delete()
    Arrival.objects.all().delete()
    LandlordAgreement.objects.all().delete()
    RentalProperty.objects.all().delete()


def test_every_in_migrant_has_a_registered_arrival_where_she_lives(county):
    result = synthetic.generate_floating(root=county.county, seed=7, today=TODAY)
    assert not result.skipped and result.seconds > 0
    migrants = dict(
        Person.objects.filter(status=PersonStatus.IN_MIGRANT).values_list("pk", "unit_id")
    )
    assert len(migrants) > 100
    registered = Arrival.objects.filter(status=ArrivalStatus.REGISTERED)
    assert dict(registered.values_list("person_id", "unit_id")) == migrants
    assert registered.count() == len(migrants)  # one each
    for arrival in Arrival.objects.all():
        assert arrival.due_on == arrival.arrived_on + dt.timedelta(days=15)
        assert arrival.arrived_on <= TODAY
        assert arrival.unit.path.startswith(county.county.path)
        if arrival.property_id is not None:
            assert arrival.property.unit_id == arrival.unit_id
    late = registered.filter(registered_on__gt=models_f("due_on"))
    assert 0 < late.count() < registered.count() * 0.3
    assert registered.exclude(certificate_number="").exists()
    assert registered.exclude(verified_on=None).exists()
    # a home township of the county: another township than the one she lives in
    from_county = registered.exclude(home_unit=None).select_related("unit", "home_unit")
    assert from_county.exists()
    for arrival in from_county:
        assert not arrival.unit.path.startswith(arrival.home_unit.path)
        assert arrival.home_code == arrival.home_unit.code
    # the tenants reported and not registered: on the worklist, none in the registry
    reported = Arrival.objects.filter(status=ArrivalStatus.REPORTED)
    assert reported.count() == result.reported > 0
    assert not reported.exclude(person=None).exists()
    assert set(reported.values_list("source", flat=True)) == {ArrivalSource.TENANT}
    assert all(a.id_hash and a.tenancies.count() == 1 for a in reported)
    assert not reported.filter(arrived_on__lt=TODAY - dt.timedelta(days=28)).exists()
    # every tenancy points at its arrival in the same unit
    assert Tenancy.objects.count() == result.tenancies > reported.count()
    for tenancy in Tenancy.objects.select_related("arrival", "property")[:300]:
        assert tenancy.arrival.property_id == tenancy.property_id
        assert tenancy.unit_id == tenancy.property.unit_id == tenancy.arrival.unit_id
        assert tenancy.moved_in <= tenancy.reported_on <= TODAY
    assert LandlordAgreement.objects.count() == result.landlord_agreements > 0
    assert AuditEvent.objects.filter(object_id=str(county.county.pk)).exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_people_away_get_an_outflow_with_contacts_and_agreements(county):
    result = synthetic.generate_floating(root=county.county, seed=7, today=TODAY)
    away = dict(Person.objects.filter(status=PersonStatus.OUT_MIGRANT).values_list("pk", "unit_id"))
    assert len(away) > 50
    outflows = Outflow.objects.filter(status=OutflowStatus.AWAY)
    assert dict(outflows.values_list("person_id", "unit_id")) == away
    assert not outflows.exclude(returned_on=None).exists()
    returned = Outflow.objects.filter(status=OutflowStatus.RETURNED)
    assert returned.exists()
    assert not returned.filter(returned_on=None).exists()
    assert all(o.returned_on > o.left_on for o in returned)
    assert ContactRecord.objects.count() == result.contacts > 0
    for contact in ContactRecord.objects.select_related("outflow")[:300]:
        assert contact.outflow.left_on < contact.contacted_on <= TODAY
        assert contact.unit_id == contact.outflow.unit_id
    # the agreements: the pack's services, no penalty of any kind (SPEC §0)
    pack = pack_in_force(county.county, TODAY)
    rules = (pack.floating if pack is not None else None) or Floating()
    codes = {s.code for s in rules.agreement.services}
    agreements = ServiceAgreement.objects.all()
    assert agreements.count() == result.service_agreements > 0
    for agreement in agreements:
        assert set(agreement.services) <= codes
        assert not any(word in agreement.text for word in ("罚", "处分", "扣", "违约金"))
    # teams: a leader and a part-time 宣传员, members going where the team goes
    in_teams = Outflow.objects.exclude(team=None).select_related("team")
    for outflow in in_teams:
        assert outflow.destination == outflow.team.destination
        assert outflow.team.leader_name and outflow.team.propagandist_name
    assert result.teams == AwayTeam.objects.count()


def test_sweeps_notices_determinism_and_once(county):
    first = synthetic.generate_floating(root=county.county, seed=7, today=TODAY)
    # a completed sweep and one in progress per township with in-migrants
    sweeps = Sweep.objects.all()
    assert sweeps.filter(status=SweepStatus.CLOSED).count() == 2
    assert sweeps.filter(status=SweepStatus.OPEN).count() == 2
    for sweep in sweeps.select_related("unit"):
        lines = SweepItem.objects.filter(sweep=sweep).select_related("unit")
        assert lines.exists()
        assert all(line.unit.path.startswith(sweep.unit.path) for line in lines)
        if sweep.status == SweepStatus.CLOSED:
            assert not lines.filter(visited_on=None).exists()
            assert not sweep.findings.filter(resolved_on=None).exists()
    assert SweepFinding.objects.count() == first.findings
    assert SweepItem.objects.filter(sweep__status=SweepStatus.OPEN, visited_on=None).exists()
    # notifications between two townships: replied, awaiting; replies point back
    assert Notice.objects.count() == first.notices > 0
    for notice in Notice.objects.select_related("sender_unit", "receiver_unit"):
        assert notice.sender_unit_id != notice.receiver_unit_id
        assert notice.sender_code == notice.sender_unit.code
        if notice.kind == NoticeKind.REPLY:
            assert notice.status == NoticeStatus.CLOSED
            assert notice.in_reply_to.receiver_unit_id == notice.sender_unit_id
            assert notice.in_reply_to.status == NoticeStatus.REPLIED
    assert Notice.objects.filter(status=NoticeStatus.SENT).exists()
    assert Notice.objects.filter(status=NoticeStatus.REPLIED).exists()
    assert not (
        Notice.objects.exclude(kind=NoticeKind.REPLY)
        .values("uid")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    # once: a second run writes nothing
    again = synthetic.generate_floating(root=county.county, seed=7, today=TODAY)
    assert again.skipped and Arrival.objects.count() == first.arrivals

    def snapshot():
        return (
            list(
                Arrival.objects.order_by("id").values_list(
                    "person_id", "name", "status", "arrived_on", "registered_on", "unit_id"
                )
            ),
            list(Outflow.objects.order_by("id").values_list("person_id", "left_on", "status")),
            list(Notice.objects.order_by("id").values_list("uid", "kind", "status")),
            list(SweepItem.objects.order_by("id").values_list("unit_id", "outcome")),
        )

    before = snapshot()
    _delete_all()
    synthetic.generate_floating(root=county.county, seed=7, today=TODAY)
    assert snapshot() == before


def test_the_registration_days_come_from_the_pack(tree):
    assert synthetic.registration_days(tree.county, TODAY) == 15
