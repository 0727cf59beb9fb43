"""Year-end reconciliation: the approved year-end report against the registry, record by
record, each difference explained by the unit."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jisheng.core.models import AuditEvent
from jisheng.core.periods import YEAR, parse
from jisheng.core.registry import registry
from jisheng.core.statforms import FormSpec
from jisheng.reporting import reconciliation as rec
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import ReconciliationNote
from tests.reporting.conftest import build_births

D = datetime.date
Y2025 = parse("2025")


def _build(unit, period):
    form = build_births(unit, period)
    form.key = rec.YEAR_END
    return form


YEAR_END_SPEC = FormSpec(
    key=rec.YEAR_END,
    title="年末人口与出生（测试）",
    frequency=YEAR,
    build=_build,
    deadline=lambda unit, period: period.last + datetime.timedelta(days=20),
)


@pytest.fixture
def year_end(monkeypatch):
    monkeypatch.setitem(registry["statforms"], rec.YEAR_END, YEAR_END_SPEC)
    return YEAR_END_SPEC


@pytest.fixture
def approved_year(tree, users, birth, year_end):
    kept = birth(D(2025, 3, 1))
    gone = birth(D(2025, 6, 1), sex="M")
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key=rec.YEAR_END, period=Y2025)
    svc.submit(actor=users.field_a, submission=sub)
    svc.approve(actor=users.town_office, submission=sub)
    return sub, kept, gone


def test_every_difference_listed_record_by_record(tree, users, birth, approved_year):
    sub, _kept, gone = approved_year
    assert rec.reconcile(unit=tree.village_a, year=2025).differences == []
    added = birth(D(2025, 12, 30))  # registered straight in the table: the registry changed
    gone_ref = f"people.birth:{gone.pk}"
    gone.delete()
    result = rec.reconcile(unit=tree.village_a, year=2025)
    found = sorted(
        (d.column_label, d.sign, d.record) for d in result.differences if d.row_label == "合计"
    )
    assert found == sorted(
        [
            ("出生", "+", f"people.birth:{added.pk}"),
            ("女", "+", f"people.birth:{added.pk}"),
            ("出生", "-", gone_ref),
            ("男", "-", gone_ref),
        ]
    )
    assert result.unexplained == len(result.differences) == 8  # the village row and the total
    rec.explain(
        actor=users.field_a, submission=sub, record=gone_ref, explanation="重复登记，已删除"
    )
    result = rec.reconcile(unit=tree.village_a, year=2025)
    assert {d.note.explanation for d in result.differences if d.record == gone_ref} == {
        "重复登记，已删除"
    }
    assert result.unexplained == 4


def test_explain_refuses_other_units_and_bad_input(tree, users, birth, approved_year):
    sub, _kept, gone = approved_year
    ref = f"people.birth:{gone.pk}"
    gone.delete()
    with pytest.raises(PermissionDenied):
        rec.explain(actor=users.town_office, submission=sub, record=ref, explanation="x")
    assert AuditEvent.objects.filter(action="denied", user=users.town_office).exists()
    with pytest.raises(ValidationError):
        rec.explain(actor=users.field_a, submission=sub, record=ref, explanation="  ")
    with pytest.raises(ValidationError):
        rec.explain(
            actor=users.field_a, submission=sub, record="people.birth:999999", explanation="x"
        )
    assert not ReconciliationNote.objects.exists()


def test_no_approved_year_end_report(tree, year_end):
    result = rec.reconcile(unit=tree.village_a, year=2024)
    assert result.submission is None and result.differences == []


def test_reconciliation_page(client, tree, users, birth, approved_year):
    _sub, _kept, gone = approved_year
    ref = f"people.birth:{gone.pk}"
    gone.delete()
    url = reverse("reporting:reconciliation")
    client.force_login(users.field_a)
    body = client.get(url, {"year": "2025"}).content.decode()
    assert "不再在台账中" in body or 'data-testid="differences"' in body
    response = client.post(
        url, {"unit": tree.village_a.code, "year": "2025", "record": ref, "explanation": "重复登记"}
    )
    assert response.status_code == 302
    assert ReconciliationNote.objects.get().explanation == "重复登记"
    client.force_login(users.field_b)
    assert client.get(url, {"unit": tree.village_a.code, "year": "2025"}).status_code == 404
