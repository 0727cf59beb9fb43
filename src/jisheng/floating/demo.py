"""Demo floating-population work for the demo county (示范县, issue 17).

:func:`load_demo_floating` gives 青石镇 (the township of the demo logins ``zhen`` and
``zhuangan``) a little of everything, on the persons the people demo generated:

- three rental properties with their landlords (two with a landlord's agreement) and
  tenants: two registered in-migrants and two tenants the landlords reported who are
  not registered yet — one due in a few days, one overdue (the worklist's work);
- the registered arrival of a woman whose home is 云溪镇, with the 婚育证明 云溪镇 issued
  her through the certificates engine, verified (审验) by 青石镇;
- three people of 青石镇 away: contact records, a service agreement with the pack's
  clauses (no penalty: SPEC §0), two in a team working away with its leader and 宣传员;
- a sweep in progress (清查) over 青石镇 with its checklist and two open findings;
- notifications between 青石镇 and 云溪镇: one awaiting a reply, one replied, one overdue.

Every name, phone number and address is invented. Idempotent: nothing is written when
the demo county has a rental property already (the number written otherwise).
"""

from __future__ import annotations

import datetime
import uuid
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from jisheng.certificates import services as certificates
from jisheng.certificates.choices import LookupResult
from jisheng.certificates.models import Certificate
from jisheng.certificates.verification import lookup_number
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.registry import register_demo_loader
from jisheng.exchange.models import Direction, Notice, NoticeKind, NoticeStatus
from jisheng.floating.choices import (
    ArrivalSource,
    ArrivalStatus,
    ContactChannel,
    FindingKind,
    OutflowStatus,
    PropertyKind,
    SweepItemOutcome,
    SweepStatus,
)
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
from jisheng.floating.services_arrivals import arrival_report
from jisheng.orgs.demo import COUNTY_CODE
from jisheng.orgs.models import Unit, User
from jisheng.people.choices import PersonStatus, Sex
from jisheng.people.models import HouseholdMember, Person
from jisheng.people.synthetic import IdAllocator
from jisheng.policy.schema import Floating
from jisheng.policy.selectors import pack_in_force, version_in_force

TOWN_CODE = "990100001000"  # 青石镇
HOME_CODE = "990100002000"  # 云溪镇
INSTANCE = "jisheng"  # the default JISHENG_INSTANCE_ID (internal notices stay here)

# (street address, kind, rooms, landlord, landlord's phone, with an agreement)
PROPERTIES = [
    ("人民路18号", PropertyKind.HOUSE, 4, "周建华", "13907310418", True),
    ("建设路6号2单元301室", PropertyKind.APARTMENT, 2, "吴桂兰", "15873120655", True),
    ("解放路32号", PropertyKind.DORMITORY, 8, "郑国强", "18674301932", False),
]
# Reported tenants, not registered: (name, sex, birth, region, phone, days ago, property)
REPORTED = [
    ("覃晓燕", Sex.FEMALE, datetime.date(1994, 3, 12), "430321", "13787260147", 10, 0),
    ("黎志鹏", Sex.MALE, datetime.date(1990, 8, 25), "360121", "15907912386", 21, 2),
]
TEAM = ("青石镇赴东莞务工队", "广东省东莞市", "孙德胜", "13973100821", "何春燕", "15116302274")
AWAY = [  # destination, work unit, phone
    ("广东省东莞市长安镇", "东莞市长安镇某电子厂", "13825561903"),
    ("广东省东莞市虎门镇", "东莞市虎门镇某服装厂", "13712804466"),
    ("浙江省杭州市萧山区", "杭州市萧山区某物流公司", "15906813720"),
]


M = TypeVar("M", bound=models.Model)


def _audited(obj: M) -> M:
    audit.record(actor=None, action=AuditAction.CREATE, obj=obj)
    return obj


def _certificate_from_home(woman: Person, home: Unit, town: Unit) -> Certificate | None:
    """The 婚育证明 her home township issues her (she is registered there, away), and
    青石镇's office checking its number through the engine's look-up (across units)."""
    try:
        issued = certificates.issue_now(
            actor=None,
            kind="migrant_marriage",
            issuer=home,
            person=woman,
            data={"destination": town.name},
        )
    except ValidationError:
        return None
    checker = User.objects.filter(username="zhen", unit=town).first()
    answer = lookup_number(issued.number or "", user=checker or AnonymousUser())
    return issued if answer.result == LookupResult.VALID else None


