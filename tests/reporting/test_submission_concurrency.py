"""Approving one report twice at once: one wins, the other gets a clear Chinese error."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from jisheng.core import locks
from jisheng.core import workflow as wf
from jisheng.core.models import ClosedPeriod, Decision
from jisheng.core.periods import parse
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S
from tests.reporting.conftest import KEY


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_one_wins(tree, users, births_form, monkeypatch):
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=parse("2026-01"))
    svc.submit(actor=users.field_a, submission=sub)
    close = locks.close

    def slow_close(**kwargs):
        time.sleep(0.5)  # hold the row lock while the other approval asks for it
        return close(**kwargs)

    monkeypatch.setattr(locks, "close", slow_close)
    start = threading.Barrier(2)
    results: list[object] = []

    def run():
        try:
            obj = Submission.objects.get(pk=sub.pk)
            start.wait()
            results.append(svc.approve(actor=users.town_office, submission=obj))
        except Exception as exc:  # collected for the assertions
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results) == ["StaleStatus", "Submission"]
    stale = next(r for r in results if isinstance(r, wf.StaleStatus))
    assert "已" in stale.messages[0] or "刷新" in stale.messages[0]
    assert Decision.objects.filter(object_id=sub.pk, action="approve").count() == 1
    assert ClosedPeriod.objects.count() == 1
    sub.refresh_from_db()
    assert sub.status == S.APPROVED
