"""A synthetic floating population for a generated county (issue 17).

:func:`generate_floating` reads the persons the registry's generator made
(:mod:`jisheng.people.synthetic`: about 12% of households are in-migrants, about 9% of
persons are away) and gives the floating-population work around them, for every
residence unit below ``root``:

- rental properties (出租房屋) with invented landlords, about half with a landlord's
  agreement; the in-migrants living in them as tenants;
- an :class:`~jisheng.floating.models.Arrival` for every in-migrant person, registered
  (most within the deadline, some late), some with a 婚育证明 from outside (number and
  issuer, most verified) and some whose household registration is another township of
  the county (``home_unit``); plus tenants the landlords reported who are not registered
  yet (reported arrivals due ``arrived_on`` + the pack's ``in_migrant_registration`` days,
  some overdue) — the worklist's work;
- an :class:`~jisheng.floating.models.Outflow` for every person away (and a returned one
  for those who came back): destination, phone, work unit, some contact records and
  service agreements (the pack's clauses: no penalty, SPEC §0), a few teams working away;
- in a few townships a completed sweep and one in progress (清查) with their checklists
  (the rental properties and the in-migrant households) and findings, the completed
  one's resolved;
- notifications (双向通报) between townships of the county about the in-migrants whose
  home is another township: replied, awaiting a reply, overdue.

Deterministic for a seed (the same county and seed give the same rows, bar time stamps)
and written in bulk (``COPY`` on PostgreSQL, :class:`jisheng.core.bulkcopy.Table`); no
service is called per row, so nothing here is audited row by row: one audit row says
what was generated. Generating twice for the same root does nothing the second time.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, bulkcopy, crypto
from jisheng.core.choices import AuditAction
from jisheng.exchange.models import Direction, Notice, NoticeKind, NoticeStatus
from jisheng.floating.choices import (
    ArrivalSource,
    ArrivalStatus,
    ContactChannel,
    FindingKind,
    FindingResolution,
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
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.people.bulk import placement_units
from jisheng.people.choices import EventKind, PersonStatus
from jisheng.people.models import HouseholdMember, LifeEvent, Person
from jisheng.people.synthetic import (
    AWAY_REGIONS,
    GIVEN_NAMES,
    MOBILE_PREFIXES,
    SURNAMES,
    IdAllocator,
    Weighted,
    cohort,
)
from jisheng.policy.schema import DaysAfter, Floating
from jisheng.policy.selectors import pack_in_force, version_in_force

TOWNSHIP_TYPES = (UnitType.TOWNSHIP, UnitType.STREET)
# The sending system of the internal notices: the default of the exchange's
# ``JISHENG_INSTANCE_ID`` (internal notices never leave this system).
INSTANCE = "jisheng"
REGISTRATION_DAYS = 15  # SPEC §4, when no pack names ``in_migrant_registration``

# Shares (of the rows they apply to)
TENANT_SHARE = 0.6  # in-migrants living in a rental property
PERSONS_PER_PROPERTY = 3.0
AGREEMENT_SHARE = 0.55  # properties whose landlord signed an agreement
LATE_SHARE = 0.12  # registrations after the deadline
HOME_IN_COUNTY_SHARE = 0.12  # in-migrants whose home is another township of the county
CERTIFICATE_SHARE = 0.55  # in-migrants aged 15–49 who brought a 婚育证明
VERIFIED_SHARE = 0.85  # of those: verified
UNREGISTERED_PER_IN_MIGRANT = 1 / 40  # tenants reported, not registered yet
CONTACT_SHARE = 0.55  # people away with contact records
SERVICE_AGREEMENT_SHARE = 0.45  # people away with a service agreement
DESTINATION_IN_COUNTY_SHARE = 0.08
TEAM_SHARE = 0.12  # of people away: in a team working away
SWEEP_TOWNSHIPS = 3
FINDING_SHARE = 0.04  # checklist lines visited that give a finding
REPLIED_SHARE = 0.7  # notifications with a reply

STREETS = "人民路 建设路 解放路 和平路 新华街 文化路 中山路 胜利街 光明路 朝阳路 幸福路 东风路"
EMPLOYERS = (
    "示范县鑫达电子厂", "县城建筑工地", "个体经营（餐饮）", "示范县物流园", "家政服务",
    "示范县纺织厂", "个体经营（服装）", "县汽车修理厂", "农贸市场摊位", "示范县食品加工厂",
)  # fmt: skip
AWAY_EMPLOYERS = (
    "电子厂", "建筑公司", "服装厂", "物流公司", "餐饮店", "家政公司", "个体经营", "快递公司",
)  # fmt: skip
CITIES = (
    ("440300", "广东省深圳市"), ("441900", "广东省东莞市"), ("330100", "浙江省杭州市"),
    ("330200", "浙江省宁波市"), ("320500", "江苏省苏州市"), ("310100", "上海市"),
    ("350200", "福建省厦门市"), ("110100", "北京市"), ("440100", "广东省广州市"),
)  # fmt: skip
PROPERTY_KINDS = (
    (PropertyKind.HOUSE, 55), (PropertyKind.APARTMENT, 25), (PropertyKind.DORMITORY, 8),
    (PropertyKind.SHOP, 10), (PropertyKind.OTHER, 2),
)  # fmt: skip
CHANNELS = (
    (ContactChannel.PHONE, 50), (ContactChannel.MESSAGE, 30), (ContactChannel.HOME_VISIT, 12),
    (ContactChannel.LETTER, 3), (ContactChannel.DESTINATION_VISIT, 5),
)  # fmt: skip
FINDINGS = (
    (FindingKind.NOT_REGISTERED, 50), (FindingKind.LEFT, 30), (FindingKind.NEW_BIRTH, 8),
    (FindingKind.NEW_MARRIAGE, 8), (FindingKind.OTHER, 4),
)  # fmt: skip
RESOLUTIONS = {
    FindingKind.NOT_REGISTERED: FindingResolution.REGISTERED,
    FindingKind.LEFT: FindingResolution.RECORDED,
    FindingKind.NEW_BIRTH: FindingResolution.RECORDED,
    FindingKind.NEW_MARRIAGE: FindingResolution.RECORDED,
    FindingKind.OTHER: FindingResolution.EXPLAINED,
}
PARTNER = "辖区派出所"
PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)

_SURNAMES = Weighted(SURNAMES)
_PROPERTY_KINDS = Weighted(PROPERTY_KINDS)
_CHANNELS = Weighted(CHANNELS)
_FINDINGS = Weighted(FINDINGS)
_PLACE_CODES = {place: code for code, place in AWAY_REGIONS}


@dataclass
class FloatingResult:
    """What :func:`generate_floating` wrote (row counts) and how long it took."""

    properties: int = 0
    landlord_agreements: int = 0
    tenancies: int = 0
    arrivals: int = 0
    reported: int = 0  # of the arrivals: reported, not registered
    outflows: int = 0
    contacts: int = 0
    service_agreements: int = 0
    teams: int = 0
    sweeps: int = 0
    sweep_items: int = 0
    findings: int = 0
    notices: int = 0
    skipped: bool = False
    seconds: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class _Place:
    id: int
    code: str
    name: str
    path: str
    township: Unit | None


# --------------------------------------------------------------------------- writing


def _converter(f: models.Field) -> Callable[[object], object] | None:
    """How a value of ``f`` goes to the database: None for as it is (text, numbers, keys);
    dates and times through the field once per distinct value (they repeat a lot);
    JSON and UUIDs through the field, on the real connection (not the proxy)."""
    if isinstance(f, (*PLAIN_FIELDS, models.ForeignKey)):
        return None
    real = connections[connection.alias]
    if isinstance(f, models.DateField):  # and DateTimeField
        cache: dict[object, object] = {None: None}

        def convert(value: object) -> object:
            try:
                return cache[value]
            except KeyError:
                cache[value] = f.get_db_prep_save(value, real)
                return cache[value]

        return convert
    return lambda value: None if value is None else f.get_db_prep_save(value, real)


def _insert(model: type[models.Model], objects: Sequence[models.Model]) -> int:
    """Write unsaved ``objects`` in one ``COPY`` (elsewhere one ``executemany``) with
    their keys reserved first (set on them), keeping the time stamps they carry."""
    if not objects:
        return 0
    fields = list(model._meta.concrete_fields)
    ids = bulkcopy.reserve_ids(model, len(objects))
    if ids is None:  # neither PostgreSQL nor SQLite
        model._default_manager.bulk_create(list(objects))
        return len(objects)
    now = timezone.now()
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
        for name in stamped:
            if getattr(obj, name) is None:
                setattr(obj, name, now)
    table = bulkcopy.Table(model, [f.attname for f in fields])
    getters = [(f.attname, _converter(f)) for f in fields]
    rows = [
        tuple(
            value if convert is None else convert(value)
            for name, convert in getters
            for value in (obj.__dict__[name],)
        )
        for obj in objects
    ]
    return table.write(rows)


# --------------------------------------------------------------------------- helpers


class _Names:
    """Invented names and phone numbers (from the registry generator's lists)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self, sex: str, birth_year: int) -> str:
        given = GIVEN_NAMES[(cohort(birth_year), sex)]
        return _SURNAMES.draw(self.rng) + given[int(self.rng.random() * len(given))]

    def phone(self) -> str:
        prefix = MOBILE_PREFIXES[int(self.rng.random() * len(MOBILE_PREFIXES))]
        return f"{prefix}{int(self.rng.random() * 1_000_000_000):09d}"


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=low + int(rng.random() * (high - low + 1)))


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _uid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def registration_days(unit: Unit, day: datetime.date) -> int:
    """The pack's ``in_migrant_registration`` days in force for ``unit`` on ``day`` (a
    ``days_after`` rule; else 15), computed once for a bulk load instead of per row."""
    pack = pack_in_force(unit, day)
    rule = pack.deadlines.get("in_migrant_registration") if pack is not None else None
    return rule.days if isinstance(rule, DaysAfter) else REGISTRATION_DAYS


