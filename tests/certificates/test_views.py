"""The certificate engine's pages: the register, applying, a certificate's steps, the
kinds and the menu, for the roles that use them (office issues; field staff and leaders
read), bad input included (Chinese messages, nothing half-written)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from jisheng.certificates import services
from jisheng.certificates.choices import CertificateStatus
from jisheng.certificates.models import Certificate
from jisheng.core.models import AuditEvent
from jisheng.core.workflow import history
from jisheng.people.family import birth_record, couple_create
from tests import factories

D = datetime.date


@pytest.fixture
def couple(tree):
    wife = factories.person(
        tree.village_a, name="王秀芳", sex="F", birth_date=D(1990, 3, 1), seq=501
    )
    husband = factories.person(
        tree.village_a, name="张建国", sex="M", birth_date=D(1988, 6, 1), seq=502
    )
    couple = couple_create(actor=None, married_on=D(2015, 5, 1), wife=wife, husband=husband)
    birth_record(actor=None, mother=wife, date=D(2018, 1, 1), sex="M", register_child=False)
    couple.refresh_from_db()
    return couple


@pytest.fixture
def worker(tree):
    return factories.person(tree.village_a, name="李明", sex="M", birth_date=D(1985, 2, 1), seq=503)


def login(client, user):
    client.force_login(user)
    return client


def apply(user, couple, issuer, kind="one_child_parents", **extra):
    return services.certificate_apply(actor=user, kind=kind, issuer=issuer, couple=couple, **extra)


# --------------------------------------------------------------------------- the register


def test_register_lists_filters_and_searches(client, users, tree, couple, worker):
    applied = apply(users.office, couple, tree.town)
    status = services.certificate_apply(
        actor=users.office,
        kind="status",
        issuer=tree.town,
        person=worker,
        data={"purpose": "入学"},
    )
    page = login(client, users.office).get(reverse("certificates:list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-certificate="{applied.pk}"' in text and f'data-certificate="{status.pk}"' in text
    assert "独生子女父母光荣证" in text and "计划生育情况证明" in text
    assert 'class="table table-sm align-middle table-cards"' in text
    # by kind
    text = client.get(reverse("certificates:list"), {"kind": "status"}).content.decode()
    assert f'data-certificate="{status.pk}"' in text
    assert f'data-certificate="{applied.pk}"' not in text
    # by holder name and by pinyin initials
    text = client.get(reverse("certificates:list"), {"q": "王秀"}).content.decode()
    assert f'data-certificate="{applied.pk}"' in text
    assert f'data-certificate="{status.pk}"' not in text
    text = client.get(reverse("certificates:list"), {"q": "lm"}).content.decode()
    assert f'data-certificate="{status.pk}"' in text
    assert f'data-certificate="{applied.pk}"' not in text
    # by status: nothing issued yet; the empty state says what to do
    text = client.get(reverse("certificates:list"), {"status": "issued"}).content.decode()
    assert 'data-testid="empty-state"' in text and "data-certificate=" not in text
    # a bad kind, status or year is ignored, not an error
    response = client.get(reverse("certificates:list"), {"kind": "x", "status": "y", "year": "z"})
    assert response.status_code == 200


def test_register_empty_state_says_what_to_do(client, users):
    text = login(client, users.office).get(reverse("certificates:list")).content.decode()
    assert 'data-testid="empty-state"' in text
    assert reverse("certificates:apply_choose") in text


# --------------------------------------------------------------------------- applying


def test_office_applies_reviews_and_issues(client, users, tree, couple):
    login(client, users.town_office)
    url = reverse("certificates:apply", args=["one_child_parents"])
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-picker="person"' in page.content.decode()
    response = client.post(url, {"person": couple.wife.pk, "issuer": tree.town.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    certificate = Certificate.objects.get()
    assert certificate.couple == couple and certificate.issuer == tree.town
    assert certificate.status == CertificateStatus.APPLIED
    detail = reverse("certificates:detail", args=[certificate.pk])
    assert response["Location"] == detail
    text = client.get(detail).content.decode()
    assert 'data-testid="step-review"' in text and 'data-testid="step-return"' in text
    step = reverse("certificates:step", args=[certificate.pk])
    assert client.post(step, {"action": "review"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVIEWED
    assert client.post(step, {"action": "issue"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED and certificate.number
    text = client.get(detail).content.decode()
    assert certificate.number in text and 'data-testid="verify-link"' in text
    assert f"/verify/{certificate.code}" in text
    assert [d.action for d in history(certificate)] == ["approve", "approve"]


def test_apply_from_the_candidates_page(client, users, tree, couple):
    login(client, users.town_office)
    text = client.get(reverse("certificates:candidates")).content.decode()
    link = reverse("certificates:apply", args=["one_child_parents"]) + f"?couple={couple.pk}"
    assert link in text
    page = client.get(link).content.decode()
    assert 'data-testid="holder-couple"' in page and "王秀芳" in page
    response = client.post(link, {"couple": couple.pk, "issuer": tree.town.pk})
    assert response.status_code == 302
    assert Certificate.objects.get().couple == couple


def test_apply_and_issue_now_for_a_kind_without_review(client, users, tree, worker):
    login(client, users.town_office)
    url = reverse("certificates:apply", args=["migrant_verification"])
    page = client.get(url).content.decode()
    assert 'data-testid="issue-now"' in page
    assert "婚育证明编号" in page and "发证机关" in page  # the kind's fields, in Chinese
    data = {
        "person": worker.pk,
        "issuer": tree.town.pk,
        "f_certificate_number": "HY-001",
        "f_issuing_place": "某县",
        "issue_now": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.ISSUED and certificate.number
    assert certificate.data == {"certificate_number": "HY-001", "issuing_place": "某县"}


def test_apply_bad_input_shows_chinese_errors_beside_fields(client, users, tree, worker):
    login(client, users.town_office)
    url = reverse("certificates:apply", args=["status"])
    response = client.post(url, {"issuer": tree.town.pk, "f_purpose": ""})
    text = response.content.decode()
    assert response.status_code == 400
    assert 'data-error-for="person"' in text and "请从搜索结果中选择人员" in text
    response = client.post(url, {"person": worker.pk, "issuer": tree.town.pk, "f_purpose": ""})
    text = response.content.decode()
    assert response.status_code == 400
    assert 'data-error-for="f_purpose"' in text and "用途" in text
    # an issuing unit not offered
    response = client.post(url, {"person": worker.pk, "issuer": tree.street.pk, "f_purpose": "x"})
    assert response.status_code == 400 and 'data-error-for="issuer"' in response.content.decode()
    assert not Certificate.objects.exists()


def test_apply_unknown_kind_is_404(client, users):
    login(client, users.office)
    assert client.get(reverse("certificates:apply", args=["no_such_kind"])).status_code == 404


def test_issuing_unit_defaults_to_working_unit_or_nearest_issuer(client, users, tree):
    # the town office works at the town: a township issues the status certificate
    login(client, users.town_office)
    text = client.get(reverse("certificates:apply", args=["status"])).content.decode()
    assert f'<option value="{tree.town.pk}" selected>' in text
    # a village does not issue it: none offered below the town for a village worker
    field_office = factories.user("village_office", tree.village_a, "office")
    login(client, field_office)
    text = client.get(reverse("certificates:apply", args=["status"])).content.decode()
    assert 'data-testid="no-issuer"' in text


# --------------------------------------------------------------------------- steps


def test_return_without_message_shows_error_and_changes_nothing(client, users, tree, couple):
    certificate = apply(users.town_office, couple, tree.town)
    login(client, users.town_office)
    step = reverse("certificates:step", args=[certificate.pk])
    response = client.post(step, {"action": "return", "message": "  "})
    text = response.content.decode()
    assert response.status_code == 400
    assert 'data-error-for="return"' in text and "请填写意见" in text
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.APPLIED
    assert not history(certificate).exists()
    # with the message: returned, the message shown in the return box
    response = client.post(step, {"action": "return", "message": "结婚证复印件不清楚"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.RETURNED
    text = client.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    assert "结婚证复印件不清楚" in text and 'data-testid="step-resubmit"' in text


def test_revoke_needs_a_reason(client, users, tree, couple):
    certificate = apply(users.town_office, couple, tree.town)
    services.certificate_issue(
        actor=users.town_office,
        certificate=_reviewed(users.town_office, certificate),
    )
    login(client, users.town_office)
    step = reverse("certificates:step", args=[certificate.pk])
    response = client.post(step, {"action": "revoke"})
    assert response.status_code == 400 and "请填写意见" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    response = client.post(step, {"action": "revoke", "message": "录入错误"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED


def _reviewed(actor, certificate):
    from jisheng.core import workflow

    workflow.transition(actor=actor, obj=certificate, to=CertificateStatus.REVIEWED)
    return certificate


def test_a_step_not_open_is_refused(client, users, tree, couple):
    certificate = apply(users.town_office, couple, tree.town)
    login(client, users.town_office)
    step = reverse("certificates:step", args=[certificate.pk])
    response = client.post(step, {"action": "revoke", "message": "x"})  # not issued
    assert response.status_code == 302
    response = client.post(step, {"action": "nonsense"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.APPLIED


# --------------------------------------------------------------------------- roles


def test_field_staff_and_leader_read_only(client, users, tree, couple):
    certificate = apply(users.town_office, couple, tree.town)
    detail = reverse("certificates:detail", args=[certificate.pk])
    for user in (users.field_a, users.leader):
        login(client, user)
        assert client.get(reverse("certificates:list")).status_code == 200
        assert client.get(reverse("certificates:kinds")).status_code == 200
        text = client.get(detail).content.decode()
        assert "独生子女父母光荣证" in text and 'data-testid="steps"' not in text
        assert client.get(reverse("certificates:apply_choose")).status_code == 403
        response = client.post(
            reverse("certificates:step", args=[certificate.pk]), {"action": "review"}
        )
        assert response.status_code == 302
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.APPLIED


def test_another_units_certificate_is_404_and_audited(client, users, tree, couple):
    certificate = apply(users.town_office, couple, tree.town)
    login(client, users.field_b)
    before = AuditEvent.objects.filter(action="denied").count()
    assert client.get(reverse("certificates:detail", args=[certificate.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied").count() == before + 1
    step = reverse("certificates:step", args=[certificate.pk])
    assert client.post(step, {"action": "review"}).status_code == 404
    text = client.get(reverse("certificates:list")).content.decode()
    assert f'data-certificate="{certificate.pk}"' not in text


# --------------------------------------------------------------------------- kinds, menu


def test_kinds_page_in_chinese(client, users):
    text = login(client, users.office).get(reverse("certificates:kinds")).content.decode()
    for name in ("独生子女父母光荣证", "流动人口婚育证明", "假期审批单", "生育登记服务单"):
        assert name in text
    assert "独生子女父母光荣证申领" in text  # the pack's deadline label
    assert "only_child_certificate" not in text and "A5-landscape" not in text


def test_menu_items(client, users):
    text = login(client, users.office).get(reverse("certificates:list")).content.decode()
    for name in ("certificates:list", "certificates:apply_choose", "certificates:kinds"):
        assert f'href="{reverse(name)}"' in text
    text = login(client, users.field_a).get(reverse("certificates:list")).content.decode()
    assert f'href="{reverse("certificates:apply_choose")}"' not in text
