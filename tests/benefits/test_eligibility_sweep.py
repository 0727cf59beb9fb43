"""The sweep (issue 18): 育儿补贴, 奖扶 and 特扶 found in the registry, explained, prorated
and shared; refusals name the failed clause; scope; refreshing a DRAFT batch."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jisheng.benefits.choices import BatchStatus, CaseStatus, Power
from jisheng.benefits.models import Batch, Case, DisabilityRecord, Duty, Entitlement
from jisheng.benefits.services_sweep import sweep
from jisheng.core.models import AuditEvent
from jisheng.people.events import event_record

D = datetime.date
Y2026 = {"period_start": D(2026, 1, 1), "period_end": D(2026, 12, 31)}

pytestmark = pytest.mark.django_db


def run(users, tree, kind="childcare_subsidy", unit=None, actor=None, **period):
    return sweep(
        actor=actor if actor is not None else users.office,
        kind=kind,
        unit=unit or tree.county,
        **(period or Y2026),
    )


def case_of(batch, person):
    return Case.objects.get(batch=batch, person=person)


def test_childcare_subsidy_prorated_for_a_child_born_2023_05_20(users, tree, family):
    birth = family(D(2023, 5, 20))
    batch = run(users, tree)
    case = case_of(batch, birth.child)
    # three on 2026-05-20: January to April 2026 count, 4 × 300
    assert case.status == CaseStatus.CANDIDATE and case.eligible
    assert case.months == 4
    assert case.amount == Decimal("1200.00")
    assert (case.covers_from, case.covers_to) == (D(2026, 1, 1), D(2026, 4, 30))
    assert case.beneficiary_id == birth.mother_id  # guardian: the mother
    assert [c["ok"] for c in case.explanation] == [True, True, True]
    records = case.explanation[0]["records"]
    assert records[0]["model"] == "people.birth" and records[0]["id"] == birth.pk
    assert "2023年5月20日" in records[0]["label"]


def test_whole_2025_for_the_same_child_and_none_before_the_subsidy(users, tree, family):
    birth = family(D(2023, 5, 20))
    batch = run(users, tree, period_start=D(2025, 1, 1), period_end=D(2025, 12, 31))
    case = case_of(batch, birth.child)
    assert (case.months, case.amount) == (12, Decimal("3600.00"))
    old = run(users, tree, period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
    assert not Case.objects.filter(batch=old, person=birth.child, eligible=True).exists()


def test_a_child_turning_three_mid_year(users, tree, family):
    birth = family(D(2023, 9, 10))
    case = case_of(run(users, tree), birth.child)
    assert case.months == 8  # January–August 2026
    assert case.amount == Decimal("2400.00")
    ent = Entitlement.objects.get(person=birth.child, kind="childcare_subsidy")
    assert ent.starts_on == D(2023, 9, 10) and ent.ends_on == D(2026, 9, 9)


def test_a_child_born_in_the_year(users, tree, family):
    birth = family(D(2026, 2, 14))
    case = case_of(run(users, tree), birth.child)
    assert case.months == 11 and case.amount == Decimal("3300.00")


def test_a_death_mid_month_pays_to_the_month_of_the_death(users, tree, family):
    birth = family(D(2025, 6, 1))
    event_record(actor=None, person=birth.child, kind="death", date=D(2026, 3, 17))
    case = case_of(run(users, tree), birth.child)
    assert case.months == 3 and case.amount == Decimal("900.00")


def test_funding_shares_add_up(users, tree, family):
    birth = family(D(2025, 1, 1))
    case = case_of(run(users, tree), birth.child)
    shares = {s.level: s.amount for s in case.shares.all()}
    assert shares == {"central": Decimal("2880.00"), "province": Decimal("720.00")}


def test_an_in_migrant_child_is_refused_with_the_clause(users, tree, family):
    birth = family(D(2025, 1, 1), status="in_migrant")
    case = case_of(run(users, tree), birth.child)
    assert case.status == CaseStatus.INELIGIBLE and case.amount == 0
    failed = [c for c in case.explanation if not c["ok"]]
    assert [c["code"] for c in failed] == ["registered_here"]
    assert "户籍" in failed[0]["text"]


def test_a_child_over_three_is_not_a_candidate(users, tree, family):
    birth = family(D(2022, 6, 1))
    batch = run(users, tree)
    assert not Case.objects.filter(batch=batch, person=birth.child).exists()


def test_county_reward_from_the_age_of_55(users, tree, family, make_person):
    father = make_person(
        tree.village_a,
        name="赵父",
        sex="M",
        birth_date=D(1971, 8, 1),
        seq=901,
        hukou_type="agricultural",
    )
    young = make_person(
        tree.village_a,
        name="钱父",
        sex="M",
        birth_date=D(1972, 1, 10),
        seq=902,
        hukou_type="agricultural",
    )
    family(D(1998, 1, 1), father=father, mother_born=D(1972, 1, 1))
    family(D(1999, 1, 1), father=young, mother_born=D(1975, 1, 1))
    batch = run(users, tree, kind="county_reward")
    case = case_of(batch, father)
    assert case.eligible and case.amount == Decimal("500.00") and case.months == 12
    assert not Case.objects.filter(batch=batch, person=young).exists()  # 55 only in 2027
    codes = {c["code"]: c["ok"] for c in case.explanation}
    assert codes == {
        "rural": True,
        "family": True,
        "age": True,
        "alive": True,
        "registered_here": True,
    }


def test_county_reward_refused_for_a_non_rural_couple(users, tree, family, make_person):
    mother = make_person(
        tree.village_a,
        name="孙母",
        sex="F",
        birth_date=D(1965, 1, 1),
        seq=903,
        hukou_type="non_agricultural",
    )
    family(D(1990, 1, 1), mother=mother, father=False)
    batch = run(users, tree, kind="county_reward")
    assert not Case.objects.filter(batch=batch, person=mother).exists()  # prefilter: of couple
    from jisheng.benefits.services_applications import evaluate_person

    line = evaluate_person(kind="county_reward", person=mother, **Y2026)
    assert not line.eligible
    assert [c["code"] for c in line.evaluation.failed] == ["rural"]


def test_special_assistance_for_a_child_s_death(users, tree, family, make_person):
    mother = make_person(tree.village_a, name="周母", sex="F", birth_date=D(1970, 4, 1), seq=904)
    birth = family(D(1995, 1, 1), mother=mother, father=False)
    event_record(actor=None, person=birth.child, kind="death", date=D(2020, 5, 5))
    batch = run(users, tree, kind="special_assistance_death")
    case = case_of(batch, mother)
    assert case.eligible and case.months == 12 and case.amount == Decimal("6000.00")
    codes = {c["code"]: c for c in case.explanation}
    assert codes["no_living_child"]["ok"]
    assert any("死亡" in r["label"] for r in codes["no_living_child"]["records"])


def test_special_assistance_for_a_child_s_disability_grade(users, tree, family, make_person):
    mother = make_person(tree.village_a, name="吴母", sex="F", birth_date=D(1975, 4, 1), seq=905)
    birth = family(D(2000, 1, 1), mother=mother, father=False)
    DisabilityRecord.objects.create(
        person=birth.child, unit=tree.village_a, grade=2, certified_on=D(2010, 1, 1)
    )
    other = make_person(tree.village_a, name="郑母", sex="F", birth_date=D(1975, 4, 1), seq=906)
    grade4 = family(D(2001, 1, 1), mother=other, father=False, name="郑子")
    DisabilityRecord.objects.create(
        person=grade4.child, unit=tree.village_a, grade=4, certified_on=D(2010, 1, 1)
    )
    batch = run(users, tree, kind="special_assistance_disability")
    case = case_of(batch, mother)
    # she is 49 on 2024-04-01: the whole of 2026
    assert case.eligible and case.amount == Decimal("6000.00")
    assert not Case.objects.filter(batch=batch, person=other).exists()  # grade 4 only


def test_health_fee_with_one_employed_parent_and_with_none(users, tree, family, make_person):
    from jisheng.certificates.models import Certificate

    employed = make_person(tree.village_a, name="冯母", sex="F", seq=907, employer=tree.mine)
    one = family(D(2020, 1, 1), mother=employed, name="冯子")
    none = family(D(2020, 2, 1), name="陈子")
    for birth in (one, none):
        Certificate.objects.create(
            kind="one_child_parents",
            status="issued",
            person=birth.mother,
            unit=tree.village_a,
            issued_on=D(2020, 6, 1),
            issuer=tree.county,
        )
    batch = run(users, tree, kind="only_child_health_fee")
    first = case_of(batch, one.child)
    assert first.amount == Decimal("360.00")
    assert [(s.level, s.payer_id, s.amount) for s in first.shares.all()] == [
        ("employer", tree.mine.pk, Decimal("360.00"))
    ]
    second = case_of(batch, none.child)
    assert [(s.level, s.payer_id, s.amount) for s in second.shares.all()] == [
        ("county", None, Decimal("360.00"))
    ]


def test_the_sweep_is_a_confirmation_duty_and_audited(users, tree, family):
    family(D(2025, 1, 1))
    batch = run(users, tree)
    assert batch.status == BatchStatus.DRAFT
    assert Duty.objects.filter(batch=batch, user=users.office, power=Power.CONFIRM).exists()
    event = AuditEvent.objects.get(object_type="benefits.batch", object_id=str(batch.pk))
    assert event.changes["total_amount"] == ["0.00", "3600.00"]


def test_rerun_refreshes_a_draft_and_is_refused_after(users, tree, family):
    family(D(2025, 1, 1))
    batch = run(users, tree)
    family(D(2025, 3, 1), name="二宝")
    again = run(users, tree)
    assert again.pk == batch.pk and again.case_count == 2
    assert Entitlement.objects.filter(kind="childcare_subsidy").count() == 2
    Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.REVIEWED)
    with pytest.raises(ValidationError) as info:
        run(users, tree)
    assert "不能再" in str(info.value) or "已离开" in str(info.value)


def test_a_township_sweep_sees_only_its_subtree(users, tree, family):
    here = family(D(2025, 1, 1))
    there = family(D(2025, 1, 1), unit=tree.community, name="社区娃")
    batch = run(users, tree, unit=tree.town, actor=users.town_office)
    persons = set(Case.objects.filter(batch=batch).values_list("person_id", flat=True))
    assert persons == {here.child_id}
    assert there.child_id not in persons


def test_a_sweep_outside_the_actor_s_scope_is_refused_and_audited(users, tree):
    with pytest.raises(PermissionDenied):
        run(users, tree, unit=tree.street, actor=users.town_office)
    assert AuditEvent.objects.filter(action="denied", user=users.town_office).exists()


def test_a_user_without_the_confirm_power_is_refused(users, tree):
    with pytest.raises(PermissionDenied):
        run(users, tree, actor=users.leader)


def test_an_unknown_kind_is_refused(users, tree):
    with pytest.raises(ValidationError):
        run(users, tree, kind="moon_bonus")


def test_the_scheduler_command(tree, family):
    from io import StringIO

    from django.core.management import call_command

    family(D(2025, 1, 1))
    out = StringIO()
    call_command(
        "benefits", "sweep", "--kind", "childcare_subsidy", "--unit", tree.county.code,
        "--year", "2026", stdout=out,
    )  # fmt: skip
    assert "3600.00" in out.getvalue()
    batch = Batch.objects.get()
    assert batch.created_by is None and batch.case_count == 1


def test_the_demo_loader_sweeps_once(tree, family):
    from jisheng.benefits.demo import load_demo_benefits

    family(D(2025, 1, 1))
    assert load_demo_benefits() >= 1
    assert load_demo_benefits() == 0