def _places(root: Unit) -> tuple[dict[int, _Place], list[Unit]]:
    """Every active unit below ``root`` with its township, and the townships."""
    units = list(
        Unit.objects.filter(path__startswith=root.path, is_active=True)
        .only("id", "code", "name", "path", "unit_type", "depth")
        .order_by("path")
    )
    townships = {u.path: u for u in units if u.unit_type in TOWNSHIP_TYPES}
    ancestors = list(Unit.objects.get_ancestors(root)) if root.depth > 1 else []
    for u in ancestors:
        if u.unit_type in TOWNSHIP_TYPES:
            townships[u.path] = u
    steplen = Unit.steplen
    places: dict[int, _Place] = {}
    for u in units:
        town = next(
            (
                townships[u.path[:k]]
                for k in range(len(u.path), 0, -steplen)
                if u.path[:k] in townships
            ),
            None,
        )
        places[u.id] = _Place(u.id, u.code, u.name, u.path, town)
    return places, sorted(townships.values(), key=lambda t: t.path)


def generated_floating(root: Unit) -> bool:
    """Whether the floating population below ``root`` is there already."""
    return (
        Arrival.objects.filter(unit__path__startswith=root.path).exists()
        or Outflow.objects.filter(unit__path__startswith=root.path).exists()
    )


