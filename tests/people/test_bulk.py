"""The bulk loader writes what the services write; generated histories answer as-of queries."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from jisheng.core import crypto, idnumber, pinyin
from jisheng.core.models import AuditEvent
from jisheng.orgs.choices import UnitType
from jisheng.orgs.demo import load_demo
from jisheng.orgs.models import Unit
from jisheng.orgs.synthetic import build_territory, fictional_county, groups_needed
from jisheng.people import bulk, selectors, services, synthetic, timeline
from jisheng.people.choices import (
    MARRIED_STATUSES,
    RESIDENT_STATUSES,
    EventKind,
    HouseholdRelation,
    MaritalStatus,
    PersonStatus,
)
from jisheng.people.demo import load_demo_persons
from jisheng.people.models import (
    Birth,
    Couple,
    Household,
    HouseholdMember,
    LifeEvent,
    Person,
    PersonPeriod,
    Pregnancy,
    Transfer,
)
from tests import factories

D = dt.date
TODAY = timezone.localdate()
SKIP = {"id", "created_at", "updated_at", "id_number_encrypted", "id_hash", "id_masked"}


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def one_person_chunk(person: synthetic.SynPerson, unit_id: int) -> synthetic.Chunk:
    household = synthetic.SynHousehold(
        index=0,
        number="T-1",
        unit_id=unit_id,
        address="测试地址1号",
        head=0,
        members=[synthetic.SynMember(0, HouseholdRelation.HEAD, person.registered_on, None)],
    )
    return synthetic.Chunk(0, [person], [household], [], [], [])


@pytest.fixture
def twins(tree):
    """The same person and history, once bulk-loaded and once through the services."""
    birth = D(1990, 5, 17)
    registered = days_ago(4000)
    history = [
        (EventKind.MARRIAGE, days_ago(3000), {"spouse": "王伟"}),
        (EventKind.INTERNAL_TRANSFER, days_ago(2000), {"unit": tree.village_b}),
        (EventKind.FLOW_OUT, days_ago(900), {"to": "广东省深圳市"}),
        (EventKind.RETURN, days_ago(300), {}),
        (EventKind.LEAVE_EMPLOYMENT, days_ago(20), {}),
    ]
    common = {
        "name": "李秀英",
        "sex": "F",
        "ethnicity": "回族",
        "hukou_place": "示范县东城镇甲村",
        "hukou_type": "agricultural",
        "phone": "13912345678",
        "education": "junior",
    }
    bulk_number = factories.id_number(birth, "F", 11)
    service_number = factories.id_number(birth, "F", 12)
    events = [
        synthetic.SynEvent(
            kind,
            day,
            {"unit_id": data["unit"].pk, "unit_code": data["unit"].code}
            if "unit" in data
            else data,
        )
        for kind, day, data in history
    ]
    syn = synthetic.SynPerson(
        key=0,
        birth=birth.toordinal(),
        id_number=bulk_number,
        id_region="110105",
        registered_on=registered,
        unit_id=tree.village_a.pk,
        employer_id=tree.shaft.pk,
        events=events,
        **common,
    )
    loader = bulk.Loader(root=tree.county, end=TODAY)
    result = loader.write([one_person_chunk(syn, tree.village_a.pk)])
    assert result.persons == 1 and result.events == 1 + len(history)
    bulk_person = Person.objects.get(id_hash=crypto.lookup_hash(bulk_number))

    service_person = services.person_register(
        actor=None,
        birth_date=birth,
        unit=tree.village_a,
        employer=tree.shaft,
        registered_on=registered,
        id_number=service_number,
        **common,
    )
    for kind, day, data in history:
        services.event_record(actor=None, person=service_person, kind=kind, date=day, data=data)
    service_person.refresh_from_db()
    return bulk_person, service_person, bulk_number, service_number


def test_bulk_person_has_the_same_fields_as_a_registered_one(twins):
    bulk_person, service_person, *_numbers = twins
    for field in Person._meta.concrete_fields:
        if field.name in SKIP:
            continue
        assert getattr(bulk_person, field.attname) == getattr(service_person, field.attname), (
            field.name
        )
    assert bulk_person.status == PersonStatus.CONTRACT_ENDED
    assert bulk_person.employer_id is None
    assert bulk_person.marital_status == MaritalStatus.FIRST_MARRIAGE
    assert (bulk_person.name_pinyin, bulk_person.name_initials) == pinyin.search_keys("李秀英")
    assert bulk_person.name_sort == "li xiu ying"
    assert set(bulk_person.name_keys.values_list("sort_key", flat=True)) == {"li xiu ying"}
    keys = sorted(bulk_person.name_keys.values_list("key", flat=True))
    assert keys == sorted(service_person.name_keys.values_list("key", flat=True))
    assert keys == sorted(pinyin.lookup_keys("李秀英"))


def test_bulk_id_number_is_encrypted_hashed_and_masked_like_the_services(twins):
    bulk_person, service_person, bulk_number, service_number = twins
    assert bulk_number not in bulk_person.id_number_encrypted
    assert crypto.decrypt(bulk_person.id_number_encrypted) == bulk_number
    assert crypto.decrypt(service_person.id_number_encrypted) == service_number
    assert bulk_person.id_masked == idnumber.mask(bulk_number)
    assert bulk_person.id_hash == crypto.lookup_hash(bulk_number)
    assert services.find_by_id_number(bulk_number) == bulk_person
    assert services.find_by_id_number(bulk_number.lower()) == bulk_person
    expected = services.id_fields(bulk_number, birth_date=D(1990, 5, 17), sex="F")
    assert expected["id_hash"] == bulk_person.id_hash
    assert expected["id_masked"] == bulk_person.id_masked


def _events(person):
    return [
        (e.kind, e.date, e.unit_id, e.data, e.note, e.reverses_id, e.recorded_by_id)
        for e in person.events.order_by("date", "id")
    ]


def _periods(person):
    return [
        (
            p.valid_from,
            p.valid_to,
            p.unit_id,
            p.employer_id,
            p.marital_status,
            p.status,
            p.sex,
            p.birth_date,
            p.event.kind if p.event_id else None,
            p.event.date if p.event_id else None,
        )
        for p in person.periods.select_related("event").order_by("valid_from", "id")
    ]


def test_bulk_events_and_periods_are_those_the_services_write(twins):
    bulk_person, service_person, *_ = twins
    assert _events(bulk_person) == _events(service_person)
    assert _periods(bulk_person) == _periods(service_person)
    assert len(_periods(bulk_person)) == 6
    # the periods are exactly what the services' own replay makes of the events
    before = _periods(bulk_person)
    services.rebuild_periods(bulk_person)
    assert _periods(bulk_person) == before


def test_bulk_departure_opens_the_same_transfer(twins):
    bulk_person, service_person, *_ = twins
    fields = ("unit_id", "reason", "opened_on", "status", "receiving_name", "records_handed")
    got = list(Transfer.objects.filter(person=bulk_person).values(*fields, "event__kind"))
    want = list(Transfer.objects.filter(person=service_person).values(*fields, "event__kind"))
    assert got == want and len(got) == 1


# --- a generated population ---------------------------------------------------------------

END = days_ago(1)


@pytest.fixture
def generated(tree):
    return bulk.generate_persons(root=tree.county, count=900, seed=4, end=END, territory=False)


def test_generate_writes_whole_households_in_the_subtree(tree, generated):
    assert generated.persons == 900 and not generated.skipped
    persons = Person.objects.filter(unit__path__startswith=tree.county.path)
    assert persons.count() == Person.objects.count() == 900
    assert HouseholdMember.objects.count() == 900
    assert HouseholdMember.objects.values("person").distinct().count() == 900
    assert Household.objects.count() == generated.households
    assert not Household.objects.filter(head__isnull=True).exists()
    residence = {tree.village_a.pk, tree.village_b.pk, tree.community.pk, tree.shaft.pk}
    assert set(persons.values_list("unit_id", flat=True)) <= residence
    employers = set(persons.exclude(employer=None).values_list("employer_id", flat=True))
    assert employers <= {tree.shaft.pk}
    assert Couple.objects.count() == generated.couples > 0
    assert Birth.objects.count() == generated.births > 0
    assert Pregnancy.objects.count() == generated.pregnancies
    assert LifeEvent.objects.count() == generated.events
    assert PersonPeriod.objects.count() == generated.periods


def test_generated_persons_are_valid_registry_records(generated):
    persons = list(Person.objects.all())
    for person in persons:
        assert (person.name_pinyin, person.name_initials) == pinyin.search_keys(person.name)
        assert person.name_sort == pinyin.sort_key(person.name) != ""
        if person.id_status == "valid":
            number = crypto.decrypt(person.id_number_encrypted)
            info = idnumber.parse(number)
            idnumber.check_agrees(info, birth_date=person.birth_date, sex=person.sex)
            assert person.id_masked == idnumber.mask(number)
        else:
            assert person.id_hash == person.id_masked == person.id_number_encrypted == ""
    sample = random.Random(1).sample(persons, 25)
    for person in sample:
        if person.id_hash:
            number = crypto.decrypt(person.id_number_encrypted)
            assert services.find_by_id_number(number) == person
    # exactly one registration per person, and it comes first
    registrations = LifeEvent.objects.filter(kind=EventKind.REGISTER)
    assert registrations.count() == 900
    assert not LifeEvent.objects.filter(date__gt=END).exists()


def test_current_state_is_the_open_period_and_replay_agrees(generated):
    open_periods = PersonPeriod.objects.filter(valid_to__isnull=True)
    assert open_periods.count() == 900
    mismatched = open_periods.exclude(
        unit_id=F("person__unit_id"),
        marital_status=F("person__marital_status"),
        status=F("person__status"),
    )
    assert not mismatched.exists()
    assert (
        not open_periods.exclude(employer_id=F("person__employer_id"))
        .exclude(employer_id=None, person__employer_id=None)
        .exists()
    )
    with_history = list(
        Person.objects.annotate(n=Count("events")).filter(n__gt=2).order_by("id")[:40]
    )
    assert len(with_history) == 40
    for person in with_history:
        before = _periods(person)
        services.rebuild_periods(person)
        assert _periods(person) == before


def test_births_link_mother_child_and_order(generated):
    births = list(Birth.objects.select_related("mother", "child"))
    assert births
    for birth in births:
        assert birth.mother.sex == "F"
        assert birth.child.birth_date == birth.date
        assert birth.within_policy == (birth.computed_order <= birth.policy_limit)
    by_mother: dict[int, list[Birth]] = {}
    for birth in births:
        by_mother.setdefault(birth.mother_id, []).append(birth)
    for items in by_mother.values():
        items.sort(key=lambda b: (b.date, b.child_id))
        assert [b.computed_order for b in items] == list(range(1, len(items) + 1))


def test_one_audit_row_per_batch_without_id_numbers(generated):
    rows = AuditEvent.objects.filter(action="import", object_type="orgs.unit")
    assert rows.count() == len(generated.batches) == 1  # batches are whole chunks
    text = str(list(rows.values_list("changes", "message")))
    for encrypted in Person.objects.exclude(id_hash="").values_list(
        "id_number_encrypted", flat=True
    )[:50]:
        assert crypto.decrypt(encrypted) not in text


def _replayed_state(person_events, day):
    steps = [
        timeline.Step(e.pk, e.kind, e.date, e.data)
        for e in person_events
        if e.kind != EventKind.CORRECTION
    ]
    for span in timeline.replay(steps):
        if span.valid_from <= day and (span.valid_to is None or span.valid_to > day):
            return span.state
    return None


def test_as_of_counts_equal_a_replay_of_the_events(tree, users, generated):
    persons = {p.pk: p for p in Person.objects.all()}
    events: dict[int, list[LifeEvent]] = {}
    for event in LifeEvent.objects.order_by("date", "id"):
        events.setdefault(event.person_id, []).append(event)
    town_units = set(
        Unit.objects.filter(path__startswith=tree.town.path).values_list("id", flat=True)
    )
    days = [synthetic.window_start(END) + dt.timedelta(days=400 * i + 17) for i in range(10)]
    days.append(END)
    for day in days:
        expected = {"all": 0, "married": 0, "town_married": 0}
        for person_id, history in events.items():
            person = persons[person_id]
            if person.sex != "F":
                continue
            if not 15 <= selectors.age_on(person.birth_date, day) <= 49:
                continue
            state = _replayed_state(history, day)
            if state is None or state.status not in RESIDENT_STATUSES:
                continue
            expected["all"] += 1
            if state.marital_status in MARRIED_STATUSES:
                expected["married"] += 1
                if state.unit_id in town_units:
                    expected["town_married"] += 1
        assert selectors.wra_as_of(user=users.office, day=day).count() == expected["all"], day
        assert (
            selectors.wra_as_of(user=users.office, day=day, married=True).count()
            == expected["married"]
        ), day
        assert (
            selectors.wra_as_of(user=users.town_office, day=day, married=True).count()
            == expected["town_married"]
        ), day
    assert expected["married"] > 50  # the population has married women of 15–49


def test_history_changes_the_counts_over_time(users, generated):
    counts = {
        year: selectors.population_as_of(user=users.office, day=END.replace(year=year)).count()
        for year in range(END.year - 9, END.year + 1)
    }
    assert len(set(counts.values())) > 3


def test_generate_again_changes_nothing_and_another_count_is_refused(tree, generated):
    before = (Person.objects.count(), LifeEvent.objects.count(), AuditEvent.objects.count())
    again = bulk.generate_persons(root=tree.county, count=900, seed=4, end=END)
    assert again.skipped and again.persons == 900
    assert (Person.objects.count(), LifeEvent.objects.count(), AuditEvent.objects.count()) == (
        before
    )
    with pytest.raises(bulk.GenerateError):
        bulk.generate_persons(root=tree.county, count=901, seed=4, end=END)
    with pytest.raises(bulk.GenerateError):
        bulk.generate_persons(root=tree.village_a, count=10, seed=4, end=END)
    assert Person.objects.count() == 900
    # another seed is another population
    other = bulk.generate_persons(root=tree.county, count=50, seed=5, end=END)
    assert other.persons == 50 and Person.objects.count() == 950


def test_an_id_number_registered_already_is_replaced(tree):
    residence, work = bulk.placement_units(tree.community)
    chunk = synthetic.generate_chunk(
        seed=9,
        salt=tree.community.code,
        chunk_index=0,
        size=40,
        end=END,
        residence=residence,
        work=work,
        ids=synthetic.IdAllocator(9, salt=tree.community.code),
        number_prefix=bulk.number_prefix(9),
    )
    first = next(p for p in chunk.persons if p.id_number)
    taken = services.person_register(
        actor=None,
        name="赵先来",
        sex=first.sex,
        birth_date=first.birth_date,
        unit=tree.village_a,
        id_number=first.id_number,
    )
    result = bulk.generate_persons(root=tree.community, count=40, seed=9, end=END, territory=False)
    assert result.persons == 40
    assert Person.objects.filter(id_hash=taken.id_hash).count() == 1
    twin = Person.objects.get(unit=tree.community, name=first.name, birth_date=first.birth_date)
    number = crypto.decrypt(twin.id_number_encrypted)
    assert number != first.id_number
    idnumber.check_agrees(idnumber.parse(number), birth_date=twin.birth_date, sex=twin.sex)


def test_a_worker_process_writes_the_same_people(tree):
    count = bulk.CHUNK_SIZE + 300
    build_territory(tree.county, count)
    residence, work = bulk.placement_units(tree.county)
    bulk._start_worker(12, tree.county.code)
    expected = []
    for index, size in enumerate((bulk.CHUNK_SIZE, 300)):
        units = bulk.chunk_units(residence, index, 2)
        job = (12, tree.county.code, index, size, END, units, work, bulk.number_prefix(12))
        prepared = bulk._chunk_job(job)
        expected += [(row[0], row[4], row[3], row[7]) for row in prepared.persons]
    result = bulk.generate_persons(
        root=tree.county, count=count, seed=12, end=END, workers=1, batch=bulk.CHUNK_SIZE
    )
    assert result.persons == count
    assert [n for n, _seconds in result.batches] == [bulk.CHUNK_SIZE, 300]
    assert AuditEvent.objects.filter(action="import").count() == 2
    got = [
        (p.name, p.birth_date.isoformat(), p.sex, p.id_hash) for p in Person.objects.order_by("id")
    ]
    assert got == expected


def test_a_leaf_unit_receives_everyone(tree):
    result = bulk.generate_persons(root=tree.village_b, count=120, seed=2, end=END, territory=False)
    assert result.persons == 120
    assert set(Person.objects.values_list("unit_id", flat=True)) == {tree.village_b.pk}
    assert not Person.objects.exclude(employer=None).exists()


def test_a_county_is_built_for_the_people_and_groups_hold_20_to_30_households(db):
    county = fictional_county()
    result = bulk.generate_persons(root=county, count=6000, seed=3, end=END)
    assert result.persons == 6000
    groups = Unit.objects.filter(path__startswith=county.path, unit_type=UnitType.GROUP)
    assert groups.count() == groups_needed(6000 / 3) * 3  # three villages of 2,000
    # residents live in the groups (work-unit households in the mine and the school)
    residence = Household.objects.filter(unit__unit_type=UnitType.GROUP)
    assert residence.count() > 0.7 * Household.objects.count()
    sizes = residence.values("unit").annotate(n=Count("id")).values_list("n", flat=True)
    sizes = sorted(sizes)
    assert len(sizes) == groups.count()
    # each group gets its households in turn; in-migrant households and moves vary it a bit
    middle = sizes[len(sizes) // 10 : -(len(sizes) // 10) or None]
    assert middle[0] >= 18 and middle[-1] <= 32, sizes
    assert Person.objects.filter(unit__unit_type=UnitType.ENTERPRISE).exists() or (
        Person.objects.exclude(employer=None).exists()
    )


def test_a_work_unit_receives_employees(tree):
    bulk.generate_persons(root=tree.mine, count=150, seed=2, end=END)
    assert set(Person.objects.values_list("unit_id", flat=True)) == {tree.shaft.pk}
    assert Person.objects.filter(employer=tree.shaft).exists()


def test_at_least_one_person(tree):
    with pytest.raises(bulk.GenerateError):
        bulk.generate_persons(root=tree.county, count=0)


# --- demo persons ---------------------------------------------------------------------------------


def test_demo_persons_load_once(db):
    assert load_demo_persons().persons == 0  # no demo county yet: nothing to do
    load_demo()
    first = load_demo_persons(count=400)
    assert first.persons == 400 and not first.skipped
    before = (Person.objects.count(), LifeEvent.objects.count(), AuditEvent.objects.count())
    second = load_demo_persons(count=400)
    assert second.skipped
    assert (Person.objects.count(), LifeEvent.objects.count(), AuditEvent.objects.count()) == (
        before
    )
    from jisheng.orgs.models import User

    field_user = User.objects.get(username="zhuangan")  # 柳河村's specialist sees some
    assert 0 < selectors.population_as_of(user=field_user, day=TODAY).count() < 400


def test_demo_county_gets_a_few_thousand_persons(db):
    load_demo()
    result = load_demo_persons()
    assert 2000 <= result.persons <= 5000
    assert result.seconds < 60


def _index_names() -> set[str]:
    from django.db import connection

    names: set[str] = set()
    with connection.cursor() as cursor:
        for model in bulk.LOADED_MODELS:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            names |= {name for name, info in constraints.items() if info["index"]}
    return names


def test_an_initial_load_rebuilds_every_index(tree):
    before = _index_names()
    assert "people_person_name" in before and "people_person_unique_id" in before
    result = bulk.generate_persons(root=tree.county, count=300, seed=6, end=END, initial_load=True)
    assert result.persons == 300 and result.index_seconds > 0
    assert _index_names() == before
    # the unique index on the ID hash is back in force
    person = Person.objects.exclude(id_hash="").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=Person.objects.exclude(pk=person.pk).first().pk).update(
            id_hash=person.id_hash
        )
