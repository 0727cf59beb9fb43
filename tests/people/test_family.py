"""Households, couples, births and pregnancies: every rule with bad input, the birth
order (back-dated entries, the couple rule), the policy statistic, events, audit, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from jisheng.core import crypto
from jisheng.core.models import AuditEvent
from jisheng.people import family, selectors_family, services, timeline
from jisheng.people.models import (
    Birth,
    Couple,
    Household,
    HouseholdMember,
    LifeEvent,
    Person,
    Pregnancy,
)
from tests import factories

D = dt.date
TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)
MARRIED = D(2010, 5, 1)
PREG_REGISTERED = D(2023, 1, 10)
PREG_EXPECTED = D(2023, 8, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree):
    """Registered adults of village A (and one of village B), registered in 2000."""
    reg = D(2000, 1, 1)

    def make(name, sex, born, seq, unit=tree.village_a, **extra):
        return factories.person(
            unit, name=name, sex=sex, birth_date=born, seq=seq, registered_on=reg, **extra
        )

    class P:
        fang = make("王芳", "F", D(1985, 3, 1), 1)
        li = make("李丽", "F", D(1987, 6, 2), 2)
        qiang = make("张强", "M", D(1983, 8, 3), 3)
        wei = make("赵伟", "M", D(1980, 1, 4), 4)
        mei = make("孙梅", "F", D(1990, 2, 5), 5)
        other = make("钱红", "F", D(1986, 4, 6), 6, unit=tree.village_b)
        other_man = make("周军", "M", D(1984, 4, 7), 7, unit=tree.village_b)

    return P


def msg(exc: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def audits(obj, action="create"):
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


def denied():
    return AuditEvent.objects.filter(action="denied")


def events(person, kind):
    return LifeEvent.objects.filter(person=person, kind=kind)


def marry(wife, husband, on=MARRIED, **kw):
    return family.couple_create(actor=None, married_on=on, wife=wife, husband=husband, **kw)


def birth(mother, on, sex="F", name="孩子", **kw):
    return family.birth_record(actor=None, mother=mother, date=on, sex=sex, child_name=name, **kw)


# =========================================================================== households


class TestHouseholds:
    def test_create_with_head(self, tree, people):
        household = family.household_create(
            actor=None, unit=tree.village_a, number="A-001", address="甲村1号", head=people.qiang
        )
        assert household.head == people.qiang
        member = household.members.get()
        assert (member.person, member.relation, member.left_on) == (people.qiang, "head", None)
        assert audits(household).exists() and audits(member).exists()

    def test_number_or_address_required(self, tree):
        with pytest.raises(ValidationError) as exc:
            family.household_create(actor=None, unit=tree.village_a, number=" ", address="")
        assert "number or the address" in msg(exc, "number")
        assert Household.objects.count() == 0

    def test_number_unique_within_unit(self, tree):
        family.household_create(actor=None, unit=tree.village_a, number="001")
        with pytest.raises(ValidationError) as exc:
            family.household_create(actor=None, unit=tree.village_a, number="001")
        assert "already has a household" in msg(exc, "number")
        family.household_create(actor=None, unit=tree.village_b, number="001")
        assert Household.objects.count() == 2

    def test_head_must_live_in_the_unit(self, tree, people):
        with pytest.raises(ValidationError) as exc:
            family.household_create(
                actor=None, unit=tree.village_b, number="B-1", head=people.qiang
            )
        assert "outside the household's unit" in msg(exc, "head")
        assert Household.objects.count() == 0

    def test_member_of_one_household_at_a_time(self, tree, people):
        first = family.household_create(actor=None, unit=tree.village_a, number="1")
        second = family.household_create(actor=None, unit=tree.village_a, number="2")
        member = family.household_add_member(
            actor=None, household=first, person=people.fang, relation="spouse"
        )
        with pytest.raises(ValidationError) as exc:
            family.household_add_member(
                actor=None, household=second, person=people.fang, relation="child"
            )
        assert "must leave it first" in msg(exc, "person")
        with pytest.raises(ValidationError):  # nor twice in the same one
            family.household_add_member(
                actor=None, household=first, person=people.fang, relation="child"
            )
        family.household_remove_member(actor=None, member=member, left_on=D(2021, 3, 1))
        family.household_add_member(
            actor=None, household=second, person=people.fang, relation="spouse"
        )
        assert HouseholdMember.objects.filter(person=people.fang).count() == 2
        assert HouseholdMember.objects.filter(person=people.fang, left_on=None).count() == 1

    @pytest.mark.parametrize(
        ("relation", "joined_on", "field", "text"),
        [
            ("cousin", None, "relation", "Choose the relation"),
            ("head", None, "relation", "already has a head"),
            ("child", TOMORROW, "joined_on", "future"),
            ("child", D(1980, 1, 1), "joined_on", "before the person's birth"),
        ],
    )
    def test_add_member_bad_input(self, tree, people, relation, joined_on, field, text):
        household = family.household_create(
            actor=None, unit=tree.village_a, number="1", head=people.qiang
        )
        with pytest.raises(ValidationError) as exc:
            family.household_add_member(
                actor=None,
                household=household,
                person=people.fang,
                relation=relation,
                joined_on=joined_on,
            )
        assert text in msg(exc, field)
        assert household.members.count() == 1

    def test_deceased_person_cannot_join(self, tree, people):
        services.event_record(actor=None, person=people.wei, kind="death", date=D(2022, 1, 1))
        household = family.household_create(actor=None, unit=tree.village_a, number="1")
        with pytest.raises(ValidationError) as exc:
            family.household_add_member(
                actor=None, household=household, person=people.wei, relation="parent"
            )
        assert "deceased" in msg(exc, "person")

    def test_head_added_as_member_becomes_head(self, tree, people):
        household = family.household_create(actor=None, unit=tree.village_a, address="甲村2号")
        family.household_add_member(
            actor=None, household=household, person=people.wei, relation="head"
        )
        household.refresh_from_db()
        assert household.head == people.wei
        assert audits(household, "update").exists()

    def test_remove_member_keeps_the_row(self, tree, people):
        household = family.household_create(
            actor=None, unit=tree.village_a, number="1", head=people.qiang
        )
        member = household.members.get()
        family.household_remove_member(actor=None, member=member, left_on=D(2023, 1, 1))
        member.refresh_from_db()
        household.refresh_from_db()
        assert member.left_on == D(2023, 1, 1)
        assert household.head is None  # the head left
        assert audits(member, "update").exists()
        assert not AuditEvent.objects.filter(action="delete").exists()

    @pytest.mark.parametrize(
        ("left_on", "text"),
        [(TOMORROW, "future"), (D(2019, 12, 31), "before the person joined")],
    )
    def test_remove_member_bad_dates(self, tree, people, left_on, text):
        household = family.household_create(actor=None, unit=tree.village_a, number="1")
        member = family.household_add_member(
            actor=None,
            household=household,
            person=people.fang,
            relation="other",
            joined_on=D(2020, 1, 1),
        )
        with pytest.raises(ValidationError) as exc:
            family.household_remove_member(actor=None, member=member, left_on=left_on)
        assert text in msg(exc, "left_on")
        member.refresh_from_db()
        assert member.left_on is None

    def test_remove_twice(self, tree, people):
        household = family.household_create(actor=None, unit=tree.village_a, number="1")
        member = family.household_add_member(
            actor=None, household=household, person=people.fang, relation="other"
        )
        family.household_remove_member(actor=None, member=member, left_on=D(2023, 1, 1))
        with pytest.raises(ValidationError) as exc:
            family.household_remove_member(actor=None, member=member, left_on=D(2023, 2, 1))
        assert "already left" in msg(exc, "left_on")

    def test_set_head(self, tree, people):
        household = family.household_create(
            actor=None, unit=tree.village_a, number="1", head=people.wei
        )
        family.household_add_member(
            actor=None, household=household, person=people.qiang, relation="child"
        )
        family.household_set_head(
            actor=None, household=household, person=people.qiang, former_head_relation="parent"
        )
        household.refresh_from_db()
        relations = dict(household.members.values_list("person__name", "relation"))
        assert household.head == people.qiang
        assert relations == {"张强": "head", "赵伟": "parent"}

    def test_set_head_needs_a_member(self, tree, people):
        household = family.household_create(
            actor=None, unit=tree.village_a, number="1", head=people.wei
        )
        with pytest.raises(ValidationError) as exc:
            family.household_set_head(actor=None, household=household, person=people.fang)
        assert "not a member" in msg(exc, "person")
        with pytest.raises(ValidationError) as exc:
            family.household_set_head(
                actor=None, household=household, person=people.wei, former_head_relation="head"
            )
        assert "former_head_relation" in exc.value.message_dict

    def test_scope(self, tree, users, people):
        with pytest.raises(PermissionDenied):
            family.household_create(actor=users.field_b, unit=tree.village_a, number="x")
        assert denied().count() == 1
        household = family.household_create(actor=users.field_a, unit=tree.village_a, number="1")
        with pytest.raises(PermissionDenied):
            family.household_add_member(
                actor=users.field_b, household=household, person=people.fang, relation="other"
            )
        with pytest.raises(PermissionDenied):  # a person of another village
            family.household_add_member(
                actor=users.field_a, household=household, person=people.other, relation="other"
            )
        member = family.household_add_member(
            actor=users.field_a, household=household, person=people.fang, relation="spouse"
        )
        with pytest.raises(PermissionDenied):
            family.household_remove_member(actor=users.field_b, member=member, left_on=TODAY)
        with pytest.raises(PermissionDenied):
            family.household_set_head(actor=users.field_b, household=household, person=people.fang)
        assert denied().count() == 5
        assert AuditEvent.objects.filter(action="create", username="field_a").count() == 2

    def test_household_list_search_and_scope(self, tree, users, people):
        family.household_create(actor=None, unit=tree.village_a, number="A-7", head=people.qiang)
        family.household_create(actor=None, unit=tree.village_a, address="甲村东街")
        family.household_create(
            actor=None, unit=tree.village_b, number="B-1", head=people.other_man
        )

        def numbers(user, q=""):
            found = selectors_family.household_list(user=user, q=q)
            return sorted(h.number or h.address for h in found)

        assert numbers(users.field_a) == ["A-7", "甲村东街"]
        assert numbers(users.field_a, "zq") == ["A-7"]  # head's pinyin initials
        assert numbers(users.field_a, "张") == ["A-7"]
        assert numbers(users.field_a, "东街") == ["甲村东街"]
        assert numbers(users.field_a, "周") == []  # village B's head, out of scope
        assert numbers(users.office) == ["A-7", "B-1", "甲村东街"]
        member_counts = {
            h.number: h.member_count for h in selectors_family.household_list(user=users.office)
        }
        assert member_counts["A-7"] == 1


# =========================================================================== couples


class TestCouples:
    def test_two_registered_persons(self, tree, people):
        couple = marry(people.fang, people.qiang)
        assert couple.unit == tree.village_a
        for person in (people.fang, people.qiang):
            person.refresh_from_db()
            assert person.marital_status == "first_marriage"
            event = events(person, "marriage").get()
            assert event.date == D(2010, 5, 1)
            assert event.data["couple_id"] == couple.pk
        assert audits(couple).exists()
        # the dated state: single before, married after
        period = services.rebuild_periods(people.fang)
        assert [p.marital_status for p in period] == ["single", "first_marriage"]

    def test_wife_must_be_a_woman_and_husband_a_man(self, people):
        with pytest.raises(ValidationError) as exc:
            family.couple_create(
                actor=None, married_on=D(2010, 1, 1), wife=people.qiang, husband=people.wei
            )
        assert "cannot be the wife" in msg(exc, "wife")
        with pytest.raises(ValidationError) as exc:
            family.couple_create(
                actor=None, married_on=D(2010, 1, 1), wife=people.fang, husband=people.li
            )
        assert "cannot be the husband" in msg(exc, "husband")
        assert Couple.objects.count() == 0

    def test_person_already_married(self, people):
        marry(people.fang, people.qiang)
        with pytest.raises(ValidationError) as exc:
            marry(people.li, people.qiang, on=D(2015, 1, 1))
        assert "another marriage" in msg(exc, "husband")
        with pytest.raises(ValidationError) as exc:  # a back-dated marriage overlaps too
            marry(people.fang, people.wei, on=D(2005, 1, 1))
        assert "another marriage" in msg(exc, "wife")
        assert Couple.objects.count() == 1

    def test_remarriage_after_divorce(self, people):
        first = marry(people.fang, people.qiang)
        family.couple_end(actor=None, couple=first, ended_on=D(2015, 1, 1), reason="divorce")
        with pytest.raises(ValidationError):  # overlaps the first marriage
            marry(people.fang, people.wei, on=D(2014, 12, 1))
        marry(people.fang, people.wei, on=D(2016, 1, 1))
        people.fang.refresh_from_db()
        assert people.fang.marital_status == "remarried"

    @pytest.mark.parametrize(
        ("married_on", "field", "text"),
        [
            (TOMORROW, "married_on", "future"),
            (D(1984, 1, 1), "wife", "before 王芳 was born"),
        ],
    )
    def test_bad_marriage_dates(self, people, married_on, field, text):
        with pytest.raises(ValidationError) as exc:
            marry(people.fang, people.qiang, on=married_on)
        assert text in msg(exc, field)

    def test_nobody_registered(self, people):
        with pytest.raises(ValidationError) as exc:
            family.couple_create(actor=None, married_on=D(2010, 1, 1), outside={"name": "甲"})
        assert "wife" in exc.value.message_dict

    def test_outside_spouse_stored_encrypted_hashed_masked(self, people):
        number = factories.id_number(D(1982, 9, 9), "M", 41, region="110108")
        couple = family.couple_create(
            actor=None,
            married_on=D(2011, 1, 1),
            wife=people.li,
            outside={
                "name": "吴刚",
                "id_number": number,
                "work_unit": "某市机械厂",
                "township": "某镇",
                "phone": "13900000000",
            },
        )
        couple.refresh_from_db()
        assert couple.outside_sex == "M"
        assert crypto.decrypt(couple.outside_id_encrypted) == number
        assert couple.outside_id_hash == crypto.lookup_hash(number)
        assert couple.outside_id_masked == number[:6] + "*" * 12
        assert couple.outside_work_unit == "某市机械厂"
        audit_text = str(list(AuditEvent.objects.values_list("changes", flat=True)))
        assert number not in audit_text
        assert couple.outside_id_encrypted not in audit_text
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM people_couple")
            assert number not in str(cursor.fetchall())
        assert events(people.li, "marriage").get().data["spouse"] == "吴刚"

    def test_outside_spouse_invalid_id(self, people):
        number = factories.id_number(D(1982, 9, 9), "M", 41)
        bad = number[:17] + ("0" if number[17] != "0" else "1")
        with pytest.raises(ValidationError) as exc:
            family.couple_create(
                actor=None,
                married_on=D(2011, 1, 1),
                wife=people.li,
                outside={"name": "吴刚", "id_number": bad},
            )
        assert "check character" in msg(exc, "outside_id_number")
        assert Couple.objects.count() == 0

    def test_outside_spouse_id_sex_mismatch(self, people):
        female_id = factories.id_number(D(1982, 9, 9), "F", 42)
        with pytest.raises(ValidationError) as exc:
            family.couple_create(
                actor=None,
                married_on=D(2011, 1, 1),
                wife=people.li,
                outside={"name": "吴刚", "id_number": female_id},
            )
        assert "17th digit says female" in msg(exc, "outside_id_number")

    def test_outside_spouse_born_after_the_marriage(self, people):
        number = factories.id_number(D(2012, 1, 1), "M", 43)
        with pytest.raises(ValidationError) as exc:
            family.couple_create(
                actor=None,
                married_on=D(2011, 1, 1),
                wife=people.li,
                outside={"name": "吴刚", "id_number": number},
            )
        assert "outside spouse's birth date" in msg(exc, "married_on")

    @pytest.mark.parametrize(
        ("outside", "field", "text"),
        [
            ({}, "outside_name", "Give the name"),
            ({"name": " "}, "outside_name", "Give the name"),
            ({"name": "吴刚", "sex": "F"}, "outside_sex", "must be a man"),
        ],
    )
    def test_outside_spouse_bad_details(self, people, outside, field, text):
        with pytest.raises(ValidationError) as exc:
            family.couple_create(
                actor=None, married_on=D(2011, 1, 1), wife=people.li, outside=outside
            )
        assert text in msg(exc, field)

    def test_outside_spouse_for_a_husband_is_a_woman(self, people):
        couple = family.couple_create(
            actor=None, married_on=D(2011, 1, 1), husband=people.wei, outside={"name": "冯霞"}
        )
        assert couple.outside_sex == "F"
        assert couple.unit == people.wei.unit
        assert str(couple) == "赵伟 — 冯霞"

    def test_both_registered_and_outside_details(self, people):
        with pytest.raises(ValidationError) as exc:
            marry(people.fang, people.qiang, outside={"name": "吴刚"})
        assert "leave the outside spouse" in msg(exc, "outside_name")

    def test_outside_id_of_a_registered_person(self, people):
        number = factories.id_number(people.wei.birth_date, "M", 4)  # 赵伟's ID
        with pytest.raises(ValidationError) as exc:
            family.couple_create(
                actor=None,
                married_on=D(2011, 1, 1),
                wife=people.li,
                outside={"name": "赵伟", "id_number": number},
            )
        assert "choose the registered person" in msg(exc, "outside_id_number")

    def test_outside_spouse_in_another_marriage(self, people):
        number = factories.id_number(D(1982, 9, 9), "M", 44)
        family.couple_create(
            actor=None,
            married_on=D(2011, 1, 1),
            wife=people.li,
            outside={"name": "吴刚", "id_number": number},
        )
        with pytest.raises(ValidationError) as exc:
            family.couple_create(
                actor=None,
                married_on=D(2012, 1, 1),
                wife=people.mei,
                outside={"name": "吴刚", "id_number": number},
            )
        assert "another marriage" in msg(exc, "outside_id_number")

    def test_without_events(self, people):
        marry(people.fang, people.qiang, record_events=False)
        assert not LifeEvent.objects.filter(kind="marriage").exists()
        people.fang.refresh_from_db()
        assert people.fang.marital_status == "single"

    def test_registry_already_says_married(self, tree):
        wife = factories.person(tree.village_a, name="何静", seq=9, marital_status="first_marriage")
        husband = factories.person(
            tree.village_a, name="何勇", sex="M", seq=10, marital_status="first_marriage"
        )
        with pytest.raises(ValidationError) as exc:
            marry(wife, husband, on=D(2021, 1, 1))
        assert "already married" in msg(exc, "wife")
        assert Couple.objects.count() == 0  # rolled back with the event
        marry(wife, husband, on=D(2021, 1, 1), record_events=False)
        assert Couple.objects.count() == 1

    def test_marriage_before_registration_records_no_event(self, tree):
        wife = factories.person(tree.village_a, name="何静", seq=9, registered_on=D(2020, 1, 1))
        husband = factories.person(
            tree.village_a, name="何勇", sex="M", seq=10, registered_on=D(2020, 1, 1)
        )
        couple = marry(wife, husband, on=D(2015, 1, 1))
        assert couple.pk and not LifeEvent.objects.filter(kind="marriage").exists()

    def test_divorce(self, people):
        couple = marry(people.fang, people.qiang)
        family.couple_end(actor=None, couple=couple, ended_on=D(2018, 1, 1), reason="divorce")
        couple.refresh_from_db()
        assert (couple.ended_on, couple.end_reason) == (D(2018, 1, 1), "divorce")
        for person in (people.fang, people.qiang):
            person.refresh_from_db()
            assert person.marital_status == "divorced"
            assert events(person, "divorce").get().data == {"couple_id": couple.pk}
        assert audits(couple, "update").exists()

    @pytest.mark.parametrize(
        ("ended_on", "reason", "field", "text"),
        [
            (TOMORROW, "divorce", "ended_on", "future"),
            (D(2009, 1, 1), "divorce", "ended_on", "before the marriage"),
            (D(2018, 1, 1), "annulled", "reason", "divorce or death"),
            (D(2018, 1, 1), "death", "deceased", "which spouse died"),
        ],
    )
    def test_end_bad_input(self, people, ended_on, reason, field, text):
        couple = marry(people.fang, people.qiang)
        with pytest.raises(ValidationError) as exc:
            family.couple_end(actor=None, couple=couple, ended_on=ended_on, reason=reason)
        assert text in msg(exc, field)
        couple.refresh_from_db()
        assert couple.ended_on is None

    def test_end_twice(self, people):
        couple = marry(people.fang, people.qiang)
        family.couple_end(actor=None, couple=couple, ended_on=D(2018, 1, 1), reason="divorce")
        with pytest.raises(ValidationError, match="already ended"):
            family.couple_end(actor=None, couple=couple, ended_on=D(2019, 1, 1), reason="divorce")

    def test_death_of_a_spouse(self, people):
        couple = marry(people.fang, people.qiang)
        family.couple_end(
            actor=None, couple=couple, ended_on=D(2019, 1, 1), reason="death", deceased="husband"
        )
        people.fang.refresh_from_db()
        people.qiang.refresh_from_db()
        assert people.qiang.status == "deceased"
        assert people.fang.marital_status == "widowed"
        assert events(people.fang, "widowed").get().date == D(2019, 1, 1)
        assert events(people.qiang, "death").exists()
        # as of a date before the death she was married
        fang_periods = [(p.valid_from, p.marital_status) for p in people.fang.periods.all()]
        assert fang_periods[-2:] == [(D(2010, 5, 1), "first_marriage"), (D(2019, 1, 1), "widowed")]

    def test_death_already_recorded(self, people):
        couple = marry(people.fang, people.qiang)
        services.event_record(actor=None, person=people.qiang, kind="death", date=D(2019, 1, 1))
        # the death ended the marriage already
        couple.refresh_from_db()
        assert (couple.ended_on, couple.end_reason) == (D(2019, 1, 1), "death")
        with pytest.raises(ValidationError, match="already ended"):
            family.couple_end(
                actor=None,
                couple=couple,
                ended_on=D(2019, 1, 1),
                reason="death",
                deceased="husband",
            )
        assert events(people.qiang, "death").count() == 1
        people.fang.refresh_from_db()
        assert people.fang.marital_status == "widowed"

    def test_a_death_on_the_event_form_ends_marriage_and_household_membership(self, people, tree):
        couple = marry(people.fang, people.qiang)
        household = family.household_create(
            actor=None, unit=tree.village_a, number="H1", head=people.qiang, joined_on=D(2010, 1, 1)
        )
        family.household_add_member(
            actor=None, household=household, person=people.fang, relation="spouse",
            joined_on=D(2010, 5, 1),
        )  # fmt: skip
        services.event_record(actor=None, person=people.qiang, kind="death", date=D(2019, 1, 1))
        couple.refresh_from_db()
        household.refresh_from_db()
        people.fang.refresh_from_db()
        assert (couple.ended_on, couple.end_reason) == (D(2019, 1, 1), "death")
        assert people.fang.marital_status == "widowed"
        assert events(people.fang, "widowed").get().data == {"couple_id": couple.pk}
        qiang = household.members.get(person=people.qiang)
        assert qiang.left_on == D(2019, 1, 1)
        assert household.members.get(person=people.fang).left_on is None
        assert household.head_id is None
        # the registry as of a day before the death still has them married, in the household
        assert [p.marital_status for p in people.fang.periods.order_by("valid_from")][-2:] == [
            "first_marriage",
            "widowed",
        ]

    def test_correcting_a_death_restores_marriage_and_membership(self, people, tree):
        couple = marry(people.fang, people.qiang)
        household = family.household_create(
            actor=None, unit=tree.village_a, number="H1", head=people.qiang, joined_on=D(2010, 1, 1)
        )
        death = services.event_record(
            actor=None, person=people.qiang, kind="death", date=D(2019, 1, 1)
        )
        services.event_correct(actor=None, event=death, reason="报错了人")
        couple.refresh_from_db()
        people.fang.refresh_from_db()
        people.qiang.refresh_from_db()
        assert (couple.ended_on, couple.end_reason) == (None, "")
        assert people.qiang.status == "registered"
        assert people.fang.marital_status == "first_marriage"
        widowed = events(people.fang, "widowed").get()
        assert LifeEvent.objects.filter(reverses=widowed).exists()
        assert household.members.get(person=people.qiang).left_on is None

    def test_a_survivor_outside_the_scope_is_left_alone(self, people, users):
        couple = marry(people.fang, people.other_man)  # he lives in village B
        services.event_record(
            actor=users.field_a, person=people.fang, kind="death", date=D(2019, 1, 1)
        )
        couple.refresh_from_db()
        people.other_man.refresh_from_db()
        assert couple.ended_on == D(2019, 1, 1)
        assert people.other_man.marital_status == "first_marriage"
        assert not events(people.other_man, "widowed").exists()

    def test_death_of_the_outside_spouse(self, people):
        couple = family.couple_create(
            actor=None, married_on=D(2011, 1, 1), wife=people.li, outside={"name": "吴刚"}
        )
        family.couple_end(
            actor=None, couple=couple, ended_on=D(2020, 1, 1), reason="death", deceased="husband"
        )
        people.li.refresh_from_db()
        assert people.li.marital_status == "widowed"

    def test_widowed_needs_a_marriage(self):
        step = timeline.Step(key=1, kind="widowed", date=D(2020, 1, 1), data={})
        state = timeline.State(unit_id=1, employer_id=None, marital_status="single", status="x")
        with pytest.raises(ValidationError, match="not married"):
            timeline.apply(state, step)

    def test_scope(self, users, people):
        with pytest.raises(PermissionDenied):
            family.couple_create(
                actor=users.field_b,
                married_on=D(2010, 1, 1),
                wife=people.fang,
                husband=people.qiang,
            )
        with pytest.raises(PermissionDenied):  # a husband from another village
            family.couple_create(
                actor=users.field_a,
                married_on=D(2010, 1, 1),
                wife=people.fang,
                husband=people.other_man,
            )
        couple = family.couple_create(
            actor=users.field_a, married_on=D(2010, 1, 1), wife=people.fang, husband=people.qiang
        )
        with pytest.raises(PermissionDenied):
            family.couple_end(
                actor=users.field_b, couple=couple, ended_on=D(2018, 1, 1), reason="divorce"
            )
        assert denied().count() == 3
        assert audits(couple).get().username == "field_a"


# =========================================================================== births


class TestBirths:
    def test_record_a_birth(self, tree, people):
        couple = marry(people.fang, people.qiang)
        record = birth(people.fang, D(2012, 3, 4), sex="M", name="张小明", place="县医院")
        assert record.couple == couple  # the marriage in force, found
        assert record.father == people.qiang  # its husband
        assert (record.computed_order, record.birth_order, record.within_policy) == (1, 1, True)
        assert record.policy_limit == 3
        child = record.child
        assert (child.name, child.sex, child.birth_date) == ("张小明", "M", D(2012, 3, 4))
        assert (child.unit, child.id_status, child.id_hash) == (tree.village_a, "newborn", "")
        assert events(people.fang, "birth").get().data["birth_id"] == record.pk
        assert events(people.qiang, "birth").exists()
        assert audits(record).exists() and audits(child).exists()

    def test_orders_and_policy(self, people):
        orders = [birth(people.fang, D(2010 + i, 1, 1)).computed_order for i in range(4)]
        assert orders == [1, 2, 3, 4]
        assert list(Birth.objects.order_by("date").values_list("within_policy", flat=True)) == [
            True,
            True,
            True,
            False,
        ]

    def test_back_dated_birth_shifts_the_later_ones(self, people):
        first = birth(people.fang, D(2012, 1, 1), name="甲")
        later = birth(people.fang, D(2018, 1, 1), name="丙")
        third = birth(people.fang, D(2020, 1, 1), name="丁")
        assert (later.computed_order, third.computed_order) == (2, 3)
        inserted = birth(people.fang, D(2015, 6, 1), name="乙")
        assert inserted.computed_order == 2
        orders = dict(Birth.objects.values_list("child_name", "computed_order"))
        assert orders == {"甲": 1, "乙": 2, "丙": 3, "丁": 4}
        third.refresh_from_db()
        assert third.within_policy is False  # 4th now
        assert first.computed_order == 1
        recomputed = AuditEvent.objects.filter(
            action="update", object_type="people.birth", message__contains="recomputed"
        )
        assert {e.object_id for e in recomputed} == {str(later.pk), str(third.pk)}

    def test_twins(self, people):
        assert birth(people.fang, D(2012, 1, 1), name="大").computed_order == 1
        assert birth(people.fang, D(2012, 1, 1), name="小").computed_order == 2

    def test_couple_counts_the_husbands_earlier_children(self, people):
        first = marry(people.li, people.wei, on=D(2005, 1, 1))
        birth(people.li, D(2006, 1, 1), name="前妻之子")
        family.couple_end(actor=None, couple=first, ended_on=D(2009, 1, 1), reason="divorce")
        marry(people.mei, people.wei, on=D(2012, 1, 1))
        record = birth(people.mei, D(2013, 1, 1), name="新子")
        assert record.father == people.wei
        assert record.computed_order == 2  # the mother's first, the couple's second
        assert family.birth_order_for(mother=people.mei, date=D(2014, 1, 1)) == 2  # no couple

    def test_mothers_earlier_children_count(self, people):
        first = marry(people.fang, people.qiang, on=D(2005, 1, 1))
        birth(people.fang, D(2006, 1, 1))
        family.couple_end(actor=None, couple=first, ended_on=D(2009, 1, 1), reason="divorce")
        marry(people.fang, people.wei, on=D(2012, 1, 1))
        record = birth(people.fang, D(2013, 1, 1))
        assert (record.father, record.computed_order) == (people.wei, 2)

    def test_back_dated_birth_of_the_husband_recomputes_the_couples_births(self, people):
        marry(people.mei, people.wei, on=D(2012, 1, 1))
        record = birth(people.mei, D(2013, 1, 1))
        assert record.computed_order == 1
        # an earlier child of the husband with another (registered) woman, entered later
        birth(people.li, D(2008, 1, 1), father=people.wei)
        record.refresh_from_db()
        assert record.computed_order == 2

    def test_outside_husband_counts_only_the_mother(self, people):
        family.couple_create(
            actor=None, married_on=D(2011, 1, 1), wife=people.li, outside={"name": "吴刚"}
        )
        record = birth(people.li, D(2012, 1, 1))
        assert (record.father, record.computed_order, record.couple.outside_name) == (
            None,
            1,
            "吴刚",
        )

    def test_policy_limit_is_the_packs_and_a_statistic(self, people, tree):
        from jisheng.policy.services import PACKS_DIR, pack_load

        first = birth(people.fang, D(2012, 1, 1))
        text = (PACKS_DIR / "default-2026.yaml").read_text(encoding="utf-8")
        text = (
            text.replace("id: default-2026", "id: one-child-test")
            .replace("policy_limit: 3", "policy_limit: 1")
            .replace("effective_from: 2026-01-01", "effective_from: 2013-01-01")
        )
        pack_load(actor=None, text=text, unit=tree.town)
        second = birth(people.fang, D(2014, 1, 1))
        assert (second.within_policy, second.policy_limit) == (False, 1)
        first.refresh_from_db()
        assert (first.within_policy, first.policy_limit) == (True, 3)
        # nothing else follows from it: the mother's record is unchanged but for the event
        people.fang.refresh_from_db()
        assert people.fang.status == "registered"

    def test_override_with_reason(self, people):
        birth(people.fang, D(2010, 1, 1))
        birth(people.fang, D(2011, 1, 1))
        birth(people.fang, D(2012, 1, 1))
        record = birth(
            people.fang, D(2014, 1, 1), order_override=3, override_reason="长子已在外地登记死亡"
        )
        assert (record.computed_order, record.birth_order, record.within_policy) == (4, 3, True)
        assert audits(record).get().changes["order_override_reason"][1] == "长子已在外地登记死亡"

    @pytest.mark.parametrize(
        ("order", "reason", "field"),
        [(2, "", "override_reason"), (2, "  ", "override_reason"), (0, "x", "order_override")],
    )
    def test_override_bad_input(self, people, order, reason, field):
        with pytest.raises(ValidationError) as exc:
            birth(people.fang, D(2012, 1, 1), order_override=order, override_reason=reason)
        assert field in exc.value.message_dict
        assert Birth.objects.count() == 0 and Person.objects.filter(name="孩子").count() == 0

    def test_override_later(self, users, people):
        for year in (2010, 2011, 2012, 2013):
            record = birth(people.fang, D(year, 1, 1))
        assert record.within_policy is False
        with pytest.raises(ValidationError) as exc:
            family.birth_override_order(actor=users.field_a, birth=record, order=3, reason="")
        assert "override_reason" in exc.value.message_dict
        family.birth_override_order(actor=users.field_a, birth=record, order=3, reason="核实")
        record.refresh_from_db()
        assert (record.birth_order, record.within_policy) == (3, True)
        event = audits(record, "update").get(message="核实")
        assert event.username == "field_a"
        assert event.changes["within_policy"] == [False, True]
        family.birth_override_order(actor=None, birth=record, order=None, reason="撤销")
        record.refresh_from_db()
        assert (record.birth_order, record.order_override_reason, record.within_policy) == (
            4,
            "",
            False,
        )

    @pytest.mark.parametrize(
        ("kwargs", "field", "text"),
        [
            ({"date": TOMORROW}, "date", "future"),
            ({"date": D(1984, 1, 1)}, "date", "before 王芳 was born"),
            ({"date": D(1993, 1, 1)}, "date", "would be 7 years old"),
            ({"sex": "X"}, "sex", "male or female"),
            ({"name": ""}, "child_name", "Give the child's name"),
            ({"child_id_number": "110105201201010000"}, "child_id_number", "check character"),
        ],
    )
    def test_bad_input(self, people, kwargs, field, text):
        args = {"on": D(2012, 1, 1), "sex": "F", "name": "孩子"}
        if "date" in kwargs:
            args["on"] = kwargs.pop("date")
        args.update(kwargs)
        with pytest.raises(ValidationError) as exc:
            birth(people.fang, **args)
        assert text in msg(exc, field)
        assert Birth.objects.count() == 0
        assert not LifeEvent.objects.filter(kind="birth").exists()

    def test_parents_of_the_wrong_sex(self, people):
        with pytest.raises(ValidationError) as exc:
            birth(people.qiang, D(2012, 1, 1))
        assert "cannot be the mother" in msg(exc, "mother")
        with pytest.raises(ValidationError) as exc:
            birth(people.fang, D(2012, 1, 1), father=people.li)
        assert "cannot be the father" in msg(exc, "father")

    def test_couple_must_be_the_mothers(self, people):
        couple = marry(people.li, people.wei)
        with pytest.raises(ValidationError) as exc:
            birth(people.fang, D(2012, 1, 1), couple=couple)
        assert "not the wife" in msg(exc, "couple")
        with pytest.raises(ValidationError) as exc:
            birth(people.li, D(2012, 1, 1), couple=couple, father=people.qiang)
        assert "not the husband" in msg(exc, "father")

    def test_child_with_id_number(self, people):
        number = factories.id_number(D(2012, 1, 1), "F", 50)
        record = birth(people.fang, D(2012, 1, 1), child_id_number=number)
        assert record.child.id_status == "valid"
        assert services.find_by_id_number(number) == record.child

    def test_existing_child(self, tree, people):
        child = factories.person(
            tree.village_a,
            name="王小",
            birth_date=D(2012, 1, 1),
            seq=51,
            registered_on=D(2012, 2, 1),
        )
        record = family.birth_record(
            actor=None, mother=people.fang, date=D(2012, 1, 1), sex="F", child=child
        )
        assert (record.child, record.child_name) == (child, "王小")
        assert Person.objects.filter(name="王小").count() == 1
        with pytest.raises(ValidationError) as exc:  # a second birth for the same child
            family.birth_record(
                actor=None, mother=people.fang, date=D(2012, 1, 1), sex="F", child=child
            )
        assert "already recorded" in msg(exc, "child")

    def test_existing_child_must_match(self, tree, people):
        child = factories.person(tree.village_a, name="王小", birth_date=D(2012, 1, 1), seq=51)
        with pytest.raises(ValidationError) as exc:
            family.birth_record(
                actor=None, mother=people.fang, date=D(2012, 1, 2), sex="F", child=child
            )
        assert "different birth date or sex" in msg(exc, "child")

    def test_without_registering_the_child(self, people):
        record = birth(people.fang, D(2012, 1, 1), name="", register_child=False)
        assert record.child is None and Person.objects.count() == 7

    def test_birth_before_the_mothers_registration_records_no_event(self, tree):
        mother = factories.person(tree.village_a, name="何静", seq=9, registered_on=D(2020, 1, 1))
        record = birth(mother, D(2015, 1, 1))
        assert record.pk and not events(mother, "birth").exists()
        assert events(record.child, "register").get().date == D(2015, 1, 1)

    def test_birth_after_the_mothers_death(self, people):
        services.event_record(actor=None, person=people.fang, kind="death", date=D(2011, 1, 1))
        with pytest.raises(ValidationError) as exc:
            birth(people.fang, D(2012, 1, 1))
        assert "deceased" in msg(exc, "mother")
        assert Birth.objects.count() == 0

    def test_closes_the_ongoing_pregnancy(self, people):
        pregnancy = family.pregnancy_register(
            actor=None, woman=people.fang, registered_on=D(2011, 6, 1), expected_on=D(2012, 1, 5)
        )
        record = birth(people.fang, D(2012, 1, 1))
        pregnancy.refresh_from_db()
        assert (pregnancy.outcome, pregnancy.outcome_on, pregnancy.birth) == (
            "live_birth",
            D(2012, 1, 1),
            record,
        )

    def test_scope(self, users, people):
        with pytest.raises(PermissionDenied):
            family.birth_record(
                actor=users.field_b, mother=people.fang, date=D(2012, 1, 1), sex="F", child_name="x"
            )
        with pytest.raises(PermissionDenied):  # a father of another village
            family.birth_record(
                actor=users.field_a,
                mother=people.fang,
                father=people.other_man,
                date=D(2012, 1, 1),
                sex="F",
                child_name="x",
            )
        record = family.birth_record(
            actor=users.field_a, mother=people.fang, date=D(2012, 1, 1), sex="F", child_name="x"
        )
        with pytest.raises(PermissionDenied):
            family.birth_override_order(actor=users.field_b, birth=record, order=1, reason="x")
        assert denied().count() == 3
        assert Birth.objects.count() == 1


# =========================================================================== pregnancies


class TestPregnancies:
    def register(self, woman, on=PREG_REGISTERED, expected=PREG_EXPECTED, actor=None):
        return family.pregnancy_register(
            actor=actor, woman=woman, registered_on=on, expected_on=expected
        )

    def test_register_and_close(self, people):
        pregnancy = self.register(people.fang)
        assert (pregnancy.unit, pregnancy.outcome) == (people.fang.unit, "")
        assert audits(pregnancy).exists()
        family.pregnancy_close(
            actor=None, pregnancy=pregnancy, outcome="miscarriage", outcome_on=D(2023, 3, 1)
        )
        pregnancy.refresh_from_db()
        assert (pregnancy.outcome, pregnancy.outcome_on) == ("miscarriage", D(2023, 3, 1))
        assert audits(pregnancy, "update").exists()
        self.register(people.fang, on=D(2023, 6, 1), expected=D(2024, 2, 1))  # a new one

    @pytest.mark.parametrize(
        ("on", "expected", "field", "text"),
        [
            (D(2023, 1, 10), D(2023, 1, 1), "expected_on", "after the registration"),
            (D(2023, 1, 10), D(2023, 1, 10), "expected_on", "after the registration"),
            (D(2023, 1, 10), D(2024, 1, 1), "expected_on", "ten months"),
            (TOMORROW, None, "registered_on", "future"),
            (D(1990, 1, 1), None, "registered_on", "outside reproductive age"),
        ],
    )
    def test_register_bad_input(self, people, on, expected, field, text):
        with pytest.raises(ValidationError) as exc:
            self.register(people.fang, on=on, expected=expected)
        assert text in msg(exc, field)
        assert Pregnancy.objects.count() == 0

    def test_a_man(self, people):
        with pytest.raises(ValidationError) as exc:
            self.register(people.qiang)
        assert "registered as a man" in msg(exc, "woman")

    def test_second_ongoing_pregnancy(self, people):
        self.register(people.fang)
        with pytest.raises(ValidationError) as exc:
            self.register(people.fang, on=D(2023, 2, 1), expected=D(2023, 9, 1))
        assert "ongoing pregnancy" in msg(exc, "woman")
        assert Pregnancy.objects.count() == 1

    def test_register_before_the_last_outcome(self, people):
        pregnancy = self.register(people.fang)
        family.pregnancy_close(
            actor=None, pregnancy=pregnancy, outcome="abortion", outcome_on=D(2023, 3, 1)
        )
        with pytest.raises(ValidationError) as exc:
            self.register(people.fang, on=D(2023, 2, 1), expected=D(2023, 9, 1))
        assert "earlier pregnancy" in msg(exc, "registered_on")

    @pytest.mark.parametrize(
        ("outcome", "outcome_on", "field", "text"),
        [
            ("", D(2023, 3, 1), "outcome", "Choose the outcome"),
            ("twins", D(2023, 3, 1), "outcome", "Choose the outcome"),
            ("miscarriage", D(2023, 1, 1), "outcome_on", "before the registration"),
            ("miscarriage", TOMORROW, "outcome_on", "future"),
        ],
    )
    def test_close_bad_input(self, people, outcome, outcome_on, field, text):
        pregnancy = self.register(people.fang)
        with pytest.raises(ValidationError) as exc:
            family.pregnancy_close(
                actor=None, pregnancy=pregnancy, outcome=outcome, outcome_on=outcome_on
            )
        assert text in msg(exc, field)
        pregnancy.refresh_from_db()
        assert pregnancy.outcome == ""

    def test_close_twice(self, people):
        pregnancy = self.register(people.fang)
        family.pregnancy_close(
            actor=None, pregnancy=pregnancy, outcome="stillbirth", outcome_on=D(2023, 7, 1)
        )
        with pytest.raises(ValidationError, match="already recorded"):
            family.pregnancy_close(
                actor=None, pregnancy=pregnancy, outcome="live_birth", outcome_on=D(2023, 7, 2)
            )

    def test_close_with_a_birth(self, people):
        pregnancy = self.register(people.fang)
        family.pregnancy_close(
            actor=None, pregnancy=pregnancy, outcome="live_birth", outcome_on=D(2023, 7, 20)
        )
        own = family.birth_record(
            actor=None, mother=people.fang, date=D(2023, 7, 20), sex="M", register_child=False
        )
        pregnancy.refresh_from_db()
        assert pregnancy.birth is None  # closed before the birth was entered: link it
        # (a closed pregnancy cannot be closed again: linking is part of the closing)
        other = birth(people.li, D(2023, 7, 20))
        second = self.register(people.fang, on=D(2023, 7, 20), expected=D(2024, 4, 1))
        for outcome, linked, outcome_on, text in (
            ("miscarriage", own, D(2023, 7, 20), "Only a live birth"),
            ("live_birth", other, D(2023, 7, 20), "another mother"),
            ("live_birth", own, D(2023, 7, 21), "not on the outcome date"),
        ):
            with pytest.raises(ValidationError) as exc:
                family.pregnancy_close(
                    actor=None,
                    pregnancy=second,
                    outcome=outcome,
                    outcome_on=outcome_on,
                    birth=linked,
                )
            assert text in msg(exc, "birth")
        family.pregnancy_close(
            actor=None, pregnancy=second, outcome="live_birth", outcome_on=D(2023, 7, 20), birth=own
        )
        second.refresh_from_db()
        assert second.birth == own

    def test_a_birth_links_one_pregnancy_only(self, people):
        self.register(people.fang)
        own = birth(people.fang, D(2023, 7, 20))
        assert own.pregnancy.outcome == "live_birth"  # closed by the birth itself
        second = self.register(people.fang, on=D(2023, 7, 20), expected=D(2024, 4, 1))
        with pytest.raises(ValidationError) as exc:
            family.pregnancy_close(
                actor=None,
                pregnancy=second,
                outcome="live_birth",
                outcome_on=D(2023, 7, 20),
                birth=own,
            )
        assert "already linked" in msg(exc, "birth")

    def test_scope(self, users, people):
        with pytest.raises(PermissionDenied):
            self.register(people.fang, actor=users.field_b)
        pregnancy = self.register(people.fang, actor=users.field_a)
        with pytest.raises(PermissionDenied):
            family.pregnancy_close(
                actor=users.field_b, pregnancy=pregnancy, outcome="abortion", outcome_on=TODAY
            )
        assert denied().count() == 2
        assert audits(pregnancy).get().username == "field_a"


# =========================================================================== selectors


def test_selectors_are_scoped(users, people):
    couple = marry(people.fang, people.qiang)
    record = birth(people.fang, D(2012, 1, 1))
    family.pregnancy_register(actor=None, woman=people.fang, registered_on=D(2023, 1, 1))
    other_couple = marry(people.other, people.other_man)
    birth(people.other, D(2013, 1, 1))
    family.pregnancy_register(actor=None, woman=people.other, registered_on=D(2023, 1, 1))

    assert list(selectors_family.couples_of(user=users.field_a, person=people.fang)) == [couple]
    assert list(selectors_family.couples_of(user=users.field_a, person=people.other)) == []
    assert list(selectors_family.births_of(user=users.field_a, person=people.qiang)) == [record]
    assert selectors_family.birth_list(user=users.field_a).count() == 1
    assert selectors_family.birth_list(user=users.office).count() == 2
    assert selectors_family.birth_list(user=users.office, q="wf").count() == 1
    assert selectors_family.pregnancy_list(user=users.field_a).count() == 1
    assert selectors_family.pregnancy_list(user=users.field_b).count() == 1
    assert selectors_family.person_pick(user=users.field_a, q="qh") == []  # 钱红 of village B
    assert selectors_family.person_pick(user=users.office, q="qh") == [people.other]
    assert selectors_family.person_pick(user=users.field_a, q="zq", sex="F") == []
    number = factories.id_number(people.fang.birth_date, "F", 1)
    assert selectors_family.person_pick(user=users.field_a, q=number) == [people.fang]
    assert selectors_family.person_find(user=users.field_a, pk=people.other.pk) is None
    assert denied().count() == 1
    from django.http import Http404

    with pytest.raises(Http404):
        selectors_family.couple_get(user=users.field_a, pk=other_couple.pk)
    assert denied().count() == 2