# --------------------------------------------------------------------------- generating


def generate_floating(
    *, root: Unit, seed: int = 1, today: datetime.date | None = None
) -> FloatingResult:
    """Generate the floating-population work below ``root`` (see the module); nothing
    when it is there already (``skipped``)."""
    started = time.perf_counter()
    if generated_floating(root):
        return FloatingResult(skipped=True)
    today = today or timezone.localdate()
    rng = random.Random(f"jisheng-floating/{seed}/{root.code}/{today}")
    names = _Names(rng)
    ids = IdAllocator(seed, salt=f"{root.code}/floating")
    pack = pack_in_force(root, today)
    rules = (pack.floating if pack is not None else None) or Floating()
    version = version_in_force(root, today)
    due_days = registration_days(root, today)
    places, townships = _places(root)
    instance = INSTANCE
    result = FloatingResult()
    stamp = timezone.now()

    # ---- the in-migrants and when they arrived (their registration in the registry)
    in_migrants = list(
        Person.objects.filter(unit__path__startswith=root.path, status=PersonStatus.IN_MIGRANT)
        .order_by("pk")
        .values_list(
            "pk", "name", "sex", "birth_date", "unit_id", "phone", "hukou_place",
            "id_number_encrypted", "id_hash",
        )
    )  # fmt: skip
    registered_on = dict(
        LifeEvent.objects.filter(
            kind=EventKind.REGISTER,
            person__status=PersonStatus.IN_MIGRANT,
            person__unit__path__startswith=root.path,
        ).values_list("person_id", "date")
    )
    by_unit: dict[int, list[int]] = defaultdict(list)  # unit → index into in_migrants
    for index, row in enumerate(in_migrants):
        by_unit[row[4]].append(index)

    with transaction.atomic():
        # ---- rental properties and landlords' agreements
        properties: list[RentalProperty] = []
        unit_properties: dict[int, list[RentalProperty]] = {}
        residence_ids = {ref.id for ref in placement_units(root)[0]} | set(by_unit)
        residence = sorted(
            (places[pk] for pk in residence_ids if pk in places), key=lambda p: p.path
        )
        for place in residence:
            tenants = len(by_unit.get(place.id, ()))
            count = int(tenants * TENANT_SHARE / PERSONS_PER_PROPERTY + rng.random() * 1.5)
            made: list[RentalProperty] = []
            for n in range(count):
                street = STREETS.split()[int(rng.random() * 12)]
                filed = today - _days(rng, 30, 3 * 365)
                made.append(
                    RentalProperty(
                        created_at=stamp,
                        updated_at=stamp,
                        unit_id=place.id,
                        address=f"{place.name}{street}{n + 1 + int(rng.random() * 5)}号",
                        kind=_PROPERTY_KINDS.draw(rng),
                        rooms=1 + int(rng.random() * 6),
                        landlord_name=names.person(
                            "M" if rng.random() < 0.6 else "F", 1950 + int(rng.random() * 40)
                        ),
                        landlord_phone=names.phone(),
                        filed_on=filed,
                        is_active=rng.random() < 0.95,
                    )
                )
            unit_properties[place.id] = made
            properties.extend(made)
        result.properties = _insert(RentalProperty, properties)
        agreements = []
        for prop in properties:
            if rng.random() < AGREEMENT_SHARE:
                signed = min(today, prop.filed_on + _days(rng, 0, 60))
                agreements.append(
                    LandlordAgreement(
                        created_at=stamp,
                        updated_at=stamp,
                        property_id=prop.pk,
                        unit_id=prop.unit_id,
                        signed_on=signed,
                        valid_until=signed + datetime.timedelta(days=3 * 365),
                        report_within_days=rules.landlord_report_days,
                    )
                )
        result.landlord_agreements = _insert(LandlordAgreement, agreements)

        # ---- arrivals of the in-migrants (registered) and their tenancies
        arrivals: list[Arrival] = []
        tenancy_of: list[tuple[Arrival, RentalProperty, str]] = []
        home_towns: dict[int, Unit] = {}  # arrival index → home township in the county
        for place_id in sorted(by_unit):
            here = places.get(place_id)
            props = [p for p in unit_properties.get(place_id, []) if p.is_active]
            for index in by_unit[place_id]:
                pk, name, sex, birth, _unit, phone, hukou, encrypted, hashed = in_migrants[index]
                arrived = registered_on.get(pk) or today - _days(rng, 30, 3 * 365)
                late = rng.random() < LATE_SHARE
                registered = arrived + (
                    _days(rng, due_days + 1, due_days + 60) if late else _days(rng, 0, due_days)
                )
                registered = min(registered, today)
                arrival = Arrival(
                    created_at=stamp,
                    updated_at=stamp,
                    person_id=pk,
                    unit_id=place_id,
                    status=ArrivalStatus.REGISTERED,
                    source=ArrivalSource.OFFICE,
                    name=name,
                    id_number_encrypted=encrypted,
                    id_hash=hashed,
                    phone=phone,
                    arrived_on=arrived,
                    due_on=arrived + datetime.timedelta(days=due_days),
                    registered_on=registered,
                    hukou_region=_PLACE_CODES.get(hukou, ""),
                    hukou_place=hukou,
                    employer=EMPLOYERS[int(rng.random() * len(EMPLOYERS))],
                )
                others = [
                    t for t in townships if here is None or t.pk != getattr(here.township, "pk", 0)
                ]
                if others and rng.random() < HOME_IN_COUNTY_SHARE:
                    town = others[int(rng.random() * len(others))]
                    arrival.home_unit_id = town.pk
                    arrival.home_code = town.code
                    arrival.hukou_region = ""
                    arrival.hukou_place = f"{root.name}{town.name}" if town != root else town.name
                    home_towns[len(arrivals)] = town
                age = today.year - birth.year
                if sex == "F" and 15 <= age <= 49 and rng.random() < CERTIFICATE_SHARE:
                    issuer = arrival.hukou_place or "户籍地"
                    arrival.certificate_number = f"LD{arrived.year}{pk % 1000000:06d}"
                    arrival.certificate_issuer = f"{issuer}人口和计划生育办公室"
                    if rng.random() < VERIFIED_SHARE:
                        arrival.verified_on = min(today, registered + _days(rng, 0, 10))
                if props and rng.random() < TENANT_SHARE:
                    prop = props[int(rng.random() * len(props))]
                    arrival.property = prop
                    arrival.room = f"{1 + int(rng.random() * prop.rooms)}号房"
                    tenancy_of.append((arrival, prop, phone))
                arrivals.append(arrival)

        # ---- tenants reported, not registered yet (on the worklist; some overdue)
        for place in residence:
            props = [p for p in unit_properties.get(place.id, []) if p.is_active]
            if not props:
                continue
            count = int(len(by_unit.get(place.id, ())) * UNREGISTERED_PER_IN_MIGRANT + rng.random())
            for _n in range(count):
                prop = props[int(rng.random() * len(props))]
                sex = "F" if rng.random() < 0.5 else "M"
                birth = datetime.date(1975 + int(rng.random() * 30), 1 + int(rng.random() * 12), 1)
                birth += _days(rng, 0, 27)
                code, hukou = AWAY_REGIONS[int(rng.random() * len(AWAY_REGIONS))]
                number = ids.next(code, birth, sex)
                arrived = today - _days(rng, 0, 28)
                arrival = Arrival(
                    created_at=stamp,
                    updated_at=stamp,
                    unit_id=place.id,
                    status=ArrivalStatus.REPORTED,
                    source=ArrivalSource.TENANT,
                    name=names.person(sex, birth.year),
                    id_number_encrypted=crypto.encrypt(number),
                    id_hash=crypto.lookup_hash(number),
                    phone=names.phone(),
                    arrived_on=arrived,
                    due_on=arrived + datetime.timedelta(days=due_days),
                    hukou_region=code,
                    hukou_place=hukou,
                    property=prop,
                    room=f"{1 + int(rng.random() * prop.rooms)}号房",
                )
                tenancy_of.append((arrival, prop, arrival.phone))
                arrivals.append(arrival)
                result.reported += 1
        for arrival in arrivals:
            if arrival.property is not None:
                arrival.property_id = arrival.property.pk
        result.arrivals = _insert(Arrival, arrivals)
        tenancies = [
            Tenancy(
                created_at=stamp,
                updated_at=stamp,
                property_id=prop.pk,
                unit_id=prop.unit_id,
                name=arrival.name,
                id_number_encrypted=arrival.id_number_encrypted,
                id_hash=arrival.id_hash,
                phone=phone,
                room=arrival.room,
                moved_in=arrival.arrived_on,
                reported_on=min(
                    today,
                    arrival.arrived_on + _days(rng, 0, rules.landlord_report_days + 2),
                ),
                person_id=arrival.person_id,
                arrival_id=arrival.pk,
            )
            for arrival, prop, phone in tenancy_of
        ]
        result.tenancies = _insert(Tenancy, tenancies)

        # ---- people away: outflows (away and returned), teams, contacts, agreements
        result_out = _outflows(
            root=root, rng=rng, names=names, today=today, places=places, townships=townships,
            rules=rules, version_pk=version.pk if version is not None else None, stamp=stamp,
        )  # fmt: skip
        result.outflows, result.teams, result.contacts, result.service_agreements = result_out

        # ---- sweeps in a few townships
        result.sweeps, result.sweep_items, result.findings = _sweeps(
            rng=rng, names=names, today=today, townships=townships, by_unit=by_unit,
            places=places, unit_properties=unit_properties, tenancy_of=tenancy_of,
            stamp=stamp,
        )  # fmt: skip

        # ---- notifications between townships about the in-migrants from the county
        result.notices = _notices(
            rng=rng, today=today, arrivals=arrivals, home_towns=home_towns, places=places,
            rules=rules, instance=instance,
        )  # fmt: skip

        result.tables = {
            "rental properties": result.properties,
            "landlord agreements": result.landlord_agreements,
            "arrivals": result.arrivals,
            "tenancies": result.tenancies,
            "outflows": result.outflows,
            "teams": result.teams,
            "contacts": result.contacts,
            "service agreements": result.service_agreements,
            "sweeps": result.sweeps,
            "sweep checklist lines": result.sweep_items,
            "sweep findings": result.findings,
            "notifications": result.notices,
        }
        audit.record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=root,
            message=_(
                "Generated the synthetic floating population (seed %(seed)d) under "
                "%(unit)s: %(arrivals)d arrivals, %(outflows)d people away."
            )
            % {
                "seed": seed,
                "unit": root.name,
                "arrivals": result.arrivals,
                "outflows": result.outflows,
            },
        )
    bulkcopy.analyse(
        [Arrival, Tenancy, RentalProperty, Outflow, ContactRecord, Notice, SweepItem],
        result.rows,
    )
    result.seconds = time.perf_counter() - started
    return result


