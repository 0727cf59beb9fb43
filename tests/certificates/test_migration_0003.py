"""The data migration ``certificates/0003_move_existing``, run by the migration executor
on rows as they were before it: the old 独生子女父母光荣证 become issued (or revoked),
each completed 管理移交's clearance becomes a certificate with its number kept, and the
number series continue without a gap."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jisheng.certificates import numbering
from jisheng.certificates.kinds import kind
from jisheng.certificates.models import Certificate, NumberSeries
from jisheng.people import services as people_services
from jisheng.people import transfers
from jisheng.people.family import couple_create
from jisheng.people.models import Transfer
from tests import factories

D = datetime.date
BEFORE = ("certificates", "0002_engine")
MIGRATION = ("certificates", "0003_move_existing")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_move_existing(tree, users):
    _migrate([BEFORE])
    try:
        _check(tree, users)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _old_certificate(couple, issuer, year, sequence, voided=False):
    return Certificate.objects.create(
        kind="one_child_parents",
        number=f"{issuer.code}-{year}-{sequence:04d}",
        issuer=issuer,
        year=year,
        sequence=sequence,
        couple=couple,
        unit=couple.unit,
        issued_on=D(year, 3, sequence),
        voided_at=timezone.now() if voided else None,
        void_reason="录入错误" if voided else "",
    )  # as 0002 left them: status applied (its default), no code, no holder name


def _departed(unit, name, seq, completed_on=None, number=""):
    man = factories.person(unit, name=name, sex="M", birth_date=D(1970, 3, 3), seq=seq)
    people_services.event_record(
        actor=None, person=man, kind="retirement", date=D(2025, 3, 3), data={"to": "青石镇"}
    )
    transfer = Transfer.objects.get(person=man)
    if completed_on:
        Transfer.objects.filter(pk=transfer.pk).update(
            status="completed",
            completed_on=completed_on,
            clearance_number=number,
            records_handed="信息卡",
        )
    return transfer


def _check(tree, users):
    a, b = tree.village_a, tree.village_b

    def couple(unit, name, seq):
        wife = factories.person(unit, name=f"{name}妻", sex="F", seq=seq)
        husband = factories.person(unit, name=f"{name}夫", sex="M", seq=seq + 1)
        return couple_create(actor=None, married_on=D(2015, 1, 1), wife=wife, husband=husband)

    one, two, three = couple(a, "一", 50), couple(a, "二", 52), couple(b, "三", 54)
    old = [
        _old_certificate(one, a, 2025, 1),
        _old_certificate(two, a, 2025, 2, voided=True),
        _old_certificate(two, a, 2025, 3),
        _old_certificate(three, b, 2026, 7),  # a series that starts high
    ]
    kept = _departed(tree.shaft, "李强", 60, D(2025, 3, 10), "YJMINE01-01-2025-0001")
    kept2 = _departed(tree.shaft, "赵刚", 62, D(2025, 5, 10), "YJMINE01-01-2025-0002")
    odd = _departed(tree.shaft, "钱明", 64, D(2025, 6, 10), "手写-12")  # unreadable
    still_open = _departed(tree.shaft, "孙亮", 66)

    _migrate([MIGRATION])

    after = {c.pk: c for c in Certificate.objects.filter(pk__in=[c.pk for c in old])}
    for cert in old:
        moved = after[cert.pk]
        assert (moved.number, moved.year, moved.sequence) == (cert.number, cert.year, cert.sequence)
        assert moved.applied_on == moved.issued_on == cert.issued_on
        assert moved.code and len(moved.code) == 20
    assert [after[c.pk].status for c in old] == ["issued", "revoked", "issued", "issued"]
    assert after[old[0].pk].holder_name == "一夫、一妻"
    assert len({c.code for c in after.values()}) == 4

    clearances = Certificate.objects.filter(kind="transfer_clearance").order_by("sequence")
    rows = [(c.transfer_id, c.number, c.sequence, c.year) for c in clearances]
    assert rows == [
        (kept.pk, "YJMINE01-01-2025-0001", 1, 2025),
        (kept2.pk, "YJMINE01-01-2025-0002", 2, 2025),
        (odd.pk, "YJMINE01-01-2025-0003", 3, 2025),  # numbered after the series
    ]
    first = clearances[0]
    assert (first.issuer, first.unit, first.person.name, first.status) == (
        tree.shaft,
        tree.shaft,
        "李强",
        "issued",
    )
    assert first.issued_on == D(2025, 3, 10)
    odd.refresh_from_db()
    assert odd.clearance_number == "YJMINE01-01-2025-0003"
    assert not Certificate.objects.filter(transfer=still_open).exists()

    series = {(s.issuer_id, s.kind, s.year): s.last for s in NumberSeries.objects.all()}
    assert series == {
        (a.pk, "one_child_parents", 2025): 3,
        (b.pk, "one_child_parents", 2026): 7,
        (tree.shaft.pk, "transfer_clearance", 2025): 3,
    }
    # the series continue without a gap
    with transaction.atomic():
        assert numbering.take(kind("one_child_parents"), a, 2025) == (4, f"{a.code}-2025-0004")
        assert numbering.take(kind("one_child_parents"), b, 2026) == (8, f"{b.code}-2026-0008")
    transfers.transfer_complete(
        actor=users.office, transfer=still_open, completed_on=D(2025, 7, 1), records_handed="卡"
    )
    still_open.refresh_from_db()
    assert still_open.clearance_number == "YJMINE01-01-2025-0004"
    # running it again changes nothing (no second clearance, the series kept)
    _migrate([BEFORE])
    _migrate([MIGRATION])
    assert Certificate.objects.filter(kind="transfer_clearance").count() == 4
    assert NumberSeries.objects.get(issuer=tree.shaft, kind="transfer_clearance").last == 4
