"""The quality-check register and adverse-reaction reports: good input, bad input, scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jisheng.commodities import quality
from jisheng.commodities.choices import Condition, Outcome, QualityAction, Severity
from jisheng.commodities.models import AdverseReaction, Lot, QualityCheck
from jisheng.core.models import AuditEvent
from tests import factories
from tests.commodities.conftest import DAY, receive

D = datetime.date


@pytest.fixture
def lots(stores, products):
    receive(stores.town, products.pill, "P1", "2028-06-30", 10)
    receive(stores.village_a, products.condom, "C1", "2028-06-30", 10)
    return Lot.objects.get(number="P1"), Lot.objects.get(number="C1")


def check(actor, store, lot, **kw):
    args = dict(
        actor=actor, store=store, checked_on=DAY, lot=lot, condition=Condition.GOOD,
        action=QualityAction.NONE, checked_by="王五",
    )  # fmt: skip
    args.update(kw)
    return quality.quality_check_record(**args)


def test_quality_check_recorded_and_audited(stores, lots, keepers):
    pill, _condom = lots
    record = check(keepers.town, stores.town, pill, condition=Condition.NEAR_EXPIRY,
                   action=QualityAction.ISSUE_FIRST, note="近效期")  # fmt: skip
    assert record.store == stores.town and record.recorded_by == keepers.town
    assert AuditEvent.objects.filter(object_id=str(record.pk), action="create").exists()
    assert list(quality.quality_checks_visible(keepers.town)) == [record]
    assert list(quality.quality_checks_visible(keepers.village_a)) == []
    assert list(quality.lots_held(stores.town)) == [pill]


def test_quality_check_bad_input(stores, lots, keepers):
    pill, condom = lots
    future = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        check(keepers.town, stores.town, pill, checked_on=future)
    assert "checked_on" in exc.value.message_dict
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        check(keepers.town, stores.town, condom)  # held by the village, not the township
    assert "never held" in exc.value.message_dict["lot"][0]
    with pytest.raises(ValidationError) as exc:
        check(keepers.town, stores.town, pill, checked_on=D(2026, 3, 1))  # before receipt
    assert "lot" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        check(keepers.town, stores.town, pill, condition="broken", action="burn", checked_by=" ")
    assert {"condition", "action", "checked_by"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        check(keepers.town, stores.town, None)
    assert "lot" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        check(keepers.town, stores.community, pill)
    assert AuditEvent.objects.filter(action="denied", user=keepers.town).exists()
    assert not QualityCheck.objects.exists()


def report(actor, person, product, **kw):
    args = dict(
        actor=actor, person=person, product=product, started_on=D(2026, 3, 1),
        reported_on=D(2026, 3, 3), description="服药后恶心", severity=Severity.MILD,
        reporter="赵医生",
    )  # fmt: skip
    args.update(kw)
    return quality.adverse_reaction_report(**args)


def test_adverse_reaction_reported_and_listed(person, products, lots, keepers, users, tree):
    pill, _condom = lots
    first = report(keepers.town, person, products.pill, lot=pill, outcome=Outcome.RECOVERED)
    assert first.unit == tree.village_a and first.lot == pill
    assert AuditEvent.objects.filter(object_id=str(first.pk), action="create").exists()
    other = factories.person(tree.community, name="周敏", seq=2)
    second = report(users.office, other, products.condom, severity=Severity.SEVERE,
                    reported_on=D(2026, 3, 20), started_on=D(2026, 3, 18))  # fmt: skip
    everything = quality.adverse_reactions(users.office, tree.county)
    assert list(everything) == [second, first]
    assert list(quality.adverse_reactions(users.office, product=products.pill)) == [first]
    assert list(quality.adverse_reactions(users.office, lot=pill)) == [first]
    assert list(quality.adverse_reactions(users.office, severity=Severity.SEVERE)) == [second]
    assert list(
        quality.adverse_reactions(users.office, start=D(2026, 3, 10), end=D(2026, 3, 31))
    ) == [second]
    assert list(quality.adverse_reactions(keepers.town)) == [first]  # its subtree only
    book = quality.adverse_workbook(everything)
    sheet = book.worksheets[0]
    assert sheet.max_row == 3
    assert "李秀英" in [c.value for c in sheet[3]]


def test_adverse_reaction_bad_input(person, products, lots, keepers):
    _pill, condom = lots
    future = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        report(keepers.town, person, products.pill, reported_on=future)
    assert "reported_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        report(keepers.town, person, products.pill, started_on=D(2026, 3, 5))  # after reported
    assert "started_on" in exc.value.message_dict
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        report(keepers.town, person, products.pill, lot=condom)
    assert "another product" in exc.value.message_dict["lot"][0]
    with pytest.raises(ValidationError) as exc:
        report(keepers.town, person, products.pill, description="  ", severity="deadly",
               reporter="")  # fmt: skip
    assert {"description", "severity", "reporter"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        report(keepers.town, person, None)
    assert "product" in exc.value.message_dict
    assert not AdverseReaction.objects.exists()


def test_adverse_reaction_person_out_of_scope_is_denied(person, products, tree):
    keeper_b = factories.user("keeper_b", tree.village_b, "commodity")
    with pytest.raises(PermissionDenied):
        report(keeper_b, person, products.pill)
    denied = AuditEvent.objects.get(action="denied", user=keeper_b)
    assert denied.object_id == str(person.pk)
    assert not AdverseReaction.objects.exists()