def _outflows(
    *,
    root: Unit,
    rng: random.Random,
    names: _Names,
    today: datetime.date,
    places: dict[int, _Place],
    townships: list[Unit],
    rules: Floating,
    version_pk: int | None,
    stamp: datetime.datetime,
) -> tuple[int, int, int, int]:
    """Outflows of the persons away (and of those who came back), their teams, contacts
    and service agreements: (outflows, teams, contacts, agreements) written."""
    left: dict[int, tuple[datetime.date, str]] = {}
    for pk, day, data in (
        LifeEvent.objects.filter(kind=EventKind.FLOW_OUT, person__unit__path__startswith=root.path)
        .order_by("person_id", "date", "pk")
        .values_list("person_id", "date", "data")
    ):
        to = data.get("to", "") if isinstance(data, dict) else ""
        left[pk] = (day, str(to))
    returned = dict(
        LifeEvent.objects.filter(kind=EventKind.RETURN, person__unit__path__startswith=root.path)
        .order_by("person_id", "date")
        .values_list("person_id", "date")
    )
    persons = list(
        Person.objects.filter(pk__in=list(left))
        .order_by("pk")
        .values_list("pk", "unit_id", "phone", "status")
    )
    # teams: per township, one to three teams when enough of its people are away
    away_by_town: dict[int, int] = defaultdict(int)
    for _pk, unit_id, _phone, status in persons:
        town = places[unit_id].township if unit_id in places else None
        if town is not None and status == PersonStatus.OUT_MIGRANT:
            away_by_town[town.pk] += 1
    teams: list[AwayTeam] = []
    town_teams: dict[int, list[AwayTeam]] = {}
    for town in townships:
        if away_by_town.get(town.pk, 0) < 20:
            continue
        made = []
        for n in range(1 + int(rng.random() * 3)):
            _code, city = CITIES[int(rng.random() * len(CITIES))]
            made.append(
                AwayTeam(
                    created_at=stamp,
                    updated_at=stamp,
                    unit_id=town.pk,
                    name=f"{town.name}赴{city[3:] or city}务工队{'一二三'[n]}队",
                    destination=city,
                    leader_name=names.person("M", 1970 + int(rng.random() * 20)),
                    leader_phone=names.phone(),
                    propagandist_name=names.person("F", 1975 + int(rng.random() * 20)),
                    propagandist_phone=names.phone(),
                    formed_on=today - _days(rng, 200, 4 * 365),
                )
            )
        town_teams[town.pk] = made
        teams.extend(made)
    n_teams = _insert(AwayTeam, teams)

    outflows: list[Outflow] = []
    months = rules.out_migrant_months
    for pk, unit_id, phone, status in persons:
        day, to = left[pk]
        back = returned.get(pk)
        if status == PersonStatus.OUT_MIGRANT:
            state, back = OutflowStatus.AWAY, None
        elif back is not None and back > day:
            state = OutflowStatus.RETURNED
        else:
            continue  # moved out or died since: no outflow record kept
        place = places.get(unit_id)
        town = place.township if place is not None else None
        code = _PLACE_CODES.get(to, "")
        if not to:
            code, to = CITIES[int(rng.random() * len(CITIES))]
        outflow = Outflow(
            created_at=stamp,
            updated_at=stamp,
            person_id=pk,
            unit_id=unit_id,
            status=state,
            left_on=day,
            recorded_on=min(today, day + _days(rng, 20, 30 * months)),
            destination_region=code,
            destination=to,
            phone=phone or names.phone(),
            employer=AWAY_EMPLOYERS[int(rng.random() * len(AWAY_EMPLOYERS))],
            returned_on=back,
        )
        others = [t for t in townships if town is None or t.pk != town.pk]
        if others and rng.random() < DESTINATION_IN_COUNTY_SHARE:
            dest = others[int(rng.random() * len(others))]
            outflow.destination_unit_id = dest.pk
            outflow.destination_code = dest.code
            outflow.destination_region = ""
            outflow.destination = f"{root.name}{dest.name}"
        if state == OutflowStatus.AWAY and rng.random() < 0.3:
            outflow.expected_return = today + _days(rng, 10, 300)
        crew = town_teams.get(town.pk, []) if town is not None else []
        if crew and state == OutflowStatus.AWAY and rng.random() < TEAM_SHARE:
            team = crew[int(rng.random() * len(crew))]
            outflow.team_id = team.pk
            outflow.destination = team.destination
            outflow.destination_unit_id, outflow.destination_code = None, ""
            outflow.destination_region = next((c for c, p in CITIES if p == team.destination), "")
        outflows.append(outflow)
    n_outflows = _insert(Outflow, outflows)

    contacts: list[ContactRecord] = []
    agreements: list[ServiceAgreement] = []
    title = rules.agreement.title
    clauses = "\n".join(f"{n}. {c}" for n, c in enumerate(rules.agreement.clauses, start=1))
    codes = [s.code for s in rules.agreement.services]
    for outflow in outflows:
        end = outflow.returned_on or today
        span = max(0, (end - outflow.left_on).days)
        if rng.random() < CONTACT_SHARE and span > 7:
            for _n in range(1 + int(rng.random() * 3)):
                channel = _CHANNELS.draw(rng)
                contacts.append(
                    ContactRecord(
                        created_at=stamp,
                        updated_at=stamp,
                        outflow_id=outflow.pk,
                        unit_id=outflow.unit_id,
                        contacted_on=outflow.left_on + _days(rng, 1, span),
                        channel=channel,
                        note="本人在外务工，身体健康，无服务需求。"
                        if channel != ContactChannel.HOME_VISIT
                        else "走访家属，了解其近况。",
                    )
                )
        if rng.random() < SERVICE_AGREEMENT_SHARE:
            wanted = [c for c in codes if rng.random() < 0.5]
            agreements.append(
                ServiceAgreement(
                    created_at=stamp,
                    updated_at=stamp,
                    outflow_id=outflow.pk,
                    unit_id=outflow.unit_id,
                    signed_on=outflow.recorded_on,
                    phone=outflow.phone,
                    address=f"{outflow.destination}{STREETS.split()[int(rng.random() * 12)]}"
                    f"{1 + int(rng.random() * 300)}号",
                    services=wanted,
                    text=f"{title}\n{clauses}",
                    pack_version=version_pk,
                )
            )
    return (
        n_outflows,
        n_teams,
        _insert(ContactRecord, contacts),
        _insert(ServiceAgreement, agreements),
    )


