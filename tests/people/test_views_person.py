"""Person pages: register, the information card (screen and print), the full-ID reveal,
event entry and correction — access (login, permission, scope), happy paths with their
audit events, bad input that writes nothing, and a query-count baseline."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from jisheng.core.models import AuditEvent
from jisheng.orgs.middleware import SESSION_KEY
from jisheng.people import services
from jisheng.people.models import (
    Birth,
    Couple,
    Household,
    HouseholdMember,
    LifeEvent,
    Person,
    PersonPeriod,
    Transfer,
)
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
BIRTH = D(1990, 5, 17)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def client(client):
    """Pages in English, so that messages can be asserted before the catalog has them."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def people(tree):
    """A woman of reproductive age in village A (married), a man in village B."""
    a = factories.person(tree.village_a, "王芳", "F", BIRTH, seq=1)
    services.event_record(actor=None, person=a, kind="marriage", date=D(2021, 6, 1))
    b = factories.person(tree.village_b, "李强", "M", D(1985, 3, 2), seq=2)
    return a, b


def login(client, user):
    client.force_login(user)
    return client


def denied(obj) -> bool:
    return AuditEvent.objects.filter(
        action="denied", object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).exists()


def views_of(person, message_part: str = "") -> int:
    qs = AuditEvent.objects.filter(
        action="view", object_type="people.person", object_id=str(person.pk)
    )
    if message_part:
        qs = qs.filter(message__icontains=message_part)
    return qs.count()


def full_id(person) -> str:
    return factories.id_number(person.birth_date, person.sex, 1 if person.name == "王芳" else 2)


def register_data(unit, **overrides):
    data = {
        "name": "赵敏",
        "sex": "F",
        "birth_date": "1992-08-09",
        "id_status": "valid",
        "id_number": factories.id_number(D(1992, 8, 9), "F", 31),
        "ethnicity": "汉族",
        "hukou_place": "示范县东城镇",
        "hukou_type": "agricultural",
        "unit": unit.code,
        "employer": "",
        "phone": "13800000001",
        "education": "senior",
        "marital_status": "single",
        "status": "registered",
        "registered_on": "2024-03-01",
    }
    data.update(overrides)
    return data


def person_urls(person, event=None):
    event = event or person.events.get(kind="register")
    return {
        "detail": reverse("people:person_detail", args=[person.pk]),
        "card": reverse("people:person_card_print", args=[person.pk]),
        "event": reverse("people:event_create", args=[person.pk]),
        "correct": reverse("people:event_correct", args=[event.pk]),
    }


# --------------------------------------------------------------------------- access


class TestAccess:
    def test_anonymous_goes_to_login(self, client, people):
        a, _b = people
        urls = [reverse("people:person_create"), *person_urls(a).values()]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login"))
        response = client.post(reverse("people:person_reveal_id", args=[a.pk]))
        assert response.status_code == 302
        assert views_of(a) == 0

    def test_without_permission_403(self, client, users, people):
        a, _b = people
        urls = person_urls(a)
        login(client, users.auditor)  # county-wide, but no people permissions
        assert client.get(urls["detail"]).status_code == 403
        assert client.get(urls["card"]).status_code == 403
        assert client.get(reverse("people:person_create")).status_code == 403
        login(client, users.leader)  # may read, may not write
        assert client.get(urls["detail"]).status_code == 200
        assert client.get(reverse("people:person_create")).status_code == 403
        assert client.get(urls["event"]).status_code == 403
        assert (
            client.post(urls["event"], {"kind": "divorce", "date": "2022-01-01"}).status_code == 403
        )
        assert client.get(urls["correct"]).status_code == 403
        assert LifeEvent.objects.filter(person=a).count() == 2

    def test_out_of_scope_is_404_and_audited(self, client, users, people):
        _a, b = people
        login(client, users.field_a)
        for name, url in person_urls(b).items():
            AuditEvent.objects.filter(action="denied")  # (immutable: just count below)
            before = AuditEvent.objects.filter(action="denied").count()
            assert client.get(url).status_code == 404, name
            assert AuditEvent.objects.filter(action="denied").count() == before + 1, name
        assert denied(b)
        response = client.post(reverse("people:person_reveal_id", args=[b.pk]))
        assert response.status_code == 404
        assert views_of(b) == 0

    def test_missing_ids_are_404(self, client, users):
        login(client, users.office)
        assert client.get(reverse("people:person_detail", args=[999999])).status_code == 404
        assert client.get(reverse("people:event_correct", args=[999999])).status_code == 404


