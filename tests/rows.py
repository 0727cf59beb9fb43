"""Row builders: ``rows(env, n)`` adds ``n`` rows of one kind, visible to the county's
administrator (tests/test_query_counts.py measures the lists with them; the permission
matrix takes one object of each kind from them).

``env`` holds ``tree``, ``person`` (the shared one), ``make_person``, ``today``, ``store``
and ``product`` (of village A) and a ``serial`` the builders count up for unique codes.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from tests import factories

D = datetime.date


def persons(env: SimpleNamespace, n: int) -> None:
    for _ in range(n):
        env.make_person(name="陈静")


def units(env: SimpleNamespace, n: int) -> None:
    for _ in range(n):
        env.serial += 1
        factories.unit(
            f"990100001{100 + env.serial:03d}", f"新村{env.serial}", "village", env.tree.town
        )


def users(env: SimpleNamespace, n: int) -> None:
    for _ in range(n):
        env.serial += 1
        factories.user(f"field_{env.serial}", env.tree.village_a, "field")


def households(env: SimpleNamespace, n: int) -> None:
    from jisheng.people import family

    for _ in range(n):
        env.serial += 1
        family.household_create(actor=None, unit=env.tree.village_a, number=f"H{env.serial:04d}")


def births(env: SimpleNamespace, n: int) -> None:
    from jisheng.people import family

    for _ in range(n):
        mother = env.make_person(name="孙丽")
        family.birth_record(
            actor=None, mother=mother, date=D(2024, 3, 1), sex="F", child_name="孙乐"
        )


def pregnancies(env: SimpleNamespace, n: int) -> None:
    from jisheng.people import family

    for _ in range(n):
        woman = env.make_person(name="周敏")
        family.pregnancy_register(actor=None, woman=woman, registered_on=env.today)


def movements(env: SimpleNamespace, n: int) -> None:
    from jisheng.commodities import services

    for _ in range(n):
        env.serial += 1
        services.receive(
            actor=None,
            store=env.store,
            occurred_on=D(2026, 3, 2),
            supplier="省药具站",
            lines=[services.NewLot(env.product, f"L{env.serial}", "2028-12-31", 10)],
        )


def first_lot(env: SimpleNamespace) -> Any:
    from jisheng.commodities.models import Lot

    if not Lot.objects.exists():
        movements(env, 1)
    return Lot.objects.first()


def quality_checks(env: SimpleNamespace, n: int) -> None:
    from jisheng.commodities import quality

    lot = first_lot(env)
    for _ in range(n):
        quality.quality_check_record(
            actor=None,
            store=env.store,
            checked_on=D(2026, 3, 2),
            lot=lot,
            condition="good",
            action="none",
            checked_by="王五",
        )


def adverse_reactions(env: SimpleNamespace, n: int) -> None:
    from jisheng.commodities import quality

    for _ in range(n):
        quality.adverse_reaction_report(
            actor=None,
            person=env.make_person(name="吴红"),
            product=env.product,
            started_on=D(2026, 3, 1),
            reported_on=D(2026, 3, 3),
            description="服药后恶心",
            severity="mild",
            reporter="赵医生",
        )


def counts(env: SimpleNamespace, n: int) -> None:
    from jisheng.commodities import counts as count_services
    from jisheng.commodities.models import Store

    for _ in range(n):
        env.serial += 1
        store = Store.objects.create(
            unit=env.tree.village_b,
            code=f"s{env.serial}",
            name=f"药具柜{env.serial}",
            kind="village_cabinet",
        )
        count_services.count_open(None, store, D(2026, 3, 2))


def campaign_rounds(env: SimpleNamespace, n: int) -> None:
    from jisheng.services import campaigns

    for _ in range(n):
        env.serial += 1
        unit = factories.unit(
            f"990100001{100 + env.serial:03d}", f"新村{env.serial}", "village", env.tree.town
        )
        campaigns.round_create(
            actor=None,
            unit=unit,
            campaign_id="comprehensive_service",
            period_start=D(2026, 1, 1),
            period_end=D(2026, 3, 31),
        )


def policy_packs(env: SimpleNamespace, n: int) -> None:
    from jisheng.policy.services import pack_load
    from tests.policy.conftest import minimal

    for _ in range(n):
        env.serial += 1
        pack_load(actor=None, text=minimal(code=f"pack-{env.serial}"), unit=env.tree.county)


def moves(env: SimpleNamespace, n: int) -> None:
    """Events of the one person of the per-person lists (``{person_id}``): out-migrant and
    back, each pair a period away and one at home."""
    from jisheng.people import services

    for _ in range(n):
        env.serial += 1
        day = D(2020, 1, 1) + datetime.timedelta(days=30 * env.serial)
        kind = "flow_out" if env.serial % 2 else "flow_in"
        data = {} if kind == "flow_out" else {"unit": env.tree.village_a}
        services.event_record(actor=None, person=env.person, kind=kind, date=day, data=data)


def transfers(env: SimpleNamespace, n: int) -> None:
    """Persons who moved out of village A: each opens a transfer case."""
    from jisheng.people import services

    for _ in range(n):
        person = env.make_person(name="郑洁")
        services.event_record(
            actor=None,
            person=person,
            kind="move_out",
            date=D(2024, 1, 1),
            data={"unit": env.tree.village_b, "to": "乙村"},
        )


def migrant_checks(env: SimpleNamespace, n: int) -> None:
    from jisheng.migrants.services import check_record
    from jisheng.people.choices import PersonStatus

    for _ in range(n):
        person = env.make_person(
            name="流入", status=PersonStatus.IN_MIGRANT, registered_on=D(2024, 1, 1)
        )
        check_record(
            actor=None,
            person=person,
            checked_on=D(2026, 3, 1),
            result="valid",
            certificate_number="440104-2025-001",
            issuing_place="广州市某街道",
        )


def arrivals(env: SimpleNamespace, n: int) -> None:
    """Arrivals of village A: half only reported, half registered (her person linked)."""
    from jisheng.floating.choices import ArrivalStatus
    from jisheng.floating.models import Arrival
    from jisheng.floating.services_arrivals import arrival_report
    from jisheng.people.choices import PersonStatus

    for i in range(n):
        arrival = arrival_report(
            actor=None, unit=env.tree.village_a, name="流入", arrived_on=D(2026, 9, 1)
        )
        if i % 2:
            person = env.make_person(
                name="流入", status=PersonStatus.IN_MIGRANT, registered_on=D(2026, 9, 1)
            )
            Arrival.objects.filter(pk=arrival.pk).update(
                person=person, status=ArrivalStatus.REGISTERED, registered_on=D(2026, 9, 10)
            )


def late_entries(env: SimpleNamespace, n: int) -> None:
    """Out-migrations of village A dated in its closed June 2025, entered late with a
    reason (补报): one late entry each, linked to the event."""
    from jisheng.core import locks
    from jisheng.people import services

    locks.close(
        unit=env.tree.village_a,
        first=D(2025, 6, 1),
        last=D(2025, 6, 30),
        source=env.tree.village_a,
        actor=None,
    )
    for _ in range(n):
        person = env.make_person(name="补报", registered_on=D(2024, 1, 1))
        services.event_record(
            actor=None,
            person=person,
            kind="flow_out",
            date=D(2025, 6, 15),
            late_reason="村里月底才报来",
        )


def letters(env: SimpleNamespace, n: int) -> None:
    """Letters of inquiry of the mine about its men whose wives live outside the system."""
    from jisheng.people import family
    from jisheng.policy.services import pack_load
    from jisheng.services import letters as letter_services
    from tests.policy.conftest import pack_file

    if not getattr(env, "mine_pack", False):
        pack_load(actor=None, text=pack_file("mine-2005.yaml"), unit=env.tree.mine)
        env.mine_pack = True
    for _ in range(n):
        man = env.make_person(
            unit=env.tree.shaft,
            name="矿工",
            sex="M",
            birth_date=D(1985, 1, 1),
            registered_on=D(2010, 1, 1),
            employer=env.tree.shaft,
        )
        couple = family.couple_create(
            actor=None,
            married_on=D(2015, 5, 1),
            husband=man,
            outside={"name": "外妻", "township": "邻县城关镇"},
        )
        letter_services.letter_create(
            actor=None, issuer=env.tree.mine, couple=couple, year=env.today.year
        )


def contracts(env: SimpleNamespace, n: int) -> None:
    """Contracts the county draws up with townships of its own."""
    from jisheng.indicators import contracts as contract_services

    for _ in range(n):
        env.serial += 1
        unit = factories.unit(
            f"990100{100 + env.serial:03d}000", f"新镇{env.serial}", "township", env.tree.county
        )
        contract_services.contract_draw(
            actor=None, issuer=env.tree.county, unit=unit, year=env.today.year
        )


def verifications(env: SimpleNamespace, n: int) -> None:
    """Samples of the town's married women of childbearing age (one of the fixtures')."""
    from jisheng.reports import verification

    if not getattr(env, "married", None):
        env.married = env.make_person(name="何芳", marital_status="first_marriage")
    for _ in range(n):
        env.serial += 1
        verification.verification_create(actor=None, unit=env.tree.town, size=1, seed=env.serial)


def assessments(env: SimpleNamespace, n: int) -> None:
    """The county's assessments of its townships, one a year back from last year."""
    from jisheng.indicators import assessment

    for _ in range(n):
        env.serial += 1
        year = env.today.year - env.serial
        assessment.assessment_create(actor=None, issuer=env.tree.county, period=str(year))


