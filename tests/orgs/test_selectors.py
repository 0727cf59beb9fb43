"""Reads of the organisation tree: every selector answers inside the caller's scope."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from jisheng.core.models import AuditEvent
from jisheng.orgs import selectors, services
from jisheng.orgs.models import Unit, User
from tests import factories

pytestmark = pytest.mark.django_db


def codes(units) -> set[str]:
    return {u.code for u in units}


def denied():
    return AuditEvent.objects.filter(action="denied")


ALL_CODES = {
    "990100000000",
    "990100001000",
    "990100001001",
    "990100001002",
    "990100002000",
    "990100002001",
    "MINE01",
    "MINE01-01",
}


class TestUnitListScope:
    def test_county_user_sees_everything(self, tree, users):
        assert codes(selectors.unit_list(user=users.admin)) == ALL_CODES

    def test_town_user_sees_the_town_subtree(self, tree, users):
        assert codes(selectors.unit_list(user=users.town_office)) == {
            "990100001000",
            "990100001001",
            "990100001002",
        }

    def test_village_user_sees_the_village(self, tree, users):
        assert codes(selectors.unit_list(user=users.field_a)) == {"990100001001"}

    def test_superuser_sees_everything(self, tree):
        root = User.objects.create_superuser("root", password=factories.PASSWORD)
        assert codes(selectors.unit_list(user=root)) == ALL_CODES

    def test_user_without_unit_and_anonymous_see_nothing(self, tree):
        lost = User.objects.create_user("lost", password=factories.PASSWORD)
        assert not selectors.unit_list(user=lost).exists()
        assert not selectors.unit_list(user=AnonymousUser()).exists()
        assert not selectors.unit_list(user=None).exists()

    def test_tree_order(self, tree, users):
        paths = [u.path for u in selectors.unit_list(user=users.admin)]
        assert paths == sorted(paths)


class TestUnitListFilters:
    def test_parent_gives_direct_children(self, tree, users):
        assert codes(selectors.unit_list(user=users.admin, parent=tree.county)) == {
            "990100001000",
            "990100002000",
            "MINE01",
        }

    def test_parent_limits_to_children_in_scope(self, tree, users):
        assert codes(selectors.unit_list(user=users.field_a, parent=tree.town)) == {"990100001001"}
        assert not selectors.unit_list(user=users.field_a, parent=tree.street).exists()

    def test_within_gives_the_subtree(self, tree, users):
        assert codes(selectors.unit_list(user=users.admin, within=tree.mine)) == {
            "MINE01",
            "MINE01-01",
        }

    def test_type(self, tree, users):
        assert codes(selectors.unit_list(user=users.admin, unit_type="village")) == {
            "990100001001",
            "990100001002",
        }
        assert codes(selectors.unit_list(user=users.field_a, unit_type="township")) == set()

    def test_text_matches_name_or_code_prefix(self, tree, users):
        assert codes(selectors.unit_list(user=users.admin, q="煤矿")) == {"MINE01"}
        assert codes(selectors.unit_list(user=users.admin, q="9901000020")) == {
            "990100002000",
            "990100002001",
        }
        assert codes(selectors.unit_list(user=users.admin, q="mine01-")) == {"MINE01-01"}
        # a code is matched from its start only
        assert codes(selectors.unit_list(user=users.admin, q="0001001")) == set()
        assert codes(selectors.unit_list(user=users.admin, q="  ")) == ALL_CODES

    def test_text_respects_scope(self, tree, users):
        assert codes(selectors.unit_list(user=users.field_a, q="村")) == {"990100001001"}

    def test_active(self, tree, users):
        services.unit_update(actor=None, unit=tree.shaft, data={"is_active": False})
        assert codes(selectors.unit_list(user=users.admin, is_active=False)) == {"MINE01-01"}
        assert "MINE01-01" not in codes(selectors.unit_list(user=users.admin, is_active=True))

    def test_filters_combine(self, tree, users):
        units = selectors.unit_list(user=users.admin, within=tree.town, unit_type="village", q="乙")
        assert codes(units) == {"990100001002"}


class TestOtherUnitSelectors:
    def test_with_parent_fields(self, tree, users):
        units = {u.code: u for u in selectors.with_parent_fields(Unit.objects.all())}
        assert units["990100001001"].parent_name == "东城镇"
        assert units["990100001001"].parent_code == "990100001000"
        assert units["MINE01-01"].parent_code == "MINE01"
        assert units["990100000000"].parent_code is None

    def test_unit_get(self, tree, users):
        assert selectors.unit_get(user=users.field_a, code="990100001001") == tree.village_a
        with pytest.raises(Http404):
            selectors.unit_get(user=users.field_a, code="990100001002")
        assert denied().get().object_id == str(tree.village_b.pk)
        with pytest.raises(Http404):
            selectors.unit_get(user=users.field_a, code="no-such-code")
        assert denied().count() == 1

    def test_unit_find(self, tree, users):
        assert selectors.unit_find(user=users.town_office, code=" 990100001002 ") == tree.village_b
        assert selectors.unit_find(user=users.town_office, code="990100002000") is None
        assert denied().count() == 1
        assert selectors.unit_find(user=users.town_office, code="990100009000") is None
        assert selectors.unit_find(user=users.town_office, code="") is None
        assert denied().count() == 1

    def test_children_in_scope(self, tree, users):
        assert codes(selectors.unit_children(user=users.admin, unit=tree.town)) == {
            "990100001001",
            "990100001002",
        }
        assert codes(selectors.unit_children(user=users.field_a, unit=tree.town)) == {
            "990100001001"
        }
        assert not selectors.unit_children(user=users.field_a, unit=tree.street).exists()

    def test_subtree_count(self, tree, users):
        assert selectors.unit_subtree_count(user=users.admin, root=tree.county) == 7
        assert selectors.unit_subtree_count(user=users.admin, root=tree.village_a) == 0

    def test_ancestors_in_scope(self, tree, users):
        assert [
            u.code for u in selectors.unit_ancestors(user=users.admin, unit=tree.village_a)
        ] == [
            "990100000000",
            "990100001000",
        ]
        assert [
            u.code for u in selectors.unit_ancestors(user=users.town_office, unit=tree.village_a)
        ] == ["990100001000"]
        assert selectors.unit_ancestors(user=users.admin, unit=tree.county) == []

    def test_unit_root_for(self, tree, users):
        assert list(selectors.unit_root_for(users.town_office)) == [tree.town]
        root = User.objects.create_superuser("root", password=factories.PASSWORD)
        assert list(selectors.unit_root_for(root)) == [tree.county]
        lost = User.objects.create_user("lost", password=factories.PASSWORD)
        assert not selectors.unit_root_for(lost).exists()

    def test_search(self, tree, users):
        results = selectors.unit_search(user=users.town_office, q="村")
        assert [u.code for u in results] == ["990100001001", "990100001002"]
        assert results[0].parent_name == "东城镇"
        assert selectors.unit_search(user=users.town_office, q="西城") == []
        assert selectors.unit_search(user=users.admin, q="") == []
        assert len(selectors.unit_search(user=users.admin, q="9901", limit=3)) == 3

    def test_working_unit_for(self, tree, users):
        user = users.town_office
        assert selectors.working_unit_for(user) == tree.town
        assert selectors.working_unit_for(user, tree.village_b.pk) == tree.village_b
        assert selectors.working_unit_for(user, str(tree.village_b.pk)) == tree.village_b
        assert selectors.working_unit_for(user, tree.street.pk) == tree.town  # out of scope
        assert selectors.working_unit_for(user, "junk") == tree.town
        assert selectors.working_unit_for(AnonymousUser(), tree.town.pk) is None


class TestRecordSelectors:
    @pytest.fixture
    def b_records(self, tree):
        position = services.position_create(
            actor=None,
            unit=tree.village_b,
            role="specialist",
            holder_name="乙",
            start_date=datetime.date(2024, 1, 1),
        )
        old = services.position_create(
            actor=None,
            unit=tree.village_b,
            role="propagandist",
            holder_name="旧",
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date(2021, 1, 1),
        )
        committee = services.committee_create(
            actor=None, unit=tree.village_b, name="小组", kind="leading_group"
        )
        member = services.committee_member_add(actor=None, committee=committee, name="组长")
        return position, old, committee, member

    def test_gets_in_scope(self, tree, users, b_records):
        position, _old, committee, member = b_records
        assert selectors.position_get(user=users.town_office, pk=position.pk) == position
        assert selectors.committee_get(user=users.town_office, pk=committee.pk) == committee
        assert selectors.committee_member_get(user=users.town_office, pk=member.pk) == member

    def test_gets_out_of_scope_are_404_and_audited(self, tree, users, b_records):
        position, _old, committee, member = b_records
        for get, obj in (
            (selectors.position_get, position),
            (selectors.committee_get, committee),
            (selectors.committee_member_get, member),
        ):
            with pytest.raises(Http404):
                get(user=users.field_a, pk=obj.pk)
        assert denied().count() == 3
        with pytest.raises(Http404):
            selectors.position_get(user=users.field_a, pk="abc")

    def test_lists(self, tree, users, b_records):
        position, old, committee, _member = b_records
        assert set(selectors.position_list(user=users.town_office)) == {position, old}
        assert list(selectors.position_list(user=users.field_a)) == []
        current = selectors.position_list(
            user=users.admin,
            unit=tree.village_b,
            current_only=True,
            on=datetime.date(2025, 1, 1),
        )
        assert list(current) == [position]
        assert list(selectors.committee_list(user=users.town_office)) == [committee]
        assert list(selectors.committee_list(user=users.field_a)) == []

    def test_user_list(self, tree, users):
        assert {u.username for u in selectors.user_list(user=users.field_a)} == {"field_a"}
        assert {u.username for u in selectors.user_list(user=users.town_office)} == {
            "town_office",
            "field_a",
            "field_b",
        }