def load_demo_floating() -> int:
    """Write the demo floating-population work once; the number of rows written."""
    county = Unit.objects.filter(code=COUNTY_CODE).first()
    town = Unit.objects.filter(code=TOWN_CODE).first()
    home = Unit.objects.filter(code=HOME_CODE).first()
    if county is None or town is None or home is None:
        return 0
    if RentalProperty.objects.filter(unit__path__startswith=county.path).exists():
        return 0
    today = timezone.localdate()
    instance = INSTANCE
    pack = pack_in_force(town, today)
    rules = (pack.floating if pack is not None else None) or Floating()
    version = version_in_force(town, today)
    migrants = list(
        Person.objects.filter(unit__path__startswith=town.path, status=PersonStatus.IN_MIGRANT)
        .select_related("unit")
        .order_by("id")[:40]
    )
    away = list(
        Person.objects.filter(unit__path__startswith=town.path, status=PersonStatus.OUT_MIGRANT)
        .select_related("unit")
        .order_by("id")[:3]
    )
    # She is registered in 云溪镇 and away (流出) from there; she lives in 青石镇.
    woman = (
        Person.objects.filter(
            unit__path__startswith=home.path,
            status=PersonStatus.OUT_MIGRANT,
            sex=Sex.FEMALE,
            birth_date__gt=datetime.date(today.year - 45, 1, 1),
            birth_date__lt=datetime.date(today.year - 20, 1, 1),
        )
        .select_related("unit")
        .order_by("id")
        .first()
    )
    if not migrants or woman is None:
        return 0
    other = migrants[0]
    where = other.unit
    certificate = _certificate_from_home(woman, home, town)
    written = 0
    ids = IdAllocator(2026, salt="floating-demo")
    with transaction.atomic():
        # ---- rental properties where she lives, their landlords and agreements
        properties = []
        for n, (street, kind, rooms, landlord, phone, signed) in enumerate(PROPERTIES):
            prop = RentalProperty.objects.create(
                unit=where,
                address=f"{where.name}{street}",
                kind=kind,
                rooms=rooms,
                landlord_name=landlord,
                landlord_phone=phone,
                filed_on=today - datetime.timedelta(days=400 - 90 * n),
            )
            properties.append(_audited(prop))
            if signed:
                _audited(
                    LandlordAgreement.objects.create(
                        property=prop,
                        unit=where,
                        signed_on=prop.filed_on + datetime.timedelta(days=7),
                        valid_until=prop.filed_on + datetime.timedelta(days=7 + 3 * 365),
                        report_within_days=rules.landlord_report_days,
                    )
                )
                written += 1
        written += len(properties)

        # ---- registered arrivals: her (home 云溪镇, certificate verified) and another
        arrivals = []
        for n, person in enumerate([woman, other]):
            arrived = today - datetime.timedelta(days=60 + 30 * n)
            arrival = Arrival(
                person=person,
                unit=where,
                status=ArrivalStatus.REGISTERED,
                source=ArrivalSource.OFFICE,
                name=person.name,
                id_number_encrypted=person.id_number_encrypted,
                id_hash=person.id_hash,
                phone=person.phone,
                arrived_on=arrived,
                due_on=arrived + datetime.timedelta(days=15),
                registered_on=arrived + datetime.timedelta(days=6 + 4 * n),
                employer="示范县鑫达电子厂" if n == 0 else "个体经营（餐饮）",
                room=f"{n + 1}号房",
            )
            arrival.property = properties[0] if n == 0 else properties[1]
            if n == 0:
                arrival.home_unit = home
                arrival.home_code = home.code
                arrival.hukou_place = f"{county.name}{home.name}"
                if certificate is not None:
                    arrival.certificate = certificate
                    arrival.certificate_number = certificate.number or ""
                    arrival.certificate_issuer = home.name
                    arrival.verified_on = today
            else:
                arrival.hukou_place = person.hukou_place
                arrival.certificate_number = "HY430321-2025-00817"
                arrival.certificate_issuer = "湖南省湘潭县人口和计划生育局"
            arrival.save()
            arrivals.append(_audited(arrival))
            if arrival.property is not None:
                _audited(
                    Tenancy.objects.create(
                        property=arrival.property,
                        unit=where,
                        name=person.name,
                        id_number_encrypted=person.id_number_encrypted,
                        id_hash=person.id_hash,
                        phone=person.phone,
                        room=arrival.room,
                        moved_in=arrived,
                        reported_on=arrived + datetime.timedelta(days=2),
                        person=person,
                        arrival=arrival,
                    )
                )
                written += 1
        written += len(arrivals)

        # ---- tenants reported, not registered: one due in a few days, one overdue
        reported = []
        for name, sex, birth, region, phone, days_ago, at in REPORTED:
            arrived = today - datetime.timedelta(days=days_ago)
            arrival = arrival_report(
                actor=None,
                unit=where,
                name=name,
                arrived_on=arrived,
                source=ArrivalSource.TENANT,
                id_number=ids.next(region, birth, sex),
                phone=phone,
                property=properties[at],
                room="1号房",
            )
            reported.append(arrival)
            _audited(
                Tenancy.objects.create(
                    property=properties[at],
                    unit=where,
                    name=name,
                    id_number_encrypted=arrival.id_number_encrypted,
                    id_hash=arrival.id_hash,
                    phone=phone,
                    room="1号房",
                    moved_in=arrived,
                    reported_on=min(today, arrived + datetime.timedelta(days=2)),
                    arrival=arrival,
                )
            )
        written += 2 * len(reported)

        # ---- people away, a team, contacts, a service agreement
        team = _audited(
            AwayTeam.objects.create(
                unit=town,
                name=TEAM[0],
                destination=TEAM[1],
                leader_name=TEAM[2],
                leader_phone=TEAM[3],
                propagandist_name=TEAM[4],
                propagandist_phone=TEAM[5],
                formed_on=today - datetime.timedelta(days=700),
            )
        )
        written += 1
        for n, (person, (destination, employer, phone)) in enumerate(zip(away, AWAY, strict=False)):
            left = today - datetime.timedelta(days=200 + 60 * n)
            outflow = Outflow.objects.create(
                person=person,
                unit=person.unit,
                status=OutflowStatus.AWAY,
                left_on=left,
                recorded_on=left + datetime.timedelta(days=20),
                destination_region="441900" if n < 2 else "330109",
                destination=destination,
                phone=phone,
                employer=employer,
                expected_return=datetime.date(today.year + 1, 2, 1) if n == 0 else None,
                team=team if n < 2 else None,
            )
            _audited(outflow)
            written += 1
            for k, (days, channel, note) in enumerate(
                [
                    (30, ContactChannel.PHONE, "电话联系本人，在外务工，身体健康。"),
                    (120, ContactChannel.HOME_VISIT, "走访家属，了解其近况和联系方式。"),
                ][: 2 - min(n, 1)]
            ):
                _audited(
                    ContactRecord.objects.create(
                        outflow=outflow,
                        unit=person.unit,
                        contacted_on=left + datetime.timedelta(days=days + 10 * k),
                        channel=channel,
                        note=note,
                    )
                )
                written += 1
            if n == 0:
                clauses = "\n".join(
                    f"{i}. {c}" for i, c in enumerate(rules.agreement.clauses, start=1)
                )
                _audited(
                    ServiceAgreement.objects.create(
                        outflow=outflow,
                        unit=person.unit,
                        signed_on=left + datetime.timedelta(days=20),
                        phone=phone,
                        address=f"{destination}莞长路128号",
                        services=[s.code for s in rules.agreement.services][:2],
                        text=f"{rules.agreement.title}\n{clauses}",
                        pack_version=version.pk if version is not None else None,
                    )
                )
                written += 1

        # ---- her record at home (云溪镇): away, living in 青石镇, the 婚育证明 issued her
        left = today - datetime.timedelta(days=62)
        _audited(
            Outflow.objects.create(
                person=woman,
                unit=woman.unit,
                status=OutflowStatus.AWAY,
                left_on=left,
                recorded_on=left + datetime.timedelta(days=5),
                destination=f"{county.name}{town.name}",
                destination_unit=town,
                destination_code=town.code,
                phone=woman.phone,
                employer="示范县鑫达电子厂",
                certificate=certificate,
            )
        )
        written += 1

        # ---- a sweep in progress over 青石镇, its checklist and two open findings
        started = today - datetime.timedelta(days=10)
        sweep = _audited(
            Sweep.objects.create(
                unit=town,
                name=f"{today.year}年{'上' if today.month <= 6 else '下'}半年流动人口清查",
                partner="青石镇派出所",
                starts_on=started,
                ends_on=started + datetime.timedelta(days=30),
                status=SweepStatus.OPEN,
            )
        )
        written += 1
        lines = [
            SweepItem.objects.create(
                sweep=sweep,
                unit=where,
                property=prop,
                outcome=SweepItemOutcome.CHECKED if n < 2 else SweepItemOutcome.PENDING,
                visited_on=started + datetime.timedelta(days=2 + n) if n < 2 else None,
            )
            for n, prop in enumerate(properties)
        ]
        households = list(
            HouseholdMember.objects.filter(person__in=migrants[:6])
            .values_list("household_id", "household__unit_id")
            .distinct()
            .order_by("household_id")[:3]
        )
        lines += [
            SweepItem.objects.create(sweep=sweep, unit_id=unit_id, household_id=household)
            for household, unit_id in households
        ]
        written += len(lines)
        for line, finding, name, note in (
            (lines[1], FindingKind.NOT_REGISTERED, "龚丽娟", "租住2号房，称上月从外县来此务工。"),
            (lines[0], FindingKind.NEW_BIRTH, "", "房东反映租户家中新添一女婴，待核实登记。"),
        ):
            _audited(
                SweepFinding.objects.create(
                    sweep=sweep,
                    item=line,
                    unit=line.unit,
                    kind=finding,
                    name=name,
                    found_on=line.visited_on or today,
                    note=note,
                )
            )
            written += 1

        # ---- notifications between 青石镇 and 云溪镇
        first = arrivals[0]
        registered_on = first.registered_on or today
        for what, sent, status, reply in (
            (NoticeKind.REGISTRATION, today - datetime.timedelta(days=3), NoticeStatus.SENT, ""),
            (
                NoticeKind.VERIFICATION,
                registered_on + datetime.timedelta(days=2),
                NoticeStatus.REPLIED,
                "已收到，已录入户籍地流出人员信息。",
            ),
            (
                NoticeKind.SERVICE,
                today - datetime.timedelta(days=rules.reply_within_days + 12),
                NoticeStatus.SENT,
                "",
            ),
        ):
            if Notice.objects.filter(person=first.person, kind=what, sender_unit=town).exists():
                continue  # made by the exchange's own hook when the arrival was registered
            notice = Notice.objects.create(
                uid=uuid.uuid4(),
                kind=what,
                direction=Direction.INTERNAL,
                status=status,
                instance=instance,
                sender_code=town.code,
                receiver_code=home.code,
                sender_unit=town,
                receiver_unit=home,
                person=first.person,
                person_name=first.name,
                id_number_encrypted=first.id_number_encrypted,
                id_hash=first.id_hash,
                event_on=min(sent, today),
                payload={"unit": where.name}
                if what != NoticeKind.SERVICE
                else {"service": "孕情环情检查"},
                reply_due=sent + datetime.timedelta(days=rules.reply_within_days),
            )
            _audited(notice)
            written += 1
            if reply:
                answered = timezone.now()
                notice.replied_at = answered
                notice.save(update_fields=["replied_at"])
                _audited(
                    Notice.objects.create(
                        uid=uuid.uuid4(),
                        kind=NoticeKind.REPLY,
                        direction=Direction.INTERNAL,
                        status=NoticeStatus.CLOSED,
                        instance=instance,
                        sender_code=home.code,
                        receiver_code=town.code,
                        sender_unit=home,
                        receiver_unit=town,
                        person=first.person,
                        person_name=first.name,
                        id_number_encrypted=first.id_number_encrypted,
                        id_hash=first.id_hash,
                        event_on=today,
                        payload={"text": reply},
                        in_reply_to=notice,
                    )
                )
                written += 1
    return written


def register() -> None:
    """The demo loader ``floating`` (after the certificates: it uses their engine)."""
    register_demo_loader("floating", load_demo_floating, order=50)