def _sweeps(
    *,
    rng: random.Random,
    names: _Names,
    today: datetime.date,
    townships: list[Unit],
    by_unit: dict[int, list[int]],
    places: dict[int, _Place],
    unit_properties: dict[int, list[RentalProperty]],
    tenancy_of: list[tuple[Arrival, RentalProperty, str]],
    stamp: datetime.datetime,
) -> tuple[int, int, int]:
    """A completed sweep and one in progress in the townships with the most in-migrants:
    (sweeps, checklist lines, findings) written."""
    migrants_in: dict[int, int] = defaultdict(int)
    for unit_id, rows in by_unit.items():
        place = places.get(unit_id)
        if place is not None and place.township is not None:
            migrants_in[place.township.pk] += len(rows)
    chosen = sorted(townships, key=lambda t: (-migrants_in.get(t.pk, 0), t.path))[:SWEEP_TOWNSHIPS]
    chosen = [t for t in chosen if migrants_in.get(t.pk, 0) > 0]
    if not chosen:
        return 0, 0, 0
    sweeps: list[Sweep] = []
    plan: list[tuple[Sweep, Unit]] = []
    half = today.month <= 6
    for town in chosen:
        first = today - _days(rng, 150, 200)
        closed = Sweep(
            created_at=stamp,
            updated_at=stamp,
            unit_id=town.pk,
            name=f"{first.year}年{'上' if first.month <= 6 else '下'}半年流动人口清查",
            partner=PARTNER,
            starts_on=first,
            ends_on=first + datetime.timedelta(days=30),
            status=SweepStatus.CLOSED,
            closed_on=first + datetime.timedelta(days=30 + int(rng.random() * 10)),
        )
        opened = today - _days(rng, 5, 15)
        current = Sweep(
            created_at=stamp,
            updated_at=stamp,
            unit_id=town.pk,
            name=f"{today.year}年{'上' if half else '下'}半年流动人口清查",
            partner=PARTNER,
            starts_on=opened,
            ends_on=opened + datetime.timedelta(days=30),
            status=SweepStatus.OPEN,
        )
        sweeps += [closed, current]
        plan += [(closed, town), (current, town)]
    n_sweeps = _insert(Sweep, sweeps)

    tenants_of: dict[int, list[int]] = defaultdict(list)  # property pk → person pks
    for arrival, prop, _phone in tenancy_of:
        if arrival.person_id is not None:
            tenants_of[prop.pk].append(arrival.person_id)
    households: dict[int, list[tuple[int, int]]] = defaultdict(list)  # township → (hh, unit)
    for town in chosen:
        members = (
            HouseholdMember.objects.filter(
                person__status=PersonStatus.IN_MIGRANT,
                household__unit__path__startswith=town.path,
            )
            .order_by("household_id")
            .values_list("household_id", "household__unit_id")
            .distinct()
        )
        households[town.pk] = list(members)[:300]
    items: list[SweepItem] = []
    lines: list[tuple[SweepItem, Sweep, int | None]] = []  # item, sweep, a tenant
    for sweep, town in plan:
        is_open = sweep.status == SweepStatus.OPEN
        props = [
            p
            for unit_id, made in unit_properties.items()
            if places[unit_id].path.startswith(town.path)
            for p in made
        ]
        targets: list[tuple[RentalProperty | None, int | None, int]] = [
            (p, None, p.unit_id) for p in props
        ] + [(None, hh, unit_id) for hh, unit_id in households[town.pk]]
        for target, household, unit_id in targets:
            visited = not is_open or rng.random() < 0.4
            outcome = SweepItemOutcome.PENDING
            if visited:
                r = rng.random()
                outcome = (
                    SweepItemOutcome.CHECKED
                    if r < 0.85
                    else SweepItemOutcome.NOBODY
                    if r < 0.93
                    else SweepItemOutcome.VACANT
                )
            item = SweepItem(
                sweep_id=sweep.pk,
                unit_id=unit_id,
                property_id=target.pk if target is not None else None,
                household_id=household,
                outcome=outcome,
                visited_on=min(today, sweep.starts_on + _days(rng, 0, 25)) if visited else None,
            )
            items.append(item)
            tenants = tenants_of.get(target.pk, []) if target is not None else []
            lines.append((item, sweep, tenants[0] if tenants else None))
    n_items = _insert(SweepItem, items)

    findings: list[SweepFinding] = []
    for item, sweep, tenant in lines:
        if item.outcome != SweepItemOutcome.CHECKED or rng.random() >= FINDING_SHARE:
            continue
        kind = _FINDINGS.draw(rng)
        person = tenant if kind == FindingKind.LEFT else None
        if kind == FindingKind.LEFT and person is None:
            kind = FindingKind.NOT_REGISTERED
        found = item.visited_on or sweep.starts_on
        finding = SweepFinding(
            created_at=stamp,
            updated_at=stamp,
            sweep_id=sweep.pk,
            item_id=item.pk,
            unit_id=item.unit_id,
            kind=kind,
            person_id=person,
            name=""
            if person is not None
            else names.person("F" if rng.random() < 0.6 else "M", 1980 + int(rng.random() * 20)),
            found_on=found,
        )
        if sweep.status == SweepStatus.CLOSED or rng.random() < 0.2:
            finding.resolution = RESOLUTIONS[FindingKind(kind)]
            finding.resolved_on = min(today, found + _days(rng, 1, 20))
            finding.resolution_note = "已核实并处理。"
        findings.append(finding)
    return n_sweeps, n_items, _insert(SweepFinding, findings)


