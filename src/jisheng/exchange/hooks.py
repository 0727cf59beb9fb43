"""What gets notified, automatically, in the same transaction as the event (issue 17).

Receivers of ``post_save`` on the records of an in-migrant (a person with a registered
:class:`~jisheng.floating.models.Arrival` in force on the event's day):

========================  ==========================================  ==================
record                    when                                        kind
========================  ==========================================  ==================
floating.Arrival          status → registered / → left                registration /
                                                                      departure
migrants.MigrantCheck     created                                     verification
services.FollowUpVisit    created (a visit made, not an appointment)  service
services.CampaignTarget   attended_on set                             service
services.ContraceptionRecord  created                                 method
people.Birth              created (the mother)                        birth
people.Pregnancy          outcome set (not a live birth with its      pregnancy_outcome
                          birth record: the birth is notified)
========================  ==========================================  ==================

A resident who is not an in-migrant gets nothing. The status a record had when loaded
is kept on the instance (``post_init``) so a change is seen without another query.
Bulk writes (``bulk_create``, ``update``: the synthetic data) send no signal and make
no notice.
"""

from __future__ import annotations

import datetime

from django.db.models.signals import post_init, post_save

from jisheng.exchange import services
from jisheng.exchange.models import NoticeKind
from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.models import Arrival
from jisheng.migrants.models import MigrantCheck
from jisheng.people.models import Birth, Pregnancy
from jisheng.services.models import CampaignTarget, ContraceptionRecord, FollowUpVisit

OLD = "_exchange_old"
UNKNOWN = "?"  # the field was deferred when loaded: no change is assumed
DISPATCH = "jisheng.exchange.hooks"


def _for_person(person_id: int, kind: str, day: datetime.date, payload: dict[str, object]) -> None:
    arrival = services.arrival_in_force(person_id, day)
    if arrival is not None:
        services.notice_for_arrival(
            actor=None, arrival=arrival, kind=kind, event_on=day, payload=payload
        )


# --------------------------------------------------------------------------- arrivals


def _arrival_loaded(sender: type[Arrival], instance: Arrival, **kwargs: object) -> None:
    setattr(instance, OLD, instance.__dict__.get("status", UNKNOWN) if instance.pk else None)


def _arrival_saved(
    sender: type[Arrival], instance: Arrival, created: bool, **kwargs: object
) -> None:
    old = None if created else getattr(instance, OLD, None)
    new = instance.status
    setattr(instance, OLD, new)
    if old in (new, UNKNOWN) or kwargs.get("raw"):
        return
    if new == ArrivalStatus.REGISTERED and instance.person_id is not None:
        day = instance.registered_on or instance.arrived_on
        services.notice_for_arrival(
            actor=None,
            arrival=instance,
            kind=NoticeKind.REGISTRATION,
            event_on=day,
            payload={
                "arrived_on": instance.arrived_on.isoformat(),
                "residence": instance.unit.name,
            },
        )
    elif new == ArrivalStatus.LEFT and old == ArrivalStatus.REGISTERED:
        day = instance.left_on or instance.arrived_on
        services.notice_for_arrival(
            actor=None,
            arrival=instance,
            kind=NoticeKind.DEPARTURE,
            event_on=day,
            payload={"left_on": day.isoformat()},
        )


# --------------------------------------------------------------------------- records


def _check_saved(
    sender: type[MigrantCheck], instance: MigrantCheck, created: bool, **kwargs: object
) -> None:
    if created and not kwargs.get("raw"):
        _for_person(
            instance.person_id,
            NoticeKind.VERIFICATION,
            instance.checked_on,
            {
                "result": instance.result,
                "certificate_number": instance.certificate_number,
                "issuing_place": instance.issuing_place,
            },
        )


def _visit_saved(
    sender: type[FollowUpVisit], instance: FollowUpVisit, created: bool, **kwargs: object
) -> None:
    if created and not kwargs.get("raw") and instance.appointment_on is None:
        payload: dict[str, object] = {"service": "follow_up_visit", "way": instance.way}
        if instance.method_in_use:
            payload["method"] = instance.method_in_use
        _for_person(instance.person_id, NoticeKind.SERVICE, instance.visited_on, payload)


def _target_loaded(
    sender: type[CampaignTarget], instance: CampaignTarget, **kwargs: object
) -> None:
    setattr(instance, OLD, instance.__dict__.get("attended_on", UNKNOWN) if instance.pk else None)


def _target_saved(
    sender: type[CampaignTarget], instance: CampaignTarget, created: bool, **kwargs: object
) -> None:
    old = None if created else getattr(instance, OLD, None)
    setattr(instance, OLD, instance.attended_on)
    if kwargs.get("raw") or instance.attended_on is None or old is not None:
        return
    round_ = instance.round
    _for_person(
        instance.person_id,
        NoticeKind.SERVICE,
        instance.attended_on,
        {"service": "campaign_check", "campaign": round_.kind},
    )


def _method_saved(
    sender: type[ContraceptionRecord],
    instance: ContraceptionRecord,
    created: bool,
    **kwargs: object,
) -> None:
    if created and not kwargs.get("raw"):
        _for_person(
            instance.person_id,
            NoticeKind.METHOD,
            instance.started_on,
            {"method": instance.method, "reason": instance.reason},
        )


def _birth_saved(sender: type[Birth], instance: Birth, created: bool, **kwargs: object) -> None:
    if created and not kwargs.get("raw"):
        _for_person(instance.mother_id, NoticeKind.BIRTH, instance.date, {"sex": instance.sex})


def _pregnancy_loaded(sender: type[Pregnancy], instance: Pregnancy, **kwargs: object) -> None:
    setattr(instance, OLD, instance.__dict__.get("outcome", UNKNOWN) if instance.pk else "")


def _pregnancy_saved(
    sender: type[Pregnancy], instance: Pregnancy, created: bool, **kwargs: object
) -> None:
    old = "" if created else getattr(instance, OLD, "")
    setattr(instance, OLD, instance.outcome)
    if kwargs.get("raw") or not instance.outcome or old or instance.outcome_on is None:
        return
    if instance.birth_id is not None:  # a live birth with its record: the birth says it
        return
    _for_person(
        instance.woman_id,
        NoticeKind.PREGNANCY_OUTCOME,
        instance.outcome_on,
        {"outcome": instance.outcome},
    )


def connect() -> None:
    post_init.connect(_arrival_loaded, sender=Arrival, dispatch_uid=f"{DISPATCH}.arrival_init")
    post_save.connect(_arrival_saved, sender=Arrival, dispatch_uid=f"{DISPATCH}.arrival")
    post_save.connect(_check_saved, sender=MigrantCheck, dispatch_uid=f"{DISPATCH}.check")
    post_save.connect(_visit_saved, sender=FollowUpVisit, dispatch_uid=f"{DISPATCH}.visit")
    post_init.connect(_target_loaded, sender=CampaignTarget, dispatch_uid=f"{DISPATCH}.target_init")
    post_save.connect(_target_saved, sender=CampaignTarget, dispatch_uid=f"{DISPATCH}.target")
    post_save.connect(_method_saved, sender=ContraceptionRecord, dispatch_uid=f"{DISPATCH}.method")
    post_save.connect(_birth_saved, sender=Birth, dispatch_uid=f"{DISPATCH}.birth")
    post_init.connect(_pregnancy_loaded, sender=Pregnancy, dispatch_uid=f"{DISPATCH}.preg_init")
    post_save.connect(_pregnancy_saved, sender=Pregnancy, dispatch_uid=f"{DISPATCH}.pregnancy")