def round_targets(env: SimpleNamespace, n: int) -> None:
    """``n`` more married women in village A, and a new round (a quarter earlier than the
    last) that draws them all: ``{round_id}`` is the newest round."""
    from jisheng.services import campaigns

    for _ in range(n):
        env.make_person(name="冯丽", marital_status="first_marriage")
    env.serial += 1
    start = D(2026 - env.serial // 4, 10 - 3 * (env.serial % 4), 1)
    end = (start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
    env.round = campaigns.round_create(
        actor=None,
        unit=env.tree.village_a,
        campaign_id="comprehensive_service",
        period_start=start,
        period_end=end,
    )


def underreporting_villages(env: SimpleNamespace, n: int) -> None:
    """``n`` villages the under-reporting scan flags (last year): each registers a birth
    of a mother aged 55 and has no woman of 15–49, so E = 0 and O = 1 (flagged high)."""
    from jisheng.people import family

    year = env.today.year - 1
    for _ in range(n):
        env.serial += 1
        village = factories.unit(
            f"990100001{500 + env.serial:03d}", f"筛查村{env.serial}", "village", env.tree.town
        )
        mother = env.make_person(village, name="吴芳", birth_date=D(year - 55, 1, 1))
        family.birth_record(
            actor=None, mother=mother, date=D(year, 3, 1), sex="M", register_child=False
        )


def logic_rules(env: SimpleNamespace, n: int) -> None:
    from jisheng.quality.models import LogicRule

    for _ in range(n):
        env.serial += 1
        LogicRule.objects.create(
            key=f"rule_{env.serial}",
            digest=f"{env.serial}",
            name=f"出生合计{env.serial}",
            message="{left} {right}",
            severity="error",
            kind="aggregate",
            periods=["month"],
            left="births[male] + births[female]",
            operator="==",
            right="births",
            order=env.serial,
        )


def logic_violations(env: SimpleNamespace, n: int) -> None:
    """Persons registered like the shared person (same name and birth date): each one is a
    result of the rule of likely duplicates, this month."""
    from jisheng.quality.definitions_rules import load_files

    load_files(actor=None)
    for _ in range(n):
        env.make_person(name=env.person.name, birth_date=env.person.birth_date)


def report_submissions(env: SimpleNamespace, n: int) -> None:
    """Report submissions of village A, one a month (a form key of the tests' own)."""
    from jisheng.core.periods import Period
    from jisheng.reporting.models import Submission

    start = getattr(env, "report_serial", 0)
    env.report_serial = start + n
    for i in range(start, start + n):
        period = Period("month", 2020 + i // 12, i % 12 + 1)
        Submission.objects.create(
            unit=env.tree.village_a,
            form_key="rows_monthly",
            period_code=period.code,
            first=period.first,
            last=period.last,
            deadline=period.last,
        )


def crosscheck_lists(env: SimpleNamespace, n: int) -> None:
    """Hospital births lists (五关) of village A, one row each, imported and matched."""
    from jisheng.quality.services_crosscheck import list_import

    for _ in range(n):
        env.serial += 1
        data = (
            "出生医学证明编号,新生儿姓名,性别,出生日期,母亲姓名\n"
            f"Q{env.serial:06d},,女,2026-01-05,赵云\n"
        ).encode()
        env.crosscheck_list = list_import(
            actor=None,
            source="hospital_births",
            unit=env.tree.village_a,
            first=D(2026, 1, 1),
            last=D(2026, 1, 31),
            data=data,
            filename="名单.csv",
        )


def crosscheck_rows(env: SimpleNamespace, n: int) -> None:
    """Records of one cross-check list of village A (missing from the registry)."""
    from jisheng.quality.models import CrossCheckRow, Outcome

    if getattr(env, "crosscheck_list", None) is None:
        crosscheck_lists(env, 1)
    start = env.crosscheck_list.rows.count() + 2
    CrossCheckRow.objects.bulk_create(
        CrossCheckRow(
            checklist=env.crosscheck_list,
            row_number=start + i,
            data={"mother_name": "赵云"},
            name="",
            other_name="赵云",
            event_date=D(2026, 1, 5),
            unit=env.tree.village_a,
            outcome=Outcome.MISSING,
        )
        for i in range(n)
    )


def certificates(env: SimpleNamespace, n: int) -> None:
    """Issued certificates (管理移交证明, no review) of village A, one person each."""
    from jisheng.certificates.models import Certificate

    start = getattr(env, "certificate_serial", 0)
    env.certificate_serial = start + n
    person = env.make_person(name="证件持有人")
    for i in range(start, start + n):
        Certificate.objects.create(
            kind="transfer_clearance",
            status="issued",
            number=f"YJROWS-2026-{i + 1:04d}",
            issuer=env.tree.village_a,
            unit=env.tree.village_a,
            person=person,
            holder_name=person.name,
            year=2026,
            sequence=i + 1,
            issued_on=D(2026, 1, 1),
            code=f"rows-{i}",
        )


def birth_registrations(env: SimpleNamespace, n: int) -> None:
    """生育登记 of couples of village A, issued by the township (issue 16)."""
    from jisheng.certificates.birth_registration import registration_issue
    from jisheng.people import family

    for _ in range(n):
        wife = env.make_person(name="周敏")
        husband = env.make_person(name="吴刚", sex="M")
        couple = family.couple_create(
            actor=None, married_on=D(2018, 1, 1), wife=wife, husband=husband
        )
        registration_issue(actor=None, couple=couple, issuer=env.tree.town, child_order=1)


def leave_requests(env: SimpleNamespace, n: int) -> None:
    """Marriage leave of ``n`` employees of the mine (each with her marriage)."""
    from jisheng.leave import services
    from jisheng.people.models import Couple
    from jisheng.policy.services import ensure_default_pack

    ensure_default_pack()
    for _ in range(n):
        woman = env.make_person(name="林慧", employer=env.tree.mine)
        couple = Couple.objects.create(
            unit=env.tree.village_a, wife=woman, outside_name="陈刚", married_on=D(2024, 12, 1)
        )
        services.leave_apply(
            actor=None,
            unit=env.tree.mine,
            person=woman,
            kind="marriage",
            start=D(2025, 1, 24),
            couple=couple,
        )


# issue 17 / housing ---------------------------------------------------------------------


def rental_properties(env: SimpleNamespace, n: int) -> None:
    """Let rental properties of village A (the first kept as ``env.rental_property``)."""
    from jisheng.floating.services_housing import property_file

    start = getattr(env, "property_serial", 0)
    env.property_serial = start + n
    for i in range(start, start + n):
        prop = property_file(
            actor=None,
            unit=env.tree.village_a,
            address=f"甲村幸福路{i + 1}号",
            landlord_name="张建国",
            filed_on=D(2026, 1, 1),
        )
        if getattr(env, "rental_property", None) is None:
            env.rental_property = prop


def tenancies(env: SimpleNamespace, n: int) -> None:
    """Tenants of ``env.rental_property`` (made first), each reported as an arrival."""
    from jisheng.floating.services_housing import tenancy_report

    if getattr(env, "rental_property", None) is None:
        rental_properties(env, 1)
    for _ in range(n):
        tenancy_report(
            actor=None, property=env.rental_property, name="陈红", moved_in=D(2026, 1, 5)
        )


def sweeps(env: SimpleNamespace, n: int) -> None:
    """Sweeps over village A (the first kept as ``env.sweep``)."""
    from jisheng.floating.services_sweeps import sweep_open

    for _ in range(n):
        sweep = sweep_open(
            actor=None,
            unit=env.tree.village_a,
            name="甲村清查",
            starts_on=D(2026, 1, 1),
            ends_on=D(2026, 6, 30),
        )
        if getattr(env, "sweep", None) is None:
            env.sweep = sweep


def sweep_items(env: SimpleNamespace, n: int) -> None:
    """Lines of ``env.sweep``'s checklist (rental properties of village A added to it)."""
    from jisheng.floating.models import SweepItem

    if getattr(env, "sweep", None) is None:
        sweeps(env, 1)
    before = getattr(env, "property_serial", 0)
    first = getattr(env, "rental_property", None)
    rental_properties(env, n)
    from jisheng.floating.models import RentalProperty

    made = RentalProperty.objects.filter(
        address__in=[f"甲村幸福路{i + 1}号" for i in range(before, before + n)]
    )
    SweepItem.objects.bulk_create(SweepItem(sweep=env.sweep, unit=p.unit, property=p) for p in made)
    env.rental_property = first or env.rental_property


def sweep_findings(env: SimpleNamespace, n: int) -> None:
    """Findings of ``env.sweep`` in village A: people not registered (each an arrival)."""
    from jisheng.floating.services_sweeps import finding_record

    if getattr(env, "sweep", None) is None:
        sweeps(env, 1)
    for _ in range(n):
        finding_record(
            actor=None,
            sweep=env.sweep,
            unit=env.tree.village_a,
            kind="not_registered",
            name="周丽",
            found_on=env.today,
        )


def notices(env: SimpleNamespace, n: int) -> None:
    """Two-way notification (issue 17): replies of 西城街道 to 东城镇 (in the admin's inbox
    and outbox), each to a notice of its own person (one row each in the lists: the
    originals are outgoing, to another system)."""
    import uuid

    from jisheng.exchange.models import Notice

    town, street = env.tree.town, env.tree.street
    for _ in range(n):
        person = env.make_person(name="流入")
        original = Notice.objects.create(
            uid=uuid.uuid4(), kind="service", direction="outgoing", instance="jisheng",
            sender_unit=None, sender_code="440104001000", receiver_unit=None,
            receiver_code="440104002000", person=person, person_name=person.name,
            event_on=D(2026, 3, 1), payload={"service": "follow_up_visit", "way": "home"},
        )  # fmt: skip
        Notice.objects.create(
            uid=uuid.uuid4(), kind="reply", direction="internal", instance="jisheng",
            status="closed", sender_unit=street, sender_code=street.code, receiver_unit=town,
            receiver_code=town.code, person=person, person_name=person.name,
            event_on=D(2026, 3, 2), payload={"reply_kind": "noted", "text": "已知悉"},
            in_reply_to=original,
        )  # fmt: skip


def outflows(env: SimpleNamespace, n: int) -> None:
    """People of village A away (issue 17 / outflows): each with a contact, a signed
    service agreement and a place in village A's team working away."""
    from jisheng.floating import services_outflows as services
    from jisheng.floating.models import AwayTeam

    team = AwayTeam.objects.filter(unit=env.tree.village_a).first() or services.team_create(
        actor=None, unit=env.tree.village_a, name="甲村建筑队", destination="上海市浦东新区",
        leader_name="张队长", leader_phone="13800000010", propagandist_name="李宣传",
        propagandist_phone="13800000011", formed_on=D(2025, 1, 1),
    )  # fmt: skip
    for _ in range(n):
        person = env.make_person(name="外出", registered_on=D(2024, 1, 1))
        outflow = services.outflow_record(
            actor=None, person=person, left_on=D(2026, 3, 1), destination="广东省广州市天河区",
            phone="13800000001", team=team,
        )  # fmt: skip
        services.contact_record(
            actor=None, outflow=outflow, contacted_on=D(2026, 4, 1), channel="phone"
        )
        services.agreement_sign(
            actor=None, outflow=outflow, signed_on=D(2026, 3, 2), services=["checkup"]
        )


def away_teams(env: SimpleNamespace, n: int) -> None:
    """Teams working away of village A (issue 17 / outflows), one person away in each."""
    from jisheng.floating import services_outflows as services

    for _ in range(n):
        env.serial += 1
        team = services.team_create(
            actor=None, unit=env.tree.village_a, name=f"甲村{env.serial}队", destination="上海",
            leader_name="张队长", leader_phone="13800000010", propagandist_name="李宣传",
            propagandist_phone="13800000011", formed_on=D(2025, 1, 1),
        )  # fmt: skip
        person = env.make_person(name="队员", registered_on=D(2024, 1, 1))
        services.outflow_record(
            actor=None, person=person, left_on=D(2026, 3, 1), destination="上海", team=team
        )


# issue 18 / flow: benefit batches, their cases, objections and findings
def benefit_batches(env: SimpleNamespace, n: int) -> None:
    """Batches of the township (issue 18 / flow), two cases each."""
    from tests.benefits import factories_flow as ff

    for _ in range(n):
        env.serial += 1
        batch = ff.batch_with_cases(env.tree, n=2, title=f"育儿补贴第{env.serial}批")
        env.benefit_batch = getattr(env, "benefit_batch", None) or batch


def benefit_cases(env: SimpleNamespace, n: int) -> None:
    """Cases of one batch of the township (issue 18 / flow)."""
    from jisheng.benefits.services_flow import recount
    from tests.benefits import factories_flow as ff

    batch = getattr(env, "benefit_batch", None)
    if batch is None:
        batch = env.benefit_batch = ff.batch(env.tree.town)
    for _ in range(n):
        ff.case(batch, env.tree.village_a, name="张小华")
    recount(batch)


def benefit_objections(env: SimpleNamespace, n: int) -> None:
    """Open objections against cases of a batch on public notice (issue 18 / flow)."""
    from jisheng.benefits.choices import BatchStatus, CaseStatus
    from jisheng.benefits.services_flow import objection_create
    from tests.benefits import factories_flow as ff

    batch = ff.batch(
        env.tree.town, status=BatchStatus.NOTICE, notice_from=env.today, notice_until=env.today
    )
    for _ in range(n):
        case = ff.case(batch, env.tree.village_a, status=CaseStatus.REVIEWED)
        objection_create(actor=None, case=case, raised_on=env.today, content="有异议")


def benefit_findings(env: SimpleNamespace, n: int) -> None:
    """Supervision findings on a batch and its cases (issue 18 / flow)."""
    from jisheng.benefits.services_flow import finding_create
    from tests.benefits import factories_flow as ff

    batch = ff.batch(env.tree.town)
    for _ in range(n):
        case = ff.case(batch, env.tree.village_b, name="李明")
        finding_create(actor=None, batch=batch, case=case, text="抽查发现")
