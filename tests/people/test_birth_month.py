"""Issue 13 item 1: readers without ``people.view_full_id`` see the birth year and month.

The mask shows the region only (``core.idnumber.mask``); beside it the birth date is the
year and month (pages ``1990年5月``, API ``birth_date`` null and ``birth_month``
``1990-05``, workbooks ``1990-05``) and ages count from the birth month. Readers allowed
to see full ID numbers (the office, administrators) keep the full date.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.people import privacy
from jisheng.people.models import Person
from jisheng.people.selectors import age_on
from jisheng.people.views_export import pregnancy_rows
from jisheng.reports.exports import drill_rows
from tests import factories

D = dt.date
BORN = D(1990, 5, 17)


@pytest.fixture
def wang(tree):
    return factories.person(tree.village_a, "王芳", "F", BORN, seq=3, phone="13812345678")


def number_of(person: Person) -> str:
    return factories.id_number(person.birth_date, person.sex, 3)


# --------------------------------------------------------------------------- rules


def test_age_by_month_does_not_tell_the_day():
    """Every day of a birth month gives the same age, whatever day it is today."""
    for today in (D(2026, 5, 1), D(2026, 5, 17), D(2026, 5, 31), D(2026, 12, 7)):
        ages = {privacy.age_by_month(D(1990, 5, day), today) for day in range(1, 32)}
        assert len(ages) == 1, today
    # and outside the birth month it is the exact age
    assert privacy.age_by_month(BORN, D(2026, 4, 30)) == age_on(BORN, D(2026, 4, 30)) == 35
    assert privacy.age_by_month(BORN, D(2026, 6, 1)) == age_on(BORN, D(2026, 6, 1)) == 36


def test_shown_birth():
    assert privacy.shown_birth(BORN, full=True) == BORN
    assert privacy.shown_birth(BORN, full=False) == "1990年5月"
    assert privacy.shown_birth(BORN, full=False, fmt="month") == "1990-05"
    assert privacy.birth_month(BORN) == "1990-05"
    assert privacy.month_of_iso("1990-05-17") == "1990-05"


def test_who_sees_the_full_date(users):
    assert privacy.sees_full_birth(users.office)
    assert privacy.sees_full_birth(users.admin)
    for user in (users.field_a, users.leader, users.auditor, None):
        assert not privacy.sees_full_birth(user)


# --------------------------------------------------------------------------- API


def test_api_field_staff_see_the_month(api, wang):
    listed = api("field_a").get("/persons").json()["items"][0]
    detail = api("field_a").get(f"/persons/{wang.pk}").json()
    card = api("field_a").get(f"/persons/{wang.pk}/card").json()["identity"]
    for body in (listed, detail, card):
        assert body["birth_date"] is None
        assert body["birth_month"] == "1990-05"
        assert body["id_masked"] == number_of(wang)[:6] + "*" * 12
        assert body["age"] == privacy.age_by_month(BORN, timezone.localdate())
    assert "1990-05-17" not in str([listed, detail, card])


def test_api_office_sees_the_date(api, wang):
    detail = api("office").get(f"/persons/{wang.pk}").json()
    card = api("office").get(f"/persons/{wang.pk}/card").json()["identity"]
    for body in (detail, card):
        assert body["birth_date"] == "1990-05-17"
        assert body["birth_month"] == "1990-05"
        assert body["age"] == age_on(BORN, timezone.localdate())


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("who", ["field_a", "leader"])
def test_person_page_shows_the_month(client, users, wang, who):
    client.force_login(getattr(users, who))
    for name in ("people:person_detail", "people:person_card_print"):
        html = client.get(reverse(name, args=[wang.pk])).content.decode()
        assert "1990年5月" in html
        assert "1990-05-17" not in html and "1990年5月17日" not in html
        assert number_of(wang)[:6] + "*" * 12 in html
        assert number_of(wang)[6:14] not in html


def test_person_page_shows_the_date_to_the_office(client, users, wang):
    client.force_login(users.office)
    html = client.get(reverse("people:person_detail", args=[wang.pk])).content.decode()
    assert "1990年5月17日" in html or "1990-05-17" in html


def test_pages_of_other_blocks_show_the_month(client, users, wang, tree):
    """The one-line summaries (edit page, event form, services page) follow the rule."""
    client.force_login(users.field_a)
    for url in (
        reverse("people:person_edit", args=[wang.pk]),
        reverse("people:event_create", args=[wang.pk]),
        reverse("services:person", args=[wang.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "1990年5月" in html, url
        assert "1990-05-17" not in html, url


# --------------------------------------------------------------------------- exports


def test_person_export_without_full_id_has_the_month(client, users, wang, tree):
    """An exporter without view_full_id (a custom grant) gets year-month and the age
    from the month; the office gets the date."""
    exporter = factories.user("exporter", tree.county, "leader")
    exporter.user_permissions.add(
        Permission.objects.get(codename="export_person", content_type__app_label="people")
    )
    for user, expected in ((exporter, "1990-05"), (users.office, dt.datetime(1990, 5, 17))):
        client.force_login(user)
        response = client.get(reverse("people:person_export"))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        row = dict(zip(rows[0], rows[1], strict=True))
        assert row["出生日期"] == expected
        assert row["公民身份号码"] == number_of(wang)[:6] + "*" * 12


def test_drill_and_pregnancy_rows_without_full_id(wang):
    rows = list(drill_rows(Person.objects.filter(pk=wang.pk)))
    assert rows[0][2] == "1990-05"
    assert rows[0][4] == number_of(wang)[:6] + "*" * 12
    full = list(drill_rows(Person.objects.filter(pk=wang.pk), full_birth=True))
    assert full[0][2] == BORN
    from jisheng.people.models import Pregnancy

    assert list(pregnancy_rows(Pregnancy.objects.none())) == []


# --------------------------------------------------------------------------- audit log


def test_registration_audit_has_the_month_and_the_new_mask(wang):
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="people.person", object_id=str(wang.pk)
    )
    assert event.changes["birth_date"] == [None, "1990-05"]
    assert event.changes["id_masked"] == [None, number_of(wang)[:6] + "*" * 12]
    assert "1990-05-17" not in str(event.changes)


def test_record_coarsens_copies_at_any_depth(db):
    event = audit.record(
        actor=None,
        action=AuditAction.UPDATE,
        changes={
            "birth_date": ["1990-05-17", D(1991, 6, 1)],
            "id_masked": "110105********002X",
            "data": {"spouse": {"outside_id_masked": "110105********002X"}},
            "date": "2020-01-01",
        },
    )
    assert event.changes == {
        "birth_date": ["1990-05", "1991-06"],
        "id_masked": "110105************",
        "data": {"spouse": {"outside_id_masked": "110105************"}},
        "date": "2020-01-01",
    }


def test_auditor_reads_the_month(client, users, wang):
    client.force_login(users.auditor)
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="people.person", object_id=str(wang.pk)
    )
    html = client.get(reverse("core:audit_detail", args=[event.pk])).content.decode()
    assert "1990-05" in html and "1990-05-17" not in html
    assert number_of(wang)[14:] not in html.replace(number_of(wang)[:6], "")


# --------------------------------------------------------------------------- sorting


def test_sorting_by_age_does_not_order_a_month_for_field_staff(client, users, tree):
    """Two women born in the same month: by age (oldest first) the office sees the one
    born on the 2nd first; field staff see the month's persons by name (艾丽 before 王红),
    so the order does not tell who was born first."""
    late = factories.person(tree.village_a, "艾丽", "F", D(1990, 5, 30), seq=7)
    early = factories.person(tree.village_a, "王红", "F", D(1990, 5, 2), seq=8)

    def first_of(user) -> str:
        client.force_login(user)
        html = client.get(reverse("people:person_list"), {"sort": "-age"}).content.decode()
        return late.name if html.index(late.name) < html.index(early.name) else early.name

    assert first_of(users.office) == early.name
    assert first_of(users.field_a) == late.name
