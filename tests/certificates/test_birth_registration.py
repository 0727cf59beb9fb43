"""生育登记 (issue 16): the page for a couple (masked IDs, Chinese errors, warning on a
wrong child order), the list, and the birth recorded later linked to the registration
(people's service → post_save), audited, shown on the certificate page."""

from __future__ import annotations

import datetime

from django.urls import reverse

from jisheng.certificates.birth_registration import link_birth, registration_issue
from jisheng.certificates.choices import CertificateStatus
from jisheng.certificates.models import Certificate
from jisheng.core import workflow
from jisheng.core.models import AuditEvent
from jisheng.people.family import birth_record
from tests import factories
from tests.certificates.kinds_fixtures import D, couple, today


def register(users, tree, made, order=1, **extra):
    certificate, _warning = registration_issue(
        actor=users.office, couple=made, issuer=tree.town, child_order=order, **extra
    )
    return certificate


def record_birth(made, day=None, **extra):
    return birth_record(
        actor=None, mother=made.wife, date=day or today(), sex="F", register_child=False, **extra
    )


# --- the birth recorded later links to the registration --------------------------------


def test_the_birth_recorded_later_is_linked_and_audited(tree, users):
    made = couple(tree.village_a)
    registration = register(users, tree, made, expected_on=today() + datetime.timedelta(days=90))
    birth = record_birth(made)
    registration.refresh_from_db()
    assert registration.birth == birth
    event = AuditEvent.objects.filter(object_id=str(registration.pk), action="update").latest("id")
    assert event.changes == {"birth": [None, birth.pk]}


def test_the_latest_open_registration_is_linked_once(tree, users):
    made = couple(tree.village_a)
    older = register(users, tree, made, issued_on=today() - datetime.timedelta(days=200))
    newer = register(users, tree, made, order=1)
    first = record_birth(made)
    twin = record_birth(made)  # the same day: a twin, covered by the same registration
    older.refresh_from_db()
    newer.refresh_from_db()
    assert newer.birth == first and older.birth is None
    assert not Certificate.objects.filter(birth=twin).exists()
    assert link_birth(first) is None  # already linked: nothing changes


def test_a_revoked_registration_is_not_linked(tree, users):
    made = couple(tree.village_a)
    registration = register(users, tree, made)
    workflow.transition(
        actor=users.office, obj=registration, to=CertificateStatus.REVOKED, message="登记有误"
    )
    record_birth(made)
    registration.refresh_from_db()
    assert registration.birth is None


def test_an_old_birth_entered_late_is_not_linked(tree, users):
    made = couple(tree.village_a)
    registration = register(users, tree, made)
    record_birth(made, day=D(2018, 4, 1))  # a backlog entry, years before the registration
    registration.refresh_from_db()
    assert registration.birth is None


def test_another_couple_s_birth_is_not_linked(tree, users):
    ours, theirs = couple(tree.village_a, name="甲"), couple(tree.village_a, name="乙")
    registration = register(users, tree, ours)
    record_birth(theirs)
    registration.refresh_from_db()
    assert registration.birth is None


# --- the pages ---------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)
    return client


def test_the_page_shows_the_couple_with_masked_ids(client, tree, users):
    made = couple(tree.village_a, children=(D(2019, 1, 1),))
    response = login(client, users.office).get(
        reverse("certificates:registration_new", args=[made.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert made.wife.id_masked in html and made.husband.id_masked in html
    assert "*" in made.wife.id_masked
    assert "生育登记" in html and "不因孩次拒绝办理" in html
    assert response.context["form"].initial["child_order"] == 2  # one birth recorded


def test_registering_on_the_page_issues_and_warns_on_a_wrong_order(client, tree, users):
    made = couple(tree.village_a, children=(D(2019, 1, 1),))
    url = reverse("certificates:registration_new", args=[made.pk])
    response = login(client, users.office).post(
        url, {"child_order": "3", "issuer": tree.town.code, "documents": "身份证"}, follow=True
    )
    certificate = Certificate.objects.get(kind="birth_registration")
    assert response.redirect_chain[-1][0] == reverse("certificates:detail", args=[certificate.pk])
    html = response.content.decode()
    assert certificate.number in html and "请核实" in html and "不影响本次登记" in html
    assert "尚未登记出生" in html  # the certificate page: no birth yet
    record_birth(made)
    html = client.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    assert 'data-testid="registration-birth"' in html


def test_a_couple_without_marriage_gets_a_chinese_error_and_nothing_written(client, tree, users):
    made = couple(tree.village_a, ended_on=D(2024, 1, 1))
    response = login(client, users.office).post(
        reverse("certificates:registration_new", args=[made.pk]),
        {"child_order": "1", "issuer": tree.town.code},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "请先登记婚姻" in html
    assert not Certificate.objects.exists()


def test_an_impossible_date_on_the_page(client, tree, users):
    made = couple(tree.village_a)
    response = login(client, users.office).post(
        reverse("certificates:registration_new", args=[made.pk]),
        {"child_order": "1", "issuer": tree.town.code, "expected_on": "2026-02-30"},
    )
    assert response.status_code == 200 and not Certificate.objects.exists()
    assert response.context["form"].errors["expected_on"]


def test_another_unit_s_couple_is_not_found_and_audited(client, tree, users):
    made = couple(tree.village_a)
    street_office = factories.user("street_office", tree.street, "office")
    response = login(client, street_office).get(
        reverse("certificates:registration_new", args=[made.pk])
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", user=street_office).exists()


def test_field_staff_may_not_register(client, tree, users):
    made = couple(tree.village_a)
    response = login(client, users.field_a).get(
        reverse("certificates:registration_new", args=[made.pk])
    )
    assert response.status_code == 403


def test_the_list_and_the_couple_page_link(client, tree, users):
    made = couple(tree.village_a)
    certificate = register(users, tree, made)
    login(client, users.office)
    html = client.get(reverse("certificates:registration_list")).content.decode()
    assert certificate.number in html and "尚未登记出生" in html
    assert (
        certificate.number
        not in client.get(
            reverse("certificates:registration_list") + "?linked=yes"
        ).content.decode()
    )
    couple_page = client.get(reverse("people:couple_detail", args=[made.pk])).content.decode()
    assert reverse("certificates:registration_new", args=[made.pk]) in couple_page
