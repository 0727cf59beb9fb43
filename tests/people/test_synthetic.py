"""The synthetic population: valid identities, realistic shape, consistent histories."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from stdnum.cn import ric

from jisheng.core import idnumber
from jisheng.people import synthetic, timeline
from jisheng.people.bulk import name_keys, prepare
from jisheng.people.choices import EventKind, IdStatus, MaritalStatus, PersonStatus
from jisheng.people.synthetic import IdAllocator, UnitRef, generate_chunk

END = dt.date(2026, 3, 1)
VILLAGES = [
    UnitRef(i, f"9901000010{i:02d}", f"第{i}村", f"示范县青石镇第{i}村") for i in range(1, 9)
]
WORK = [
    UnitRef(100 + i, f"KY001-{i:02d}", f"{i}号井", f"示范县示范煤矿{i}号井", True) for i in (1, 2)
]


def chunks(count: int, *, seed: int = 1, size: int = 2000, salt: str = "t") -> list:
    ids = IdAllocator(seed, salt)
    return [
        generate_chunk(
            seed=seed,
            salt=salt,
            chunk_index=index,
            size=size,
            end=END,
            residence=VILLAGES,
            work=WORK,
            ids=ids,
            number_prefix="G1-",
        )
        for index in range(count)
    ]


@pytest.fixture(scope="module")
def population():
    generated = chunks(10)
    persons = [p for c in generated for p in c.persons]
    return generated, persons


def test_every_id_is_valid_unique_and_agrees_with_birth_date_and_sex(population):
    generated, persons = population
    numbers = [p.id_number for p in persons if p.id_number]
    assert len(numbers) == len(set(numbers))
    outside = [c.outside_id for chunk in generated for c in chunk.couples if c.outside_id]
    assert outside and not set(outside) & set(numbers)
    for person in persons:
        if person.id_status != IdStatus.VALID:
            assert person.id_number == ""
            continue
        number = person.id_number
        assert ric.is_valid(number), number
        assert ric.get_birth_date(number) == person.birth_date
        assert (int(number[16]) % 2 == 1) == (person.sex == "M")
        assert number[:6] in synthetic.ALL_REGIONS
        assert not number.startswith("9901")
        info = idnumber.parse(number)  # the registry's own validation accepts it
        idnumber.check_agrees(info, birth_date=person.birth_date, sex=person.sex)


def test_newborns_may_lack_an_id_number_and_nobody_else_does(population):
    _generated, persons = population
    without = [p for p in persons if p.id_status != IdStatus.VALID]
    assert all(p.id_status == IdStatus.NONE_NEWBORN for p in without)
    assert all(END.toordinal() - p.birth < synthetic.NEWBORN_WITHOUT_ID_DAYS for p in without)


def test_names_are_chinese_and_have_pinyin_keys(population):
    _generated, persons = population
    for person in persons[:3000]:
        assert 2 <= len(person.name) <= 4
        full, initials, keys = name_keys(person.name)
        assert set(full.split()) | set(initials.split()) | {person.name[1:]} == set(keys)
        assert full.isascii() and full.replace(" ", "").isalpha()
        assert initials.replace(" ", "").isalpha() and initials.isascii()
        assert all(len(variant) == len(person.name) for variant in initials.split())
        assert full.split()[0][0] == initials.split()[0][0]
    names = collections.Counter(p.name for p in persons)
    assert len(names) > 2000  # not a handful of names repeated


def test_children_take_the_fathers_surname(population):
    generated, _persons = population
    checked = 0
    for chunk in generated:
        for person in chunk.persons:
            if person.father is not None:
                father = chunk.persons[person.father]
                if father.name[:2] not in ("欧阳", "司马", "诸葛"):
                    assert person.name[0] == father.name[0]
                    checked += 1
    assert checked > 1000


def test_same_arguments_same_people_and_another_seed_other_people():
    first = chunks(2, seed=5)
    again = chunks(2, seed=5)
    other = chunks(2, seed=6)

    def fingerprint(generated):
        return [
            (p.name, p.id_number, p.birth, [(e.kind, e.date, e.data) for e in p.events])
            for c in generated
            for p in c.persons
        ]

    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(other)


@pytest.mark.parametrize("size", [1, 2, 7, 150, 2000])
def test_a_chunk_has_exactly_the_persons_asked_for(size):
    (chunk,) = chunks(1, size=size, seed=size)
    assert len(chunk.persons) == size
    assert [p.key for p in chunk.persons] == list(range(size))
    assert sorted(m.person for h in chunk.households for m in h.members) == list(range(size))


def test_age_pyramid_follows_the_2020_census(population):
    _generated, persons = population
    end = END.toordinal()
    alive = [p for p in persons if p.died_on is None and p.moved_out_on is None]
    aged = [p for p in alive if synthetic.age_years(p.birth, end) >= 10]
    groups = collections.Counter(min(18, int(synthetic.age_years(p.birth, end) // 5)) for p in aged)
    census = synthetic.CENSUS_AGE_MILLIONS[2:]
    for group in range(2, 19):
        share = groups[group] / len(aged)
        expected = census[group - 2] / sum(census)
        assert abs(share - expected) < 0.015, (group * 5, share, expected)
    men = sum(p.sex == "M" for p in aged)
    assert 1.0 < men / (len(aged) - men) < 1.12  # the census: 105 men per 100 women


def test_fertility_near_1_1_and_sex_ratio_at_birth_near_110():
    generated = chunks(1, size=60000, seed=11)
    chunk = generated[0]
    tfr = synthetic.total_fertility_rate(chunk.persons, chunk.births, END)
    assert 0.85 < tfr < 1.35, tfr
    start = synthetic.window_start(END)
    recent = [b for b in chunk.births if b.date >= start]
    boys = sum(b.sex == "M" for b in recent)
    assert 100 < boys / (len(recent) - boys) * 100 < 121
    orders = collections.Counter(b.order for b in recent)
    assert orders[1] > orders[2] > orders[3] > 0


def test_marriage_by_age(population):
    _generated, persons = population
    end = END.toordinal()

    def married_share(sex, low, high):
        group = [
            p
            for p in persons
            if p.sex == sex
            and p.died_on is None
            and p.moved_out_on is None
            and low <= synthetic.age_years(p.birth, end) < high
        ]
        married = [p for p in group if p.marital_now in MaritalStatus_MARRIED]
        return len(married) / len(group)

    assert married_share("F", 18, 22) < 0.2
    assert 0.75 < married_share("F", 30, 35) < 0.92
    assert 0.85 < married_share("M", 45, 55) < 0.97
    assert married_share("F", 80, 100) < 0.6  # widowhood


MaritalStatus_MARRIED = (MaritalStatus.FIRST_MARRIAGE, MaritalStatus.REMARRIED)


def test_spouses_are_of_marriageable_age_and_of_opposite_sex(population):
    generated, _persons = population
    for chunk in generated:
        for couple in chunk.couples:
            married = couple.married_on.toordinal()
            for key, sex in ((couple.wife, "F"), (couple.husband, "M")):
                if key is None:
                    assert couple.outside_name and couple.outside_sex == sex
                    continue
                person = chunk.persons[key]
                assert person.sex == sex
                age = synthetic.age_years(person.birth, married)
                assert age >= synthetic.LEGAL_MARRIAGE_AGE[sex] - 0.01


def test_floating_population_and_households(population):
    _generated, persons = population
    in_migrants = sum(p.status == PersonStatus.IN_MIGRANT for p in persons)
    away = sum(p.flow_out_on is not None and p.returned_on is None for p in persons)
    share = (in_migrants + away) / len(persons)
    assert 0.12 < share < 0.28, share
    generated, _ = population
    households = [h for c in generated for h in c.households]
    size = len(persons) / len(households)
    assert 2.0 < size < 3.0
    assert all(h.head is not None for h in households)
    assert all(h.number.startswith("G1-") and len(h.number) <= 30 for h in households)


def test_ten_years_of_history_of_every_kind(population):
    _generated, persons = population
    kinds = collections.Counter(e.kind for p in persons for e in p.events)
    for kind in (
        EventKind.MARRIAGE,
        EventKind.DIVORCE,
        EventKind.WIDOWED,
        EventKind.BIRTH,
        EventKind.DEATH,
        EventKind.MOVE_OUT,
        EventKind.FLOW_OUT,
        EventKind.RETURN,
        EventKind.INTERNAL_TRANSFER,
        EventKind.RETIREMENT,
        EventKind.LEAVE_EMPLOYMENT,
    ):
        assert kinds[kind] > 0, kind
    start = synthetic.window_start(END)
    dates = [e.date for p in persons for e in p.events]
    assert min(dates) >= start and max(dates) <= END
    years = {d.year for d in dates}
    assert len(years) >= 10


def test_every_history_replays_into_periods(population):
    generated, _persons = population
    for chunk in generated[:3]:
        for person in chunk.persons:
            register = {
                "unit_id": person.unit_id,
                "employer_id": person.employer_id,
                "marital_status": person.marital_status,
                "status": person.status,
            }
            steps = [timeline.Step(0, EventKind.REGISTER, person.registered_on, register)]
            steps += [
                timeline.Step(i + 1, e.kind, e.date, e.data) for i, e in enumerate(person.events)
            ]
            spans = timeline.replay(steps)  # raises when an event cannot happen
            assert spans[0].valid_from == person.registered_on
        prepared = prepare(chunk)
        assert len(prepared.persons) == len(chunk.persons)


def test_people_live_in_the_given_units_and_employees_in_work_units(population):
    _generated, persons = population
    village_ids = {u.id for u in VILLAGES}
    work_ids = {u.id for u in WORK}
    assert {p.unit_id for p in persons} <= village_ids | work_ids
    employed = [p for p in persons if p.employer_id is not None]
    assert employed and all(p.employer_id in work_ids for p in employed)
    assert all(p.unit_id in work_ids for p in employed)


@pytest.mark.parametrize("region", synthetic.ALL_REGIONS)
def test_region_codes_are_accepted_for_every_birth_year(region):
    for year in (1900, 1930, 1960, 1982, 1983, 2000, 2026):
        body = f"{region}{year}0101002"
        assert ric.is_valid(body + ric.calc_check_digit(body + "0")), (region, year)
        assert not region.startswith("9901")


def test_id_allocator_never_repeats_and_keeps_the_sex_digit():
    ids = IdAllocator(3)
    day = dt.date(1990, 1, 1)
    numbers = [ids.next("110105", day, "F") for _ in range(600)]
    assert len(set(numbers)) == 600
    assert all(ric.is_valid(n) for n in numbers)
    assert all(int(n[16]) % 2 == 0 for n in numbers)
    # 500 numbers per region, birth date and sex: the 501st comes from another region
    assert {n[:6] for n in numbers[:500]} == {"110105"}
    assert numbers[500][:6] != "110105"


def test_generating_without_any_unit_is_refused():
    with pytest.raises(ValueError):
        generate_chunk(
            seed=1,
            salt="",
            chunk_index=0,
            size=10,
            end=END,
            residence=[],
            work=[],
            ids=IdAllocator(1),
            number_prefix="G1-",
        )
