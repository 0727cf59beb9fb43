"""Writes to the organisation tree: rules, data scope and audit events."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jisheng.core.models import AuditEvent
from jisheng.orgs import services
from jisheng.orgs.models import Committee, CommitteeMember, Position, Unit
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime.date(2024, 1, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def denied():
    return AuditEvent.objects.filter(action="denied")


def events_for(obj, action, pk=None):
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(pk or obj.pk)
    )


# --------------------------------------------------------------------------- unit_create


class TestUnitCreate:
    def test_creates_under_parent_with_audit(self, tree, users):
        unit = services.unit_create(
            actor=users.town_office,
            parent=tree.town,
            code=" 990100001003 ",
            name=" 丁村 ",
            unit_type="village",
        )
        assert unit.code == "990100001003" and unit.name == "丁村"
        assert unit.parent_unit == tree.town
        assert Unit.objects.get(pk=tree.town.pk).numchild == 3
        event = events_for(unit, "create").get()
        assert event.username == "town_office"
        assert event.unit_code == tree.town.code
        assert event.changes["code"] == [None, "990100001003"]
        assert event.object_scope_path == unit.path

    def test_work_unit_under_village(self, tree):
        unit = services.unit_create(
            actor=None, parent=tree.village_a, code="G-01", name="一组", unit_type="group"
        )
        assert unit.depth == tree.village_a.depth + 1

    @pytest.mark.parametrize(
        ("code", "unit_type", "rule"),
        [
            ("990100002005", "village", "990100001"),  # wrong prefix for 东城镇
            ("99010000100", "village", "12 digits"),
            ("99010000100X", "village", "digits only"),
            ("990100001000", "village", "may not all be zero"),
            ("990100001001", "village", "already exists"),  # duplicate
            ("", "village", "required"),
            ("bad code!", "enterprise", "letters, digits"),
        ],
    )
    def test_bad_codes(self, tree, code, unit_type, rule):
        before = Unit.objects.count(), AuditEvent.objects.count()
        with pytest.raises(ValidationError) as excinfo:
            services.unit_create(
                actor=None, parent=tree.town, code=code, name="新单位", unit_type=unit_type
            )
        assert "code" in excinfo.value.error_dict
        assert rule in " ".join(excinfo.value.messages)
        assert (Unit.objects.count(), AuditEvent.objects.count()) == before

    def test_blank_name(self, tree):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_create(
                actor=None, parent=tree.town, code="990100001003", name="  ", unit_type="village"
            )
        assert "name" in excinfo.value.error_dict
        assert not Unit.objects.filter(code="990100001003").exists()

    def test_out_of_scope_parent_is_denied_and_audited(self, tree, users):
        """An office user of 东城镇 cannot create a unit under 西城街道."""
        with pytest.raises(PermissionDenied):
            services.unit_create(
                actor=users.town_office,
                parent=tree.street,
                code="990100002002",
                name="丁社区",
                unit_type="community",
            )
        assert not Unit.objects.filter(code="990100002002").exists()
        event = denied().get()  # kept although the service failed
        assert event.object_id == str(tree.street.pk)
        assert event.username == "town_office"

    def test_only_superuser_creates_roots(self, tree, users):
        with pytest.raises(PermissionDenied):
            services.unit_create(
                actor=users.admin,
                parent=None,
                code="990200000000",
                name="另一县",
                unit_type="county",
            )
        root = factories.user("boss", tree.county)
        root.is_superuser = True
        unit = services.unit_create(
            actor=root, parent=None, code="990200000000", name="另一县", unit_type="county"
        )
        assert unit.depth == 1


# --------------------------------------------------------------------------- unit_update


class TestUnitUpdate:
    def test_diff_is_audited(self, tree, users):
        services.unit_update(
            actor=users.town_office,
            unit=tree.village_a,
            data={"name": "甲村社区", "address": " 甲村路1号 ", "is_active": True},
        )
        tree.village_a.refresh_from_db()
        assert tree.village_a.address == "甲村路1号"
        event = events_for(tree.village_a, "update").get()
        assert event.changes == {"name": ["甲村", "甲村社区"], "address": ["", "甲村路1号"]}

    def test_no_change_writes_no_event(self, tree, users):
        services.unit_update(actor=users.town_office, unit=tree.village_a, data={"name": "甲村"})
        assert not events_for(tree.village_a, "update").exists()

    def test_code_must_fit_parent(self, tree):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_update(actor=None, unit=tree.village_a, data={"code": "990100002009"})
        assert "code" in excinfo.value.error_dict
        assert Unit.objects.get(pk=tree.village_a.pk).code == "990100001001"

    def test_code_must_still_fit_children(self, tree, users):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_update(actor=users.admin, unit=tree.town, data={"code": "990100003000"})
        assert "甲村" in " ".join(excinfo.value.messages)
        assert Unit.objects.get(pk=tree.town.pk).code == "990100001000"  # rolled back
        assert not events_for(tree.town, "update").exists()

    def test_duplicate_code(self, tree):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_update(actor=None, unit=tree.village_a, data={"code": "990100001002"})
        assert "code" in excinfo.value.error_dict

    def test_blank_name(self, tree):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_update(actor=None, unit=tree.village_a, data={"name": " "})
        assert "name" in excinfo.value.error_dict

    def test_out_of_scope(self, tree, users):
        with pytest.raises(PermissionDenied):
            services.unit_update(actor=users.field_a, unit=tree.village_b, data={"name": "x"})
        assert Unit.objects.get(pk=tree.village_b.pk).name == "乙村"
        assert denied().get().object_id == str(tree.village_b.pk)


# --------------------------------------------------------------------------- unit_move


class TestUnitMove:
    def test_moves_subtree_and_audits(self, tree, users):
        services.unit_move(actor=users.admin, unit=tree.mine, new_parent=tree.town)
        mine = Unit.objects.get(pk=tree.mine.pk)
        shaft = Unit.objects.get(pk=tree.shaft.pk)
        assert mine.parent_unit == tree.town
        assert shaft.path.startswith(mine.path)  # the subtree went along
        assert Unit.objects.get(pk=tree.town.pk).numchild == 3
        assert Unit.objects.get(pk=tree.county.pk).numchild == 2
        assert events_for(mine, "update").get().changes == {
            "parent": [tree.county.code, tree.town.code]
        }

    def test_scope_follows_the_move(self, tree, users):
        services.unit_move(actor=users.admin, unit=tree.shaft, new_parent=tree.village_a)
        from jisheng.orgs import selectors

        codes = {u.code for u in selectors.unit_list(user=users.field_a)}
        assert codes == {tree.village_a.code, tree.shaft.code}

    def test_not_below_itself(self, tree, users):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_move(actor=users.admin, unit=tree.mine, new_parent=tree.shaft)
        assert "parent" in excinfo.value.error_dict

    def test_not_to_the_same_parent(self, tree, users):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_move(actor=users.admin, unit=tree.shaft, new_parent=tree.mine)
        assert "parent" in excinfo.value.error_dict

    def test_code_must_fit_new_parent(self, tree, users):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_move(actor=users.admin, unit=tree.village_b, new_parent=tree.street)
        assert "code" in excinfo.value.error_dict
        assert Unit.objects.get(pk=tree.village_b.pk).parent_unit == tree.town

    def test_new_parent_out_of_scope(self, tree, users):
        with pytest.raises(PermissionDenied):
            services.unit_move(actor=users.town_office, unit=tree.village_b, new_parent=tree.street)
        assert denied().get().object_id == str(tree.street.pk)
        assert Unit.objects.get(pk=tree.village_b.pk).parent_unit == tree.town


# --------------------------------------------------------------------------- unit_delete


class TestUnitDelete:
    def test_deletes_leaf_with_its_records_each_audited(self, tree, users):
        position = services.position_create(
            actor=None,
            unit=tree.community,
            role="specialist",
            holder_name="专干",
            start_date=START,
        )
        committee = services.committee_create(
            actor=None, unit=tree.community, name="领导小组", kind="leading_group"
        )
        member = services.committee_member_add(actor=None, committee=committee, name="组长")
        objects = [(obj, obj.pk) for obj in (position, committee, member, tree.community)]
        services.unit_delete(actor=users.admin, unit=tree.community)
        assert not Unit.objects.filter(code="990100002001").exists()
        assert not Position.objects.exists() and not Committee.objects.exists()
        for obj, pk in objects:
            assert events_for(obj, "delete", pk).count() == 1
        assert Unit.objects.get(pk=tree.street.pk).numchild == 0

    def test_unit_with_children_is_kept(self, tree, users):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_delete(actor=users.admin, unit=tree.town)
        assert "sub-units" in " ".join(excinfo.value.messages)
        assert Unit.objects.filter(pk=tree.town.pk).exists()

    def test_unit_with_users_is_kept(self, tree, users):
        with pytest.raises(ValidationError) as excinfo:
            services.unit_delete(actor=users.admin, unit=tree.village_a)
        assert "user accounts" in " ".join(excinfo.value.messages)
        assert Unit.objects.filter(pk=tree.village_a.pk).exists()

    def test_out_of_scope(self, tree, users):
        with pytest.raises(PermissionDenied):
            services.unit_delete(actor=users.town_office, unit=tree.community)
        assert Unit.objects.filter(pk=tree.community.pk).exists()
        assert denied().count() == 1


# --------------------------------------------------------------------------- positions


class TestPositions:
    def test_create_update_end_delete(self, tree, users):
        position = services.position_create(
            actor=users.town_office,
            unit=tree.village_a,
            role="specialist",
            holder_name=" 专干甲 ",
            start_date=START,
            user=users.field_a,
        )
        assert position.holder_name == "专干甲"
        services.position_update(
            actor=users.town_office, position=position, data={"phone": "13800000001"}
        )
        services.position_end(
            actor=users.town_office, position=position, end_date=datetime.date(2025, 1, 31)
        )
        position.refresh_from_db()
        assert position.end_date == datetime.date(2025, 1, 31)
        changes = [e.changes for e in events_for(position, "update").order_by("id")]
        assert changes == [{"phone": ["", "13800000001"]}, {"end_date": [None, "2025-01-31"]}]
        pk = position.pk
        services.position_delete(actor=users.town_office, position=position)
        assert events_for(position, "delete", pk).count() == 1

    def test_end_before_start(self, tree):
        position = services.position_create(
            actor=None, unit=tree.village_a, role="specialist", holder_name="甲", start_date=START
        )
        with pytest.raises(ValidationError) as excinfo:
            services.position_end(
                actor=None, position=position, end_date=datetime.date(2023, 12, 31)
            )
        assert "end_date" in excinfo.value.error_dict
        position.refresh_from_db()
        assert position.end_date is None

    def test_create_with_end_before_start(self, tree):
        with pytest.raises(ValidationError):
            services.position_create(
                actor=None,
                unit=tree.village_a,
                role="specialist",
                holder_name="甲",
                start_date=START,
                end_date=datetime.date(2023, 1, 1),
            )
        assert not Position.objects.exists()

    def test_login_out_of_scope_is_denied(self, tree, users):
        with pytest.raises(PermissionDenied):
            services.position_create(
                actor=users.field_a,
                unit=tree.village_a,
                role="specialist",
                holder_name="甲",
                start_date=START,
                user=users.field_b,
            )
        assert not Position.objects.exists()
        assert denied().get().object_type == "orgs.user"

    def test_unit_out_of_scope_is_denied(self, tree, users):
        with pytest.raises(PermissionDenied):
            services.position_create(
                actor=users.field_a,
                unit=tree.village_b,
                role="specialist",
                holder_name="乙",
                start_date=START,
            )
        assert denied().count() == 1


# --------------------------------------------------------------------------- committees


class TestCommittees:
    def test_lifecycle(self, tree, users):
        committee = services.committee_create(
            actor=users.town_office,
            unit=tree.town,
            name=" 人口与计划生育委员会 ",
            kind="committee",
            established_on=START,
        )
        assert committee.name == "人口与计划生育委员会"
        member = services.committee_member_add(
            actor=users.town_office,
            committee=committee,
            name="主任",
            role="chair",
            duties="全面负责",
        )
        services.committee_member_update(
            actor=users.town_office, member=member, data={"affiliation": "镇政府"}
        )
        assert events_for(member, "update").get().changes == {"affiliation": ["", "镇政府"]}
        services.committee_update(
            actor=users.town_office, committee=committee, data={"kind": "leading_group"}
        )
        committee_pk, member_pk = committee.pk, member.pk
        services.committee_delete(actor=users.town_office, committee=committee)
        assert not CommitteeMember.objects.exists()
        assert events_for(member, "delete", member_pk).count() == 1
        assert events_for(committee, "delete", committee_pk).count() == 1

    def test_dissolved_before_established(self, tree):
        with pytest.raises(ValidationError) as excinfo:
            services.committee_create(
                actor=None,
                unit=tree.town,
                name="委员会",
                kind="committee",
                established_on=START,
                dissolved_on=datetime.date(2023, 1, 1),
            )
        assert "dissolved_on" in excinfo.value.error_dict
        committee = services.committee_create(
            actor=None, unit=tree.town, name="委员会", kind="committee", established_on=START
        )
        with pytest.raises(ValidationError):
            services.committee_update(
                actor=None, committee=committee, data={"dissolved_on": datetime.date(2023, 1, 1)}
            )

    def test_member_period(self, tree):
        committee = services.committee_create(
            actor=None, unit=tree.town, name="委员会", kind="committee"
        )
        with pytest.raises(ValidationError) as excinfo:
            services.committee_member_add(
                actor=None,
                committee=committee,
                name="甲",
                start_date=START,
                end_date=datetime.date(2023, 1, 1),
            )
        assert "end_date" in excinfo.value.error_dict
        member = services.committee_member_add(
            actor=None, committee=committee, name="甲", start_date=START
        )
        with pytest.raises(ValidationError):
            services.committee_member_update(
                actor=None, member=member, data={"end_date": datetime.date(2023, 1, 1)}
            )

    def test_out_of_scope(self, tree, users):
        committee = services.committee_create(
            actor=None, unit=tree.village_b, name="委员会", kind="committee"
        )
        member = services.committee_member_add(actor=None, committee=committee, name="甲")
        for call in (
            lambda: services.committee_create(
                actor=users.field_a, unit=tree.village_b, name="x", kind="committee"
            ),
            lambda: services.committee_update(
                actor=users.field_a, committee=committee, data={"name": "x"}
            ),
            lambda: services.committee_delete(actor=users.field_a, committee=committee),
            lambda: services.committee_member_add(
                actor=users.field_a, committee=committee, name="x"
            ),
            lambda: services.committee_member_update(
                actor=users.field_a, member=member, data={"name": "x"}
            ),
            lambda: services.committee_member_remove(actor=users.field_a, member=member),
        ):
            with pytest.raises(PermissionDenied):
                call()
        assert denied().count() == 6
        assert Committee.objects.get(pk=committee.pk).name == "委员会"
        assert CommitteeMember.objects.filter(pk=member.pk).exists()


# --------------------------------------------------------------------------- users


def test_user_create_out_of_scope_keeps_the_denied_event(tree, users):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=users.town_office,
            username="intruder",
            unit=tree.street,
            roles=["field"],
            password=factories.PASSWORD,
        )
    assert denied().get().object_id == str(tree.street.pk)
