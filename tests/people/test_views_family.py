"""Family pages: login, permission and data scope on every page (by guessed ids too),
happy paths with their audit events, bad input shown on the form, the person picker,
the birth-order preview, and a query-count baseline for the household page."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from jisheng.core.models import AuditEvent
from jisheng.people import family
from jisheng.people.models import Birth, Couple, Household, HouseholdMember, Pregnancy
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = timezone.localdate()


@pytest.fixture
def client(client):
    """Pages in English, so that messages can be asserted before the catalog exists."""
    client.cookies["django_language"] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client


def denied():
    return AuditEvent.objects.filter(action="denied")


def _village(unit, tag, seq):
    """A family in ``unit``: wife, husband, a household, their couple, a birth, a
    pregnancy (registered after the birth), and a woman married to an outside spouse."""
    wife = factories.person(
        unit, name=f"{tag}芳", birth_date=D(1988, 1, 1), seq=seq, registered_on=D(2005, 1, 1)
    )
    husband = factories.person(
        unit,
        name=f"{tag}强",
        sex="M",
        birth_date=D(1986, 1, 1),
        seq=seq + 1,
        registered_on=D(2005, 1, 1),
    )
    lone = factories.person(
        unit, name=f"{tag}丽", birth_date=D(1990, 1, 1), seq=seq + 2, registered_on=D(2005, 1, 1)
    )
    household = family.household_create(actor=None, unit=unit, number=f"{tag}-1", head=husband)
    member = family.household_add_member(
        actor=None, household=household, person=wife, relation="spouse"
    )
    couple = family.couple_create(actor=None, married_on=D(2010, 1, 1), wife=wife, husband=husband)
    outside_couple = family.couple_create(
        actor=None,
        married_on=D(2012, 1, 1),
        wife=lone,
        outside={
            "name": f"{tag}外",
            "id_number": factories.id_number(D(1985, 5, 5), "M", seq + 3),
            "work_unit": "外地工厂",
        },
    )
    birth = family.birth_record(
        actor=None, mother=wife, date=D(2012, 5, 1), sex="F", child_name=f"{tag}小"
    )
    pregnancy = family.pregnancy_register(
        actor=None, woman=wife, registered_on=TODAY - dt.timedelta(days=30)
    )
    return SimpleNamespace(
        wife=wife,
        husband=husband,
        lone=lone,
        household=household,
        member=member,
        couple=couple,
        outside_couple=outside_couple,
        birth=birth,
        pregnancy=pregnancy,
    )


@pytest.fixture
def fam(tree):
    return SimpleNamespace(
        a=_village(tree.village_a, "甲", 10), b=_village(tree.village_b, "乙", 30)
    )


# (url name, how to get its argument from a village's family, methods, permission)
PK_PAGES = [
    ("people:household_detail", "household", "GET"),
    ("people:household_member_add", "household", "GET"),
    ("people:household_set_head", "household", "GET"),
    ("people:household_member_remove", "member", "GET"),
    ("people:couple_detail", "couple", "GET"),
    ("people:couple_end", "couple", "GET"),
    ("people:couple_reveal_id", "outside_couple", "POST"),
    ("people:birth_create", "wife", "GET"),
    ("people:birth_order_preview", "wife", "GET"),
    ("people:birth_detail", "birth", "GET"),
    ("people:birth_override", "birth", "GET"),
    ("people:pregnancy_create", "wife", "GET"),
    ("people:pregnancy_close", "pregnancy", "GET"),
]
LIST_PAGES = [
    "people:household_list",
    "people:household_create",
    "people:couple_create",
    "people:birth_list",
    "people:pregnancy_list",
    "people:family_person_pick",
]
WRITE_PAGES = [
    "people:household_member_add",
    "people:household_set_head",
    "people:household_member_remove",
    "people:couple_end",
    "people:birth_create",
    "people:birth_override",
    "people:pregnancy_create",
    "people:pregnancy_close",
]


def url_for(name, village, attr):
    return reverse(name, args=[getattr(village, attr).pk])


def fetch(client, method, url, data=None):
    return client.post(url, data or {}) if method == "POST" else client.get(url, data or {})


class TestAccess:
    @pytest.mark.parametrize(("name", "attr", "method"), PK_PAGES)
    def test_anonymous_goes_to_login(self, client, fam, name, attr, method):
        response = fetch(client, method, url_for(name, fam.a, attr))
        assert response.status_code == 302 and "/login/" in response["Location"]

    @pytest.mark.parametrize("name", LIST_PAGES)
    def test_anonymous_lists_go_to_login(self, client, tree, name):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_anonymous_post_writes_nothing(self, client, fam):
        client.post(reverse("people:household_create"), {"unit": "990100001001", "number": "x"})
        client.post(reverse("people:birth_create", args=[fam.a.wife.pk]), {"date": "2020-01-01"})
        assert Household.objects.count() == 2 and Birth.objects.count() == 2

    @pytest.mark.parametrize(("name", "attr", "method"), PK_PAGES)
    def test_other_village_is_404_and_audited(self, client, users, fam, name, attr, method):
        login(client, users.field_a)
        response = fetch(client, method, url_for(name, fam.b, attr))
        assert response.status_code == 404
        assert denied().count() == 1

    @pytest.mark.parametrize(("name", "attr", "method"), PK_PAGES)
    def test_own_village_is_allowed(self, client, users, fam, name, attr, method):
        user = users.office if name == "people:couple_reveal_id" else users.field_a
        login(client, user)
        assert fetch(client, method, url_for(name, fam.a, attr)).status_code == 200
        assert not denied().exists()

    @pytest.mark.parametrize("name", WRITE_PAGES)
    def test_post_out_of_scope_writes_nothing(self, client, users, fam, name):
        attr = next(a for n, a, _m in PK_PAGES if n == name)
        login(client, users.field_a)
        before = AuditEvent.objects.exclude(action="denied").count()
        response = client.post(
            url_for(name, fam.b, attr),
            {
                "date": "2015-01-01",
                "sex": "M",
                "child_name": "x",
                "register_child": "on",
                "left_on": "2020-01-01",
                "ended_on": "2020-01-01",
                "reason": "divorce",
                "registered_on": "2020-01-01",
                "outcome": "abortion",
                "outcome_on": str(TODAY),
                "order_override": "1",
                "override_reason": "x",
                "person": str(fam.b.lone.pk),
                "relation": "child",
            },
        )
        assert response.status_code == 404
        assert AuditEvent.objects.exclude(action="denied").count() == before
        assert (
            Birth.objects.count() == 2
            and HouseholdMember.objects.filter(left_on__isnull=False).count() == 0
        )

    def test_unknown_id_is_404_without_denied_event(self, client, users, fam):
        login(client, users.field_a)
        assert client.get(reverse("people:household_detail", args=[99999])).status_code == 404
        assert client.get(reverse("people:birth_detail", args=[99999])).status_code == 404
        assert not denied().exists()

    @pytest.mark.parametrize("name", WRITE_PAGES)
    def test_read_only_role_is_forbidden(self, client, users, fam, name):
        attr = next(a for n, a, _m in PK_PAGES if n == name)
        login(client, users.leader)  # 领导: views, never edits
        assert client.get(url_for(name, fam.a, attr)).status_code == 403
        assert client.post(url_for(name, fam.a, attr), {}).status_code == 403

    @pytest.mark.parametrize("name", ["people:household_create", "people:couple_create"])
    def test_read_only_role_cannot_create(self, client, users, fam, name):
        login(client, users.leader)
        assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse(name), {"number": "x"}).status_code == 403
        assert Household.objects.count() == 2 and Couple.objects.count() == 4

    @pytest.mark.parametrize(
        "name",
        [
            "people:household_list",
            "people:birth_list",
            "people:pregnancy_list",
            "people:family_person_pick",
        ],
    )
    def test_user_without_people_permissions(self, client, users, fam, name):
        login(client, users.auditor)
        assert client.get(reverse(name)).status_code == 403

    def test_view_pages_for_the_leader(self, client, users, fam):
        login(client, users.leader)
        for url in (
            reverse("people:household_detail", args=[fam.a.household.pk]),
            reverse("people:couple_detail", args=[fam.a.couple.pk]),
            reverse("people:birth_detail", args=[fam.a.birth.pk]),
            reverse("people:household_list"),
        ):
            response = client.get(url)
            assert response.status_code == 200
            assert 'data-testid="member-remove"' not in response.text
            assert 'data-testid="birth-override"' not in response.text
            assert 'data-testid="couple-end"' not in response.text


class TestHouseholdPages:
    def test_list_search_in_scope(self, client, users, fam):
        login(client, users.field_a)
        response = client.get(reverse("people:household_list"))
        assert "甲-1" in response.text and "乙-1" not in response.text
        response = client.get(reverse("people:household_list"), {"q": "jq"})  # 甲强
        assert "甲-1" in response.text
        response = client.get(reverse("people:household_list"), {"q": "乙强"})
        assert "甲-1" not in response.text

    def test_create(self, client, users, tree, fam):
        login(client, users.field_a)
        response = client.get(reverse("people:household_create"))
        assert response.status_code == 200 and "990100001001" in response.text
        response = client.post(
            reverse("people:household_create"),
            {
                "unit": "990100001001",
                "number": "甲-2",
                "address": "甲村2号",
                "head": str(fam.a.lone.pk),
                "joined_on": "2020-01-01",
            },
        )
        household = Household.objects.get(number="甲-2")
        assert response.status_code == 302
        assert response["Location"] == reverse("people:household_detail", args=[household.pk])
        assert household.head == fam.a.lone
        assert AuditEvent.objects.filter(
            object_type="people.household", object_id=str(household.pk), username="field_a"
        ).exists()

    def test_create_bad_input(self, client, users, fam):
        login(client, users.field_a)
        response = client.post(
            reverse("people:household_create"), {"unit": "990100001001", "number": "甲-1"}
        )
        assert response.status_code == 200
        assert "already has a household" in response.text
        response = client.post(
            reverse("people:household_create"), {"unit": "990100001002", "number": "x"}
        )  # village B: not in the user's scope
        assert "no unit with the code" in response.text
        response = client.post(
            reverse("people:household_create"),
            {"unit": "990100001001", "number": "甲-3", "head": str(fam.b.lone.pk)},
        )  # a head from village B: picked by a guessed id
        assert "Choose a person from the search results" in response.text
        assert denied().count() >= 2
        assert Household.objects.count() == 2

    def test_detail_shows_members(self, client, users, fam):
        login(client, users.field_a)
        response = client.get(reverse("people:household_detail", args=[fam.a.household.pk]))
        assert response.status_code == 200
        assert response.text.count('data-testid="member"') == 2
        assert "甲强" in response.text and "甲芳" in response.text
        assert 'name="viewport"' in response.text  # the responsive layout

    def test_detail_query_count(self, client, users, fam, tree, django_assert_max_num_queries):
        for i in range(6):
            person = factories.person(tree.village_a, name=f"甲员{i}", seq=60 + i)
            family.household_add_member(
                actor=None, household=fam.a.household, person=person, relation="child"
            )
        login(client, users.field_a)
        with django_assert_max_num_queries(20):
            response = client.get(reverse("people:household_detail", args=[fam.a.household.pk]))
        assert response.text.count('data-testid="member"') == 8

    def test_add_remove_and_head(self, client, users, fam):
        login(client, users.field_a)
        household = fam.a.household
        response = client.post(
            reverse("people:household_member_add", args=[household.pk]),
            {"person": str(fam.a.lone.pk), "relation": "other", "joined_on": "2021-01-01"},
        )
        assert response.status_code == 302
        member = HouseholdMember.objects.get(person=fam.a.lone)
        response = client.post(
            reverse("people:household_set_head", args=[household.pk]),
            {"person": str(fam.a.wife.pk), "former_head_relation": "spouse"},
        )
        assert response.status_code == 302
        household.refresh_from_db()
        assert household.head == fam.a.wife
        response = client.post(
            reverse("people:household_member_remove", args=[member.pk]), {"left_on": "2022-01-01"}
        )
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.left_on == D(2022, 1, 1)
        response = client.get(reverse("people:household_detail", args=[household.pk]))
        assert "Show 1 former member" in response.text
        response = client.get(reverse("people:household_detail", args=[household.pk]), {"past": 1})
        assert response.text.count('data-testid="member"') == 3

    def test_add_member_bad_input(self, client, users, fam):
        login(client, users.field_a)
        response = client.post(
            reverse("people:household_member_add", args=[fam.a.household.pk]),
            {"person": str(fam.a.wife.pk), "relation": "child"},
        )
        assert response.status_code == 200
        assert "must leave it first" in response.text
        response = client.post(
            reverse("people:household_member_add", args=[fam.a.household.pk]),
            {"person": "", "relation": "child"},
        )
        assert response.status_code == 200 and 'data-error-for="person"' in response.text

    def test_remove_bad_date(self, client, users, fam):
        login(client, users.field_a)
        tomorrow = TODAY + dt.timedelta(days=1)
        response = client.post(
            reverse("people:household_member_remove", args=[fam.a.member.pk]),
            {"left_on": str(tomorrow)},
        )
        assert response.status_code == 200 and "future" in response.text
        fam.a.member.refresh_from_db()
        assert fam.a.member.left_on is None


class TestPicker:
    def test_results_in_scope_only(self, client, users, fam):
        login(client, users.field_a)
        url = reverse("people:family_person_pick")
        response = client.get(url, {"field": "wife", "wife_q": "芳", "sex": "F"})
        assert "甲芳" in response.text and "乙芳" not in response.text
        assert 'name="wife"' in response.text
        response = client.get(url, {"field": "wife", "wife_q": "jq", "sex": "F"})
        assert "甲强" not in response.text  # a man, not offered as the wife
        response = client.get(url, {"field": "husband", "husband_q": "jq", "sex": "M"})
        assert "甲强" in response.text
        response = client.get(url, {"field": "x", "x_q": "nobody-at-all"})
        assert "Nobody found" in response.text

    def test_bad_field_name_is_neutralised(self, client, users, fam):
        login(client, users.field_a)
        response = client.get(
            reverse("people:family_person_pick"), {"field": '"><script>', "q": "芳"}
        )
        assert "<script>" not in response.text and 'name="person"' in response.text


class TestCouplePages:
    def test_create_two_registered(self, client, users, tree):
        wife = factories.person(tree.village_a, name="新娘", seq=80)
        husband = factories.person(tree.village_a, name="新郎", sex="M", seq=81)
        login(client, users.field_a)
        response = client.get(reverse("people:couple_create"), {"wife": wife.pk})
        assert response.status_code == 200 and "新娘" in response.text  # pre-selected
        response = client.post(
            reverse("people:couple_create"),
            {
                "married_on": "2021-05-01",
                "wife": str(wife.pk),
                "husband": str(husband.pk),
                "record_events": "on",
            },
        )
        couple = Couple.objects.get(wife=wife)
        assert response.status_code == 302
        assert response["Location"] == reverse("people:couple_detail", args=[couple.pk])
        wife.refresh_from_db()
        assert wife.marital_status == "first_marriage"

    def test_create_with_outside_spouse(self, client, users, tree):
        wife = factories.person(tree.village_a, name="新娘", seq=80)
        number = factories.id_number(D(1980, 2, 2), "M", 82)
        login(client, users.field_a)
        response = client.post(
            reverse("people:couple_create"),
            {
                "married_on": "2021-05-01",
                "wife": str(wife.pk),
                "outside_name": "外郎",
                "outside_id_number": number,
                "outside_township": "某镇",
                "record_events": "on",
            },
        )
        assert response.status_code == 302
        couple = Couple.objects.get(wife=wife)
        assert couple.outside_name == "外郎" and couple.outside_township == "某镇"
        response = client.get(response["Location"])
        assert number not in response.text and couple.outside_id_masked in response.text

    @pytest.mark.parametrize(
        ("data", "text"),
        [
            ({"wife": "husband"}, "cannot be the wife"),
            ({"outside_id_number": "bad"}, "18 characters"),
            ({"outside_id_number": "female-id"}, "17th digit says female"),
            ({"married_on": ""}, "This field is required"),
        ],
    )
    def test_create_bad_input(self, client, users, tree, data, text):
        wife = factories.person(tree.village_a, name="新娘", seq=80)
        man = factories.person(tree.village_a, name="新郎", sex="M", seq=81)
        post = {"married_on": "2021-05-01", "wife": str(wife.pk), "outside_name": "外郎"}
        if data.get("wife") == "husband":
            post["wife"] = str(man.pk)
        elif data.get("outside_id_number") == "female-id":
            post["outside_id_number"] = factories.id_number(D(1980, 2, 2), "F", 83)
        else:
            post.update(data)
        login(client, users.field_a)
        response = client.post(reverse("people:couple_create"), post)
        assert response.status_code == 200
        assert text in response.text
        assert Couple.objects.count() == 0

    def test_reveal_outside_id(self, client, users, fam):
        couple = fam.a.outside_couple
        url = reverse("people:couple_detail", args=[couple.pk])
        login(client, users.field_a)
        response = client.get(url)
        assert couple.outside_id_masked in response.text
        assert 'data-testid="reveal-id"' not in response.text  # not allowed to
        reveal = reverse("people:couple_reveal_id", args=[couple.pk])
        assert client.post(reveal).status_code == 403
        login(client, users.office)
        response = client.post(reveal)
        number = factories.id_number(D(1985, 5, 5), "M", 13)
        assert number in response.text
        assert (
            AuditEvent.objects.filter(
                action="view", object_type="people.couple", username="office"
            ).count()
            == 1
        )

    def test_end(self, client, users, fam):
        login(client, users.field_a)
        url = reverse("people:couple_end", args=[fam.a.couple.pk])
        response = client.post(url, {"ended_on": "2020-01-01", "reason": "death"})
        assert response.status_code == 200 and "which spouse died" in response.text
        response = client.post(
            url, {"ended_on": "2020-01-01", "reason": "death", "deceased": "husband"}
        )
        assert response.status_code == 302
        fam.a.wife.refresh_from_db()
        assert fam.a.wife.marital_status == "widowed"
        response = client.get(reverse("people:couple_detail", args=[fam.a.couple.pk]))
        assert "ended 2020年1月1日" in response.text
        assert 'data-testid="couple-end"' not in response.text


class TestBirthPages:
    def test_form_shows_earlier_births_and_preview(self, client, users, fam):
        login(client, users.field_a)
        response = client.get(reverse("people:birth_create", args=[fam.a.wife.pk]))
        assert response.status_code == 200 and "甲小" in response.text
        preview = client.get(
            reverse("people:birth_order_preview", args=[fam.a.wife.pk]), {"date": "2015-01-01"}
        )
        assert "Computed birth order: <strong>2</strong>" in preview.text
        assert "Within the policy" in preview.text
        back_dated = client.get(
            reverse("people:birth_order_preview", args=[fam.a.wife.pk]), {"date": "2011-01-01"}
        )
        assert "<strong>1</strong>" in back_dated.text
        empty = client.get(reverse("people:birth_order_preview", args=[fam.a.wife.pk]))
        assert "once the date is given" in empty.text

    def test_record(self, client, users, fam):
        login(client, users.field_a)
        response = client.post(
            reverse("people:birth_create", args=[fam.a.wife.pk]),
            {
                "date": "2016-03-03",
                "sex": "M",
                "child_name": "甲二",
                "register_child": "on",
                "place": "县医院",
            },
        )
        birth = Birth.objects.get(child_name="甲二")
        assert response.status_code == 302
        assert response["Location"] == reverse("people:birth_detail", args=[birth.pk])
        assert (birth.computed_order, birth.father, birth.couple) == (
            2,
            fam.a.husband,
            fam.a.couple,
        )
        response = client.get(response["Location"])
        assert "Birth recorded: birth order 2." in response.text
        assert "within policy" in response.text

    def test_override_needs_a_reason(self, client, users, fam):
        login(client, users.field_a)
        url = reverse("people:birth_create", args=[fam.a.wife.pk])
        data = {"date": "2016-03-03", "sex": "M", "child_name": "甲二", "register_child": "on"}
        response = client.post(url, {**data, "order_override": "1"})
        assert response.status_code == 200
        assert 'data-error-for="override_reason"' in response.text
        assert "Computed birth order: <strong>2</strong>" in response.text  # still shown
        response = client.post(url, {**data, "order_override": "1", "override_reason": "核实"})
        assert response.status_code == 302
        assert Birth.objects.get(child_name="甲二").birth_order == 1

    @pytest.mark.parametrize(
        ("date", "text"),
        [("1980-01-01", "before 甲芳 was born"), ("2999-01-01", "in the future")],
    )
    def test_bad_dates(self, client, users, fam, date, text):
        login(client, users.field_a)
        response = client.post(
            reverse("people:birth_create", args=[fam.a.wife.pk]),
            {"date": date, "sex": "M", "child_name": "甲二", "register_child": "on"},
        )
        assert response.status_code == 200 and text in response.text
        assert Birth.objects.count() == 2

    def test_birth_of_a_man(self, client, users, fam):
        login(client, users.field_a)
        response = client.post(
            reverse("people:birth_create", args=[fam.a.husband.pk]),
            {"date": "2016-01-01", "sex": "M", "child_name": "x", "register_child": "on"},
        )
        assert response.status_code == 200 and "cannot be the mother" in response.text

    def test_override_page(self, client, users, fam):
        login(client, users.field_a)
        url = reverse("people:birth_override", args=[fam.a.birth.pk])
        response = client.post(url, {"order_override": "2"})
        assert response.status_code == 200 and 'data-error-for="override_reason"' in response.text
        response = client.post(url, {"order_override": "2", "override_reason": "外地已生一孩"})
        assert response.status_code == 302
        fam.a.birth.refresh_from_db()
        assert fam.a.birth.birth_order == 2
        assert AuditEvent.objects.filter(
            object_type="people.birth", message="外地已生一孩", username="field_a"
        ).exists()

    def test_list(self, client, users, fam):
        login(client, users.field_a)
        response = client.get(reverse("people:birth_list"))
        assert "甲小" in response.text and "乙小" not in response.text
        assert client.get(reverse("people:birth_list"), {"year": "2012"}).text.count("甲小") >= 1
        response = client.get(reverse("people:birth_list"), {"policy": "0"})
        assert "甲小" not in response.text


class TestPregnancyPages:
    def test_register_and_close(self, client, users, tree):
        woman = factories.person(tree.village_a, name="孕妇", birth_date=D(1995, 1, 1), seq=90)
        login(client, users.field_a)
        url = reverse("people:pregnancy_create", args=[woman.pk])
        registered = TODAY - dt.timedelta(days=10)
        response = client.post(
            url,
            {"registered_on": str(registered), "expected_on": str(registered - dt.timedelta(1))},
        )
        assert response.status_code == 200 and "after the registration date" in response.text
        response = client.post(
            url,
            {
                "registered_on": str(registered),
                "expected_on": str(registered + dt.timedelta(200)),
            },
        )
        assert response.status_code == 302
        assert response["Location"].endswith("#pregnancies")
        pregnancy = Pregnancy.objects.get(woman=woman)
        response = client.post(url, {"registered_on": str(TODAY)})
        assert "ongoing pregnancy" in response.text
        response = client.get(reverse("people:pregnancy_list"))
        assert "孕妇" in response.text and 'data-testid="pregnancy-close"' in response.text
        response = client.post(
            reverse("people:pregnancy_close", args=[pregnancy.pk]),
            {"outcome": "miscarriage", "outcome_on": str(TODAY)},
        )
        assert response.status_code == 302
        pregnancy.refresh_from_db()
        assert pregnancy.outcome == "miscarriage"
        response = client.get(reverse("people:pregnancy_list"))
        assert "孕妇" not in response.text
        response = client.get(reverse("people:pregnancy_list"), {"status": "closed"})
        assert "孕妇" in response.text

    def test_close_bad_input(self, client, users, fam):
        login(client, users.field_a)
        url = reverse("people:pregnancy_close", args=[fam.a.pregnancy.pk])
        response = client.post(url, {"outcome": "", "outcome_on": str(TODAY)})
        assert response.status_code == 200 and 'data-error-for="outcome"' in response.text
        response = client.post(url, {"outcome": "abortion", "outcome_on": "2000-01-01"})
        assert response.status_code == 200 and "before the registration" in response.text
        fam.a.pregnancy.refresh_from_db()
        assert fam.a.pregnancy.outcome == ""

    def test_list_in_scope(self, client, users, fam):
        login(client, users.field_b)
        response = client.get(reverse("people:pregnancy_list"))
        assert "乙芳" in response.text and "甲芳" not in response.text


def test_create_pages_prefill_from_the_persons_page(client, users, tree, fam):
    login(client, users.office)  # county scope: the working unit is the county
    response = client.get(reverse("people:household_create"), {"head": fam.b.lone.pk})
    form = response.context["form"]
    assert form.initial["unit"] == tree.village_b.code  # the head's unit, not the county
    assert form.initial["head"] == fam.b.lone.pk
    response = client.get(reverse("people:couple_create"), {"husband": fam.a.husband.pk})
    assert response.context["cancel_url"].endswith(f"/people/{fam.a.husband.pk}/#family")
    login(client, users.field_a)  # a guessed id of another village prefills nothing
    response = client.get(reverse("people:household_create"), {"head": fam.b.lone.pk})
    assert "head" not in response.context["form"].initial
    assert denied().count() == 1


def test_menu_lists_the_family_pages(users):
    from django.utils import translation

    from jisheng.core.menu import menu_for

    def labels(user):
        with translation.override("en"):
            return {m.key: [str(i.label) for i in m.items] for m in menu_for(user, "/")}

    for label in ("Households", "Births", "Pregnancies"):
        assert label in labels(users.field_a)["people"]
    assert "people" not in labels(users.auditor)
