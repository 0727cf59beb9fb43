"""The certificate engine's writes: apply → review → issue, return and apply again,
revoke, reissue, one valid certificate per holder, scope and permission refusals (audited),
the clearance a completed 管理移交 issues, and in force on a day."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation

from jisheng.certificates import selectors, services
from jisheng.certificates.choices import CertificateStatus as S
from jisheng.certificates.models import Certificate, NumberSeries
from jisheng.core import workflow
from jisheng.core.models import AuditEvent, Decision
from jisheng.people import services as people_services
from jisheng.people import transfers
from jisheng.people.family import birth_record, couple_create
from jisheng.people.models import Transfer
from tests import factories

D = datetime.date
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def woman(tree):
    return factories.person(tree.village_a, name="王芳", sex="F", birth_date=D(1990, 1, 1), seq=11)


@pytest.fixture
def applied(woman, tree, users):
    """An application for a 计划生育情况证明 (reviewed kind) to the township."""
    return services.certificate_apply(
        actor=users.town_office,
        kind="status",
        issuer=tree.town,
        person=woman,
        data={"purpose": "入职"},
    )


def audits(certificate, action):
    return AuditEvent.objects.filter(
        object_type="certificates.certificate", object_id=str(certificate.pk), action=action
    )


def test_apply_review_issue(applied, tree, users, woman):
    assert (applied.status, applied.holder_name, applied.unit) == (
        S.APPLIED,
        "王芳",
        tree.village_a,
    )
    assert applied.number is None and applied.code is None
    assert audits(applied, "create").get().changes["data"] == [None, {"purpose": "入职"}]
    # a reviewed kind is not issued straight from the application
    with pytest.raises(ValidationError, match="reviewed before"):
        services.certificate_issue(actor=users.town_office, certificate=applied)
    services.certificate_review(actor=users.town_office, certificate=applied)
    assert applied.status == S.REVIEWED
    services.certificate_issue(actor=users.town_office, certificate=applied, issued_on=TODAY)
    applied.refresh_from_db()
    assert applied.status == S.ISSUED
    assert applied.number == f"ZM{tree.town.code}-{TODAY.year}-0001"
    assert (applied.year, applied.sequence, applied.issued_by) == (TODAY.year, 1, users.town_office)
    assert len(applied.code) == 20 and applied.code not in applied.number
    assert applied.valid_until is not None and applied.valid_until > TODAY  # 6 months
    steps = list(workflow.history(applied).values_list("from_status", "to_status"))
    assert steps == [(S.APPLIED, S.REVIEWED), (S.REVIEWED, S.ISSUED)]
    assert audits(applied, "update").count() == 2
    # issued twice: refused, the number unchanged
    with pytest.raises(workflow.TransitionNotAllowed):
        services.certificate_issue(actor=users.town_office, certificate=applied)
    assert NumberSeries.objects.get(issuer=tree.town, kind="status").last == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "purpose"),
        ({"purpose": "x" * 101}, "purpose"),
        ({"purpose": "入职", "colour": "red"}, "colour"),
    ],
)
def test_apply_bad_fields(woman, tree, users, data, field):
    with pytest.raises(ValidationError) as exc:
        services.certificate_apply(
            actor=users.town_office, kind="status", issuer=tree.town, person=woman, data=data
        )
    assert field in exc.value.message_dict
    assert not Certificate.objects.exists()


def test_apply_bad_holder_issuer_kind(woman, tree, users):
    cases = [
        ({"kind": "birth_permit", "issuer": tree.town, "person": woman}, "kind"),
        ({"kind": "status", "issuer": tree.town}, "person"),  # no holder
        ({"kind": "status", "issuer": tree.street, "person": woman}, "issuer"),  # not above
        ({"kind": "status", "issuer": tree.village_a, "person": woman}, "issuer"),  # a village
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.certificate_apply(actor=None, data={"purpose": "入职"}, **kwargs)
        assert field in exc.value.message_dict, kwargs
    assert not Certificate.objects.exists()


def test_messages_are_chinese(woman, tree, users, applied):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            services.certificate_apply(
                actor=users.town_office, kind="status", issuer=tree.town, person=woman, data={}
            )
        assert "用途" in exc.value.message_dict["purpose"][0]
        with pytest.raises(ValidationError) as exc:
            services.certificate_revoke(actor=users.town_office, certificate=applied, reason="")
        assert "作废" in exc.value.message_dict["reason"][0]


def test_return_and_apply_again(applied, users):
    with pytest.raises(workflow.MessageRequired):
        services.certificate_return(actor=users.town_office, certificate=applied, message="  ")
    assert Certificate.objects.get(pk=applied.pk).status == S.APPLIED
    services.certificate_return(actor=users.town_office, certificate=applied, message="用途写清楚")
    assert applied.status == S.RETURNED
    assert workflow.last_return(applied).message == "用途写清楚"
    # applied again with a field wrong: refused, still returned, nothing written
    with pytest.raises(ValidationError) as exc:
        services.certificate_resubmit(actor=users.town_office, certificate=applied, data={})
    assert "purpose" in exc.value.message_dict
    assert Certificate.objects.get(pk=applied.pk).status == S.RETURNED
    services.certificate_resubmit(
        actor=users.town_office, certificate=applied, data={"purpose": "办理入职手续"}
    )
    applied.refresh_from_db()
    assert (applied.status, applied.data) == (S.APPLIED, {"purpose": "办理入职手续"})
    event = audits(applied, "update").order_by("-id").first()
    assert event.changes["data"] == [{"purpose": "入职"}, {"purpose": "办理入职手续"}]
    # a returned one is not issued nor revoked
    services.certificate_return(actor=users.town_office, certificate=applied, message="再看")
    with pytest.raises(workflow.TransitionNotAllowed):
        services.certificate_issue(actor=users.town_office, certificate=applied)


def _issued(applied, users, issued_on=None):
    services.certificate_review(actor=users.town_office, certificate=applied)
    services.certificate_issue(actor=users.town_office, certificate=applied, issued_on=issued_on)
    return applied


def test_revoke(applied, users):
    with pytest.raises(workflow.TransitionNotAllowed):  # not issued yet
        services.certificate_revoke(actor=users.town_office, certificate=applied, reason="错")
    cert = _issued(applied, users)
    for reason in ("", "   ", "x" * 301):
        with pytest.raises(ValidationError) as exc:
            services.certificate_revoke(actor=users.town_office, certificate=cert, reason=reason)
        assert "reason" in exc.value.message_dict
    assert Certificate.objects.get(pk=cert.pk).status == S.ISSUED
    services.certificate_revoke(actor=users.town_office, certificate=cert, reason=" 信息有误 ")
    cert.refresh_from_db()
    assert cert.status == S.REVOKED and cert.voided
    assert (cert.voided_by, cert.void_reason) == (users.town_office, "信息有误")
    assert (
        Decision.objects.filter(object_id=cert.pk, to_status=S.REVOKED).get().message == "信息有误"
    )
    with pytest.raises(workflow.TransitionNotAllowed):
        services.certificate_revoke(actor=users.town_office, certificate=cert, reason="再次")


def test_reissue(woman, users, tree):
    applied = services.certificate_apply(
        actor=users.town_office,
        kind="status",
        issuer=tree.town,
        person=woman,
        data={"purpose": "入职"},
        applied_on=D(2025, 1, 5),
    )
    old = _issued(applied, users, issued_on=D(2025, 1, 10))
    with pytest.raises(ValidationError) as exc:  # before the certificate's issue
        services.certificate_reissue(
            actor=users.town_office, certificate=old, reason="遗失", issued_on=D(2025, 1, 9)
        )
    assert "issued_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.certificate_reissue(actor=users.town_office, certificate=old, reason="")
    assert "reason" in exc.value.message_dict
    new = services.certificate_reissue(
        actor=users.town_office, certificate=old, reason="遗失", issued_on=D(2025, 3, 1)
    )
    old.refresh_from_db()
    assert old.status == S.REPLACED and new.replaces == old and old.replaced_by == new
    assert new.status == S.ISSUED and new.sequence == 2 and new.number != old.number
    assert new.number == f"ZM{tree.town.code}-2025-0002"  # the same series
    assert (new.person, new.data, new.holder_name, new.issuer) == (
        old.person,
        old.data,
        old.holder_name,
        old.issuer,
    )
    assert new.code != old.code
    assert audits(new, "create").get().changes["replaces"] == [None, old.number]
    assert audits(old, "update").filter(changes__status=[S.ISSUED, S.REPLACED]).exists()
    # the replaced one is not reissued again; nor is a revoked one
    with pytest.raises(ValidationError, match="Only a valid certificate"):
        services.certificate_reissue(actor=users.town_office, certificate=old, reason="再补")
    services.certificate_revoke(actor=users.town_office, certificate=new, reason="作废")
    with pytest.raises(ValidationError, match="Only a valid certificate"):
        services.certificate_reissue(actor=users.town_office, certificate=new, reason="再补")
    assert Certificate.objects.count() == 2


def test_reissue_is_one_transaction(applied, users, monkeypatch):
    old = _issued(applied, users)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.certificate_reissue(actor=users.town_office, certificate=old, reason="遗失")
    monkeypatch.undo()
    assert Certificate.objects.get(pk=old.pk).status == S.ISSUED
    assert Certificate.objects.count() == 1
    assert NumberSeries.objects.get(kind="status").last == 1


def test_one_valid_per_holder(woman, tree, users):
    """流动人口婚育证明 (one_valid): a second while one is valid is refused, at the
    application and at the issue; after a revoke or through a reissue it is fine."""
    first = services.issue_now(
        actor=users.town_office, kind="migrant_marriage", issuer=tree.town, person=woman
    )
    with pytest.raises(ValidationError, match="already holds a valid") as exc:
        services.certificate_apply(
            actor=users.town_office, kind="migrant_marriage", issuer=tree.town, person=woman
        )
    assert "kind" in exc.value.message_dict
    # an application made while none was valid is refused at the issue
    services.certificate_revoke(actor=users.town_office, certificate=first, reason="遗失")
    second = services.certificate_apply(
        actor=users.town_office, kind="migrant_marriage", issuer=tree.town, person=woman
    )
    third = services.certificate_apply(
        actor=users.town_office, kind="migrant_marriage", issuer=tree.town, person=woman
    )
    for cert in (second, third):
        services.certificate_review(actor=users.town_office, certificate=cert)
    services.certificate_issue(actor=users.town_office, certificate=second)
    with pytest.raises(ValidationError, match="already holds a valid"):
        services.certificate_issue(actor=users.town_office, certificate=third)
    assert Certificate.objects.get(pk=third.pk).status == S.REVIEWED
    new = services.certificate_reissue(actor=users.town_office, certificate=second, reason="污损")
    assert Certificate.objects.filter(person=woman, status=S.ISSUED).get() == new
    # another kind (not one_valid) is not concerned
    services.issue_now(
        actor=users.town_office,
        kind="status",
        issuer=tree.town,
        person=woman,
        data={"purpose": "a"},
    )


def test_another_units_certificate_is_denied_and_audited(applied, tree, users):
    street_office = factories.user("street_office", tree.street, "office")
    for step in (
        lambda: services.certificate_review(actor=street_office, certificate=applied),
        lambda: services.certificate_return(actor=street_office, certificate=applied, message="x"),
    ):
        with pytest.raises(PermissionDenied):
            step()
    cert = _issued(applied, users)
    for step in (
        lambda: services.certificate_revoke(actor=street_office, certificate=cert, reason="x"),
        lambda: services.certificate_reissue(actor=street_office, certificate=cert, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            step()
    assert AuditEvent.objects.filter(action="denied", username="street_office").count() == 4
    # a field worker of the village lacks the permission: refused and audited too
    with pytest.raises(PermissionDenied):
        services.certificate_reissue(actor=users.field_a, certificate=cert, reason="x")
    assert AuditEvent.objects.filter(action="denied", username="field_a").exists()
    cert.refresh_from_db()
    assert cert.status == S.ISSUED and Certificate.objects.count() == 1


def test_numbering_has_no_gap_after_a_rollback(woman, tree, users):
    cert = services.issue_now(
        actor=None, kind="status", issuer=tree.town, person=woman, data={"purpose": "a"}
    )
    assert cert.sequence == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        services.issue_now(
            actor=None, kind="status", issuer=tree.town, person=woman, data={"purpose": "b"}
        )
        raise RuntimeError("the caller's transaction fails after the issue")
    # an issue refused in its hook (date before the application) takes no number either
    late = services.certificate_apply(
        actor=None, kind="status", issuer=tree.town, person=woman, data={"purpose": "c"}
    )
    services.certificate_review(actor=None, certificate=late)
    with pytest.raises(ValidationError):
        services.certificate_issue(actor=None, certificate=late, issued_on=D(2000, 1, 1))
    services.certificate_issue(actor=None, certificate=late)
    assert late.sequence == 2 and late.number.endswith("-0002")
    assert NumberSeries.objects.get(issuer=tree.town, kind="status").last == 2


def test_one_child_certificate_and_in_force(tree, users):
    wife = factories.person(tree.village_a, name="李梅", sex="F", birth_date=D(1988, 1, 1), seq=21)
    husband = factories.person(
        tree.village_a, name="张伟", sex="M", birth_date=D(1986, 1, 1), seq=22
    )
    couple = couple_create(actor=None, married_on=D(2015, 1, 1), wife=wife, husband=husband)
    with pytest.raises(ValidationError) as exc:  # no child yet
        services.issue_now(
            actor=None, kind="one_child_parents", issuer=tree.village_a, couple=couple
        )
    assert "couple" in exc.value.message_dict
    birth_record(actor=None, mother=wife, date=D(2018, 5, 1), sex="F", register_child=False)
    couple.refresh_from_db()
    cert = services.issue_now(
        actor=users.town_office,
        kind="one_child_parents",
        issuer=tree.village_a,
        couple=couple,
        issued_on=D(TODAY.year, 1, 10),
    )
    assert cert.number == f"{tree.village_a.code}-{TODAY.year}-0001"  # no prefix
    assert cert.holder_name == "张伟、李梅"
    new = services.certificate_reissue(
        actor=users.town_office, certificate=cert, reason="遗失", issued_on=D(TODAY.year, 3, 1)
    )

    def in_force(day):
        rows = Certificate.objects.filter(selectors.certificate_in_force_q(day))
        return set(rows.values_list("number", flat=True))

    assert in_force(D(TODAY.year, 1, 9)) == set()
    assert in_force(D(TODAY.year, 2, 1)) == {cert.number}  # until its reissue
    assert in_force(D(TODAY.year, 3, 1)) == {new.number}
    services.certificate_revoke(actor=users.town_office, certificate=new, reason="错误")
    assert in_force(TODAY - datetime.timedelta(days=1)) == {new.number}
    assert in_force(TODAY) == set()
    # holding none valid, the couple may have one again
    again = services.issue_now(
        actor=users.town_office, kind="one_child_parents", issuer=tree.village_a, couple=couple
    )
    assert again.sequence == 3


def test_completing_a_transfer_issues_the_clearance(tree, users):
    man = factories.person(tree.shaft, name="李强", sex="M", birth_date=D(1970, 3, 3), seq=31)
    people_services.event_record(
        actor=users.office, person=man, kind="retirement", date=D(2025, 3, 3), data={"to": "青石镇"}
    )
    transfer = Transfer.objects.get(person=man)
    transfers.transfer_complete(
        actor=users.office, transfer=transfer, completed_on=D(2025, 3, 10), records_handed="信息卡"
    )
    transfer.refresh_from_db()
    clearance = Certificate.objects.get(transfer=transfer)
    assert transfer.clearance_number == clearance.number == "YJMINE01-01-2025-0001"
    assert (clearance.kind, clearance.status, clearance.issuer, clearance.person) == (
        "transfer_clearance",
        S.ISSUED,
        tree.shaft,
        man,
    )
    assert (clearance.issued_on, clearance.issued_by) == (D(2025, 3, 10), users.office)
    event = AuditEvent.objects.filter(object_type="people.transfer", action="update").last()
    assert event.changes["clearance_number"] == ["", clearance.number]
    # a completion that fails takes no number
    other = factories.person(tree.shaft, name="赵刚", sex="M", birth_date=D(1971, 3, 3), seq=32)
    people_services.event_record(
        actor=users.office, person=other, kind="retirement", date=D(2025, 4, 3), data={"to": "x"}
    )
    second = Transfer.objects.get(person=other)
    with pytest.raises(ValidationError):
        transfers.transfer_complete(
            actor=users.office, transfer=second, completed_on=D(2025, 4, 1), records_handed="卡"
        )
    transfers.transfer_complete(
        actor=users.office, transfer=second, completed_on=D(2025, 4, 10), records_handed="卡"
    )
    second.refresh_from_db()
    assert second.clearance_number == "YJMINE01-01-2025-0002"


def test_pages_show_a_persons_certificate(client, woman, tree, users):
    from django.urls import reverse

    cert = services.issue_now(
        actor=None, kind="status", issuer=tree.town, person=woman, data={"purpose": "入职"}
    )
    services.certificate_reissue(actor=None, certificate=cert, reason="遗失")
    client.force_login(users.town_office)
    client.cookies["django_language"] = "zh-hans"
    listed = client.get(reverse("certificates:list")).content.decode()
    assert cert.number in listed and "王芳" in listed and "计划生育情况证明" in listed
    assert "已换发" in listed  # replaced by its reissue
    response = client.get(reverse("certificates:detail", args=[cert.pk]))
    assert response.status_code == 200 and cert.number in response.content.decode()