# --------------------------------------------------------------------------- register


class TestRegister:
    url = staticmethod(lambda: reverse("people:person_create"))

    def test_form_defaults_to_the_working_unit(self, client, users, tree):
        login(client, users.office)
        session = client.session
        session[SESSION_KEY] = tree.village_b.pk
        session.save()
        response = client.get(self.url())
        assert response.status_code == 200
        form = response.context["form"]
        assert form.initial["unit"] == tree.village_b
        assert f'<option value="{tree.village_b.code}" selected>' in response.text
        # Only units of the user's scope are offered; the employer only work units.
        field_a = login(client, users.field_a).get(self.url()).context["form"]
        codes = [c for c, _label in field_a.fields["unit"].widget.choices if c]
        assert codes == [tree.village_a.code]
        office_form = login(client, users.office).get(self.url()).context["form"]
        employers = [c for c, _label in office_form.fields["employer"].widget.choices if c]
        assert employers == [tree.mine.code, tree.shaft.code]

    def test_register_redirects_to_the_person_and_audits(self, client, users, tree):
        login(client, users.office)
        response = client.post(self.url(), register_data(tree.village_a, employer=tree.shaft.code))
        person = Person.objects.get(name="赵敏")
        assert response.status_code == 302
        assert response["Location"] == reverse("people:person_detail", args=[person.pk])
        assert person.unit == tree.village_a
        assert person.employer == tree.shaft
        assert person.events.get().kind == "register"
        assert person.events.get().date == D(2024, 3, 1)
        assert person.periods.count() == 1
        assert AuditEvent.objects.filter(
            action="create",
            object_type="people.person",
            object_id=str(person.pk),
            user=users.office,
        ).exists()

    def test_register_without_id_with_a_reason(self, client, users, tree):
        login(client, users.field_a)
        data = register_data(tree.village_a, id_status="newborn", id_number="")
        data.update(birth_date="2024-02-01", registered_on="2024-02-10")
        assert client.post(self.url(), data).status_code == 302
        person = Person.objects.get(name="赵敏")
        assert person.id_status == "newborn"
        assert person.id_masked == ""

    @pytest.mark.parametrize(
        ("overrides", "field", "text"),
        [
            ({"birth_date": "1992-02-31"}, "birth_date", "valid date"),
            ({"registered_on": "2024-13-01"}, "registered_on", "valid date"),
            (
                {"id_number": factories.id_number(D(1992, 8, 9), "F", 31)[:17] + "0"},
                "id_number",
                "check character",
            ),
            ({"id_number": "11010519920809"}, "id_number", "18 characters"),
            ({"id_number": ""}, "id_number", "empty"),
            ({"birth_date": "1992-08-10"}, "birth_date", "does not agree"),
            ({"sex": "M"}, "sex", "does not agree"),
            ({"id_status": "foreign"}, "id_number", "Leave the ID number empty"),
            (
                {"birth_date": "2099-01-01", "id_status": "other", "id_number": ""},
                "birth_date",
                "future",
            ),
            ({"name": ""}, "name", "required"),
        ],
    )
    def test_bad_input_is_a_form_error_and_writes_nothing(
        self, client, users, tree, overrides, field, text
    ):
        data = register_data(tree.village_a, **overrides)
        if data["id_number"] and data["id_number"][17:] == "0":
            # make sure the broken checksum really is wrong
            right = factories.id_number(D(1992, 8, 9), "F", 31)
            data["id_number"] = right[:17] + ("1" if right[17] == "0" else "0")
        login(client, users.office)
        response = client.post(self.url(), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors, errors
        assert text.lower() in " ".join(errors[field]).lower()
        assert not Person.objects.exists()
        assert not AuditEvent.objects.filter(action="create", object_type="people.person").exists()

    def test_duplicate_id_number(self, client, users, tree, people):
        a, _b = people
        login(client, users.office)
        data = register_data(
            tree.village_a, birth_date="1990-05-17", id_number=full_id(a), name="王芳二"
        )
        response = client.post(self.url(), data)
        assert "already registered" in " ".join(response.context["form"].errors["id_number"])
        assert Person.objects.count() == 2

    def test_unit_outside_the_scope_is_refused_and_audited(self, client, users, tree):
        login(client, users.field_a)
        response = client.post(self.url(), register_data(tree.village_b))
        assert response.status_code == 200
        assert "unit" in response.context["form"].errors
        assert denied(tree.village_b)
        assert not Person.objects.exists()

    def test_employer_must_be_a_work_unit(self, client, users, tree):
        login(client, users.office)
        response = client.post(self.url(), register_data(tree.village_a, employer=tree.town.code))
        assert "not a work unit" in " ".join(response.context["form"].errors["employer"])
        assert not Person.objects.exists()


# --------------------------------------------------------------------------- the card


class TestPersonPage:
    def test_card_shows_identity_state_history_family(self, client, users, tree, people):
        a, b = people
        services.event_record(
            actor=None, person=a, kind="move_in", date=D(2022, 3, 1), data={"unit": tree.village_b}
        )
        move = a.events.get(kind="move_in")
        services.event_correct(actor=None, event=move, reason="录入错误 wrong village")
        Couple.objects.create(unit=tree.village_a, wife=a, husband=b, married_on=D(2021, 6, 1))
        Birth.objects.create(
            unit=tree.village_a,
            mother=a,
            father=b,
            child_name="王小宝",
            date=D(2022, 9, 1),
            sex="M",
            computed_order=1,
        )
        login(client, users.field_a)
        response = client.get(reverse("people:person_detail", args=[a.pk]))
        assert response.status_code == 200
        html = response.text
        assert a.id_masked in html
        assert full_id(a) not in html
        assert "Show full ID" not in html  # field staff may not see full numbers
        assert 'data-testid="wra-badge"' in html
        assert "First marriage" in html
        assert "2021年6月1日" in html  # period boundary
        assert len(response.context["periods"]) == 2
        # the corrected move-in stays, struck through, with the reason
        assert '<del class="fw-semibold">Moved / transferred in</del>' in html
        assert "录入错误 wrong village" in html
        assert 'data-corrected="1"' in html
        assert "李强" in html and "王小宝" in html
        assert "within policy" in html
        assert 'data-testid="methods-card"' in html
        assert views_of(a) == 0  # the masked card is not a full-record view

    def test_office_sees_the_reveal_button(self, client, users, people):
        a, _b = people
        login(client, users.office)
        html = client.get(reverse("people:person_detail", args=[a.pk])).text
        assert 'data-testid="reveal-id"' in html
        assert full_id(a) not in html

    def test_family_pages_are_linked_from_the_card(self, client, users, tree, people):
        a, b = people
        household = Household.objects.create(unit=tree.village_a, number="A-007", head=b)
        HouseholdMember.objects.create(household=household, person=a, relation="spouse")
        login(client, users.office)
        html = client.get(reverse("people:person_detail", args=[a.pk])).text
        assert reverse("people:household_detail", args=[household.pk]) in html
        assert f"{reverse('people:couple_create')}?wife={a.pk}" in html
        assert reverse("people:birth_create", args=[a.pk]) in html
        assert reverse("people:pregnancy_create", args=[a.pk]) in html
        login(client, users.leader)  # reads only: no entry links
        html = client.get(reverse("people:person_detail", args=[a.pk])).text
        assert reverse("people:household_detail", args=[household.pk]) in html
        assert reverse("people:birth_create", args=[a.pk]) not in html
        assert reverse("people:event_create", args=[a.pk]) not in html
        assert 'data-testid="correct-event"' not in html

    def test_open_transfer_is_shown(self, client, users, people):
        a, _b = people
        services.event_record(
            actor=None, person=a, kind="leave_employment", date=D(2023, 1, 1), data={"to": "外县"}
        )
        login(client, users.office)
        html = client.get(reverse("people:person_detail", args=[a.pk])).text
        assert 'data-testid="open-transfer"' in html
        transfer = Transfer.objects.get(person=a)
        assert reverse("people:transfer_complete", args=[transfer.pk]) in html

    def test_query_count_does_not_grow_with_history(
        self, client, users, tree, people, django_assert_max_num_queries
    ):
        a, b = people
        for year in range(2022, 2026):
            services.event_record(actor=None, person=a, kind="divorce", date=D(year, 1, 1))
            services.event_record(actor=None, person=a, kind="marriage", date=D(year, 2, 1))
            services.event_record(
                actor=None,
                person=a,
                kind="internal_transfer",
                date=D(year, 3, 1),
                data={"unit": tree.village_b if year % 2 else tree.village_a},
            )
            Birth.objects.create(
                unit=tree.village_a, mother=a, date=D(year, 6, 1), sex="F", computed_order=1
            )
        Couple.objects.create(unit=tree.village_a, wife=a, husband=b, married_on=D(2021, 6, 1))
        Couple.objects.create(
            unit=tree.village_a, wife=a, outside_name="张三", married_on=D(2025, 2, 1)
        )
        household = Household.objects.create(unit=tree.village_a, number="A-001", head=b)
        HouseholdMember.objects.create(household=household, person=b, relation="head")
        HouseholdMember.objects.create(household=household, person=a, relation="spouse")
        for i in range(5):
            child = factories.person(tree.village_a, f"孩子{i}", "M", D(2015 + i, 1, 1), seq=10 + i)
            HouseholdMember.objects.create(household=household, person=child, relation="child")
        login(client, users.office)
        with django_assert_max_num_queries(20):
            response = client.get(reverse("people:person_detail", args=[a.pk]))
        assert len(response.context["events"]) == 14
        assert len(response.context["births"]) == 4
        assert response.text.count("孩子") == 5


# --------------------------------------------------------------------------- full ID


class TestRevealId:
    def test_reveal_shows_the_number_and_logs_each_look(self, client, users, people):
        a, _b = people
        url = reverse("people:person_reveal_id", args=[a.pk])
        login(client, users.office)
        response = client.post(url)
        assert response.status_code == 200
        assert full_id(a) in response.text
        assert views_of(a, "full ID") == 1
        response = client.post(url, HTTP_HX_REQUEST="true")
        assert full_id(a) in response.text
        assert "<html" not in response.text  # the htmx partial only
        assert views_of(a, "full ID") == 2
        event = AuditEvent.objects.filter(action="view", object_id=str(a.pk)).first()
        assert event.user == users.office
        assert full_id(a) not in str(event.changes) + event.message

    def test_refused_without_the_permission(self, client, users, people):
        a, _b = people
        login(client, users.field_a)
        response = client.post(reverse("people:person_reveal_id", args=[a.pk]))
        assert response.status_code == 403
        assert full_id(a) not in response.text
        assert views_of(a) == 0

    def test_get_is_not_allowed(self, client, users, people):
        a, _b = people
        login(client, users.office)
        assert client.get(reverse("people:person_reveal_id", args=[a.pk])).status_code == 405
        assert views_of(a) == 0


# --------------------------------------------------------------------------- printed card


class TestPrintedCard:
    def test_masked_for_field_staff_and_audited(self, client, users, people):
        a, _b = people
        login(client, users.field_a)
        response = client.get(reverse("people:person_card_print", args=[a.pk]))
        assert response.status_code == 200
        html = response.text
        assert full_id(a) not in html
        assert a.id_masked in html
        assert "Information card of a woman of reproductive age" in html
        # issue 13: without view_full_id the birth date is the year and month only
        assert "1990年5月" in html and "1990年5月17日" not in html and "1990-05-17" not in html
        assert "size: A5" in html
        assert '"Noto Serif CJK SC", "Source Han Serif SC", "SimSun"' in html
        assert views_of(a, "Printed the information card") == 1
        assert views_of(a, "full ID") == 0

    def test_full_id_for_the_office_audited(self, client, users, people):
        a, _b = people
        login(client, users.office)
        response = client.get(reverse("people:person_card_print", args=[a.pk]), {"paper": "A4"})
        assert full_id(a) in response.text
        assert "1990年5月17日" in response.text
        assert "size: A4" in response.text
        assert views_of(a, "Printed the information card") == 1
        assert views_of(a, "full ID") == 1

    def test_title_for_others(self, client, users, people, tree):
        _a, b = people
        old = factories.person(tree.village_a, "老太", "F", D(1950, 1, 1), seq=3)
        login(client, users.office)
        for person in (b, old):
            html = client.get(reverse("people:person_card_print", args=[person.pk])).text
            assert "Personal information card" in html
            assert "woman of reproductive age" not in html


# --------------------------------------------------------------------------- events


class TestEventEntry:
    def post(self, client, person, **data):
        return client.post(reverse("people:event_create", args=[person.pk]), data)

    def test_form_offers_every_kind_but_registration_and_correction(self, client, users, people):
        a, _b = people
        login(client, users.field_a)
        response = client.get(reverse("people:event_create", args=[a.pk]))
        kinds = [k for k, _label in response.context["form"].fields["kind"].choices if k]
        for kind in (
            "marriage",
            "birth",
            "contraception",
            "death",
            "move_out",
            "move_in",
            "flow_out",
            "flow_in",
            "divorce",
            "internal_transfer",
            "retirement",
            "early_retirement",
            "leave_employment",
            "return",
        ):
            assert kind in kinds
        assert "register" not in kinds and "correction" not in kinds
        assert 'data-event-kinds="move_in flow_in internal_transfer"' in response.text

    def test_divorce_records_an_event_and_audits(self, client, users, people):
        a, _b = people
        login(client, users.field_a)
        response = self.post(client, a, kind="divorce", date="2023-05-01", note="协议离婚")
        assert response.status_code == 302
        a.refresh_from_db()
        assert a.marital_status == "divorced"
        event = a.events.get(kind="divorce")
        assert event.recorded_by == users.field_a
        assert AuditEvent.objects.filter(
            action="create", object_type="people.lifeevent", object_id=str(event.pk)
        ).exists()

    def test_internal_transfer_to_a_unit_in_scope(self, client, users, people, tree):
        a, _b = people
        login(client, users.office)
        response = self.post(
            client, a, kind="internal_transfer", date="2023-05-01", unit=tree.village_b.code
        )
        assert response.status_code == 302
        a.refresh_from_db()
        assert a.unit == tree.village_b
        assert PersonPeriod.objects.filter(person=a).count() == 3

    def test_retirement_opens_a_transfer(self, client, users, people):
        a, _b = people
        login(client, users.office)
        response = self.post(client, a, kind="retirement", date="2024-05-01", to="县社保局")
        assert response.status_code == 302
        transfer = Transfer.objects.get(person=a)
        assert transfer.status == "open"
        assert transfer.receiving_name == "县社保局"
        page = client.get(response["Location"])
        assert "management transfer was opened" in page.text

    def test_details_of_other_kinds_are_ignored(self, client, users, people):
        a, _b = people
        login(client, users.field_a)
        response = self.post(
            client, a, kind="death", date="2024-01-02", place="县医院", unit="NO-SUCH", to="x"
        )
        assert response.status_code == 302
        assert a.events.get(kind="death").data == {"place": "县医院"}

    @pytest.mark.parametrize(
        ("data", "field", "text"),
        [
            (
                {"kind": "marriage", "date": "2023-01-01", "outside_name": "外配偶"},
                "date",
                "already married",
            ),
            ({"kind": "marriage", "date": "2023-01-01"}, "spouse", "Choose the spouse"),
            ({"kind": "return", "date": "2023-01-01"}, "date", "not away"),
            ({"kind": "divorce", "date": "2019-01-01"}, "date", "before the person's registration"),
            ({"kind": "divorce", "date": "2023-02-31"}, "date", "valid date"),
            ({"kind": "divorce", "date": "2099-01-01"}, "date", "future"),
            ({"kind": "flow_in", "date": "2023-01-01"}, "unit", "Choose the unit"),
            ({"kind": "", "date": "2023-01-01"}, "kind", "required"),
            ({"kind": "register", "date": "2023-01-01"}, "kind", "valid choice"),
        ],
    )
    def test_bad_input_is_a_form_error_and_writes_nothing(
        self, client, users, people, data, field, text
    ):
        a, _b = people
        login(client, users.field_a)
        before = (LifeEvent.objects.count(), AuditEvent.objects.filter(action="create").count())
        response = self.post(client, a, **data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors, errors
        assert text.lower() in " ".join(errors[field]).lower()
        after = (LifeEvent.objects.count(), AuditEvent.objects.filter(action="create").count())
        assert after == before
        a.refresh_from_db()
        assert a.marital_status == "first_marriage"

    def test_divorce_when_not_married(self, client, users, people):
        _a, b = people
        login(client, users.office)
        response = self.post(client, b, kind="divorce", date="2023-01-01")
        assert "not married" in " ".join(response.context["form"].errors["date"])
        assert not b.events.filter(kind="divorce").exists()

    def test_after_death(self, client, users, people):
        a, _b = people
        services.event_record(actor=None, person=a, kind="death", date=D(2023, 1, 1))
        login(client, users.office)
        response = self.post(client, a, kind="divorce", date="2023-06-01")
        assert "deceased" in " ".join(response.context["form"].errors["date"])

    def test_unit_outside_the_scope_is_refused_and_audited(self, client, users, people, tree):
        a, _b = people
        login(client, users.field_a)
        response = self.post(
            client, a, kind="internal_transfer", date="2023-05-01", unit=tree.village_b.code
        )
        assert response.status_code == 200
        assert "unit" in response.context["form"].errors
        assert denied(tree.village_b)
        assert not a.events.filter(kind="internal_transfer").exists()


# --------------------------------------------------------------------------- correction


class TestCorrection:
    def test_correction_reverses_and_keeps_the_original(self, client, users, people):
        a, _b = people
        marriage = a.events.get(kind="marriage")
        url = reverse("people:event_correct", args=[marriage.pk])
        login(client, users.field_a)
        assert client.get(url).status_code == 200
        response = client.post(url, {"reason": "婚姻登记日期有误"})
        assert response.status_code == 302
        a.refresh_from_db()
        assert a.marital_status == "single"
        assert LifeEvent.objects.filter(pk=marriage.pk).exists()
        correction = LifeEvent.objects.get(reverses=marriage)
        assert correction.note == "婚姻登记日期有误"
        assert AuditEvent.objects.filter(
            action="create", object_type="people.lifeevent", object_id=str(correction.pk)
        ).exists()
        html = client.get(response["Location"]).text
        assert '<del class="fw-semibold">Marriage</del>' in html
        assert "婚姻登记日期有误" in html
        # a second correction of the same event is not offered, and refused
        page = client.get(url)
        assert 'data-testid="correct-form"' not in page.text
        assert client.post(url, {"reason": "again"}).status_code == 200
        assert LifeEvent.objects.filter(kind="correction").count() == 1

    def test_empty_reason_is_a_form_error(self, client, users, people):
        a, _b = people
        marriage = a.events.get(kind="marriage")
        login(client, users.field_a)
        response = client.post(
            reverse("people:event_correct", args=[marriage.pk]), {"reason": "   "}
        )
        assert response.status_code == 200
        assert "reason" in response.context["form"].errors
        assert not LifeEvent.objects.filter(kind="correction").exists()
        a.refresh_from_db()
        assert a.marital_status == "first_marriage"

    def test_registration_cannot_be_corrected(self, client, users, people):
        a, _b = people
        url = reverse("people:event_correct", args=[a.events.get(kind="register").pk])
        login(client, users.office)
        assert 'data-testid="correct-form"' not in client.get(url).text
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert not LifeEvent.objects.filter(kind="correction").exists()

    def test_correction_that_breaks_later_history_is_refused(self, client, users, people):
        a, _b = people
        services.event_record(actor=None, person=a, kind="divorce", date=D(2023, 1, 1))
        marriage = a.events.get(kind="marriage")
        login(client, users.office)
        response = client.post(
            reverse("people:event_correct", args=[marriage.pk]), {"reason": "wrong"}
        )
        assert response.status_code == 200
        assert "later history" in " ".join(response.context["form"].non_field_errors())
        assert not LifeEvent.objects.filter(kind="correction").exists()
