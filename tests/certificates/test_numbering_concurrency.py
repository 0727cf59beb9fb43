"""Numbers under concurrency: 20 threads issue 1,000 certificates of one issuing unit,
kind and year at once; the sequences are exactly 1..1000 and every number is unique
(PostgreSQL: row locks; SQLite serialises its writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from jisheng.certificates import services
from jisheng.certificates.models import Certificate, NumberSeries
from tests import factories

THREADS = 20
CERTIFICATES = 1000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_1000_issued_by_20_threads_are_gap_free(tree):
    person = factories.person(tree.village_a, name="王芳", sex="F", seq=41)
    year = timezone.localdate().year
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            for _ in range(n):
                services.issue_now(
                    actor=None, kind="transfer_clearance", issuer=tree.town, person=person
                )
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    per_thread = CERTIFICATES // THREADS
    threads = [threading.Thread(target=run, args=(per_thread,)) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = Certificate.objects.filter(issuer=tree.town, kind="transfer_clearance", year=year)
    sequences = sorted(rows.values_list("sequence", flat=True))
    assert sequences == list(range(1, CERTIFICATES + 1))
    numbers = set(rows.values_list("number", flat=True))
    assert len(numbers) == CERTIFICATES
    assert f"YJ{tree.town.code}-{year}-1000" in numbers
    assert len(set(rows.values_list("code", flat=True))) == CERTIFICATES
    series = NumberSeries.objects.get(issuer=tree.town, kind="transfer_clearance", year=year)
    assert series.last == CERTIFICATES
