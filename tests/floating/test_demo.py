"""floating.demo: the demo county's floating-population work, once, in the right units."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jisheng.certificates.models import Lookup
from jisheng.core.registry import registry
from jisheng.exchange.models import Notice, NoticeKind, NoticeStatus
from jisheng.floating import demo
from jisheng.floating.choices import ArrivalStatus, SweepStatus
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
    Tenancy,
)
from jisheng.orgs.demo import load_demo
from jisheng.orgs.models import Unit
from jisheng.people.demo import load_demo_persons

MODELS = (
    RentalProperty,
    LandlordAgreement,
    Arrival,
    Tenancy,
    Outflow,
    ContactRecord,
    ServiceAgreement,
    AwayTeam,
    Sweep,
    SweepFinding,
    Notice,
)


def _counts() -> list[int]:
    return [model.objects.count() for model in MODELS]


def test_the_demo_loads_once_in_the_right_units(db):
    load_demo()
    load_demo_persons(count=1200)
    written = demo.load_demo_floating()
    assert written > 20
    counts = _counts()
    assert all(counts), dict(zip([m.__name__ for m in MODELS], counts, strict=True))
    assert demo.load_demo_floating() == 0  # the second run writes nothing
    assert _counts() == counts

    town = Unit.objects.get(code=demo.TOWN_CODE)
    home = Unit.objects.get(code=demo.HOME_CODE)
    today = timezone.localdate()
    # her 婚育证明 issued by 云溪镇 (she is registered there, away), checked by 青石镇
    arrival = Arrival.objects.exclude(home_unit=None).get()
    assert arrival.home_unit == home and arrival.status == ArrivalStatus.REGISTERED
    assert arrival.certificate is not None and arrival.certificate.issuer == home
    assert arrival.certificate.kind == "migrant_marriage"
    assert arrival.verified_on == today and arrival.certificate_number
    assert Lookup.objects.filter(certificate=arrival.certificate).exists()
    at_home = Outflow.objects.get(person=arrival.person)
    assert at_home.unit.path.startswith(home.path) and at_home.destination_unit == town
    assert at_home.certificate == arrival.certificate
    for model in MODELS[:-1]:
        for row in model.objects.select_related("unit").exclude(pk=at_home.pk):
            assert row.unit.path.startswith(town.path), (model.__name__, row.unit)
    # the tenants not registered: one due in a few days, one overdue
    reported = Arrival.objects.filter(status=ArrivalStatus.REPORTED, person=None)
    assert reported.count() == 2
    assert reported.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7)).exists()
    assert reported.filter(due_on__lt=today).exists()
    assert all(a.tenancies.count() == 1 for a in reported)
    # a team working away with members; an agreement with no penalty (SPEC §0)
    team = AwayTeam.objects.get()
    assert team.members.count() == 2 and team.leader_name and team.propagandist_name
    agreement = ServiceAgreement.objects.get()
    assert "罚" not in agreement.text and agreement.services
    # a sweep in progress with open findings
    sweep = Sweep.objects.get()
    assert sweep.status == SweepStatus.OPEN and sweep.unit == town
    assert sweep.findings.filter(resolved_on=None).count() == 2
    # notifications 青石镇 → 云溪镇: one awaiting, one replied, one overdue
    # (with the exchange's hooks, registering also notifies: the arrival without a home
    # township gives a notice without a receiver)
    sent = Notice.objects.exclude(kind=NoticeKind.REPLY)
    assert set(sent.values_list("sender_unit", flat=True)) == {town.pk}
    assert set(sent.values_list("receiver_unit", flat=True)) <= {home.pk, None}
    to_home = sent.filter(receiver_unit=home, status=NoticeStatus.SENT)
    assert to_home.filter(reply_due__gte=today).exists()
    assert to_home.filter(reply_due__lt=today).exists()
    reply = Notice.objects.get(kind=NoticeKind.REPLY)
    assert reply.in_reply_to.status == NoticeStatus.REPLIED
    assert (reply.sender_unit, reply.receiver_unit) == (home, town)


def test_no_demo_county_no_demo_floating(db):
    assert demo.load_demo_floating() == 0


def test_the_loader_is_registered_after_the_certificates():
    demo.register()
    names = [loader.name for loader in registry["demo_loaders"]]
    assert names.index("certificates") < names.index("floating") < names.index("reporting")