def _notices(
    *,
    rng: random.Random,
    today: datetime.date,
    arrivals: list[Arrival],
    home_towns: dict[int, Unit],
    places: dict[int, _Place],
    rules: Floating,
    instance: str,
) -> int:
    """Registration and verification notifications from the residence township to the
    home township, and the replies: some awaiting a reply, some overdue."""
    notices: list[Notice] = []
    replies: list[tuple[Notice, Notice]] = []
    for index, home in sorted(home_towns.items()):
        arrival = arrivals[index]
        place = places.get(arrival.unit_id)
        sender = place.township if place is not None else None
        if place is None or sender is None or arrival.registered_on is None:
            continue
        events = [(NoticeKind.REGISTRATION, arrival.registered_on, {"unit": place.name})]
        if arrival.verified_on is not None:
            events.append(
                (
                    NoticeKind.VERIFICATION,
                    arrival.verified_on,
                    {"certificate_number": arrival.certificate_number},
                )
            )
        for kind, day, payload in events:
            sent = min(today, day + _days(rng, 0, rules.notify_within_days))
            due = sent + datetime.timedelta(days=rules.reply_within_days)
            replied = (due < today and rng.random() < REPLIED_SHARE + 0.2) or rng.random() < 0.3
            notice = Notice(
                created_at=_at(sent),
                updated_at=_at(sent),
                uid=_uid(rng),
                kind=kind,
                direction=Direction.INTERNAL,
                status=NoticeStatus.REPLIED if replied else NoticeStatus.SENT,
                instance=instance,
                sender_code=sender.code,
                receiver_code=home.code,
                sender_unit_id=sender.pk,
                receiver_unit_id=home.pk,
                person_id=arrival.person_id,
                person_name=arrival.name,
                id_number_encrypted=arrival.id_number_encrypted,
                id_hash=arrival.id_hash,
                event_on=day,
                payload=payload,
                reply_due=due,
            )
            notices.append(notice)
            if replied:
                answered = min(today, sent + _days(rng, 1, rules.reply_within_days))
                notice.replied_at = _at(answered, 15)
                reply = Notice(
                    created_at=_at(answered, 15),
                    updated_at=_at(answered, 15),
                    uid=_uid(rng),
                    kind=NoticeKind.REPLY,
                    direction=Direction.INTERNAL,
                    status=NoticeStatus.CLOSED,
                    instance=instance,
                    sender_code=home.code,
                    receiver_code=sender.code,
                    sender_unit_id=home.pk,
                    receiver_unit_id=sender.pk,
                    person_id=arrival.person_id,
                    person_name=arrival.name,
                    id_number_encrypted=arrival.id_number_encrypted,
                    id_hash=arrival.id_hash,
                    event_on=answered,
                    payload={"text": "已收到，已录入户籍地信息。"},
                )
                replies.append((reply, notice))
    written = _insert(Notice, notices)
    for reply, original in replies:
        reply.in_reply_to_id = original.pk
    return written + _insert(Notice, [reply for reply, _original in replies])
