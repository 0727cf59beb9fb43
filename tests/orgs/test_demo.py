"""The demo organisation (示范县): shape, staff, logins, audit, and idempotence."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from jisheng.core.models import AuditEvent
from jisheng.core.scope import restrict
from jisheng.orgs.choices import (
    TERRITORIAL_CODE_DIGITS,
    CommitteeKind,
    PositionRole,
    Role,
    UnitType,
)
from jisheng.orgs.demo import COUNTY_CODE, DEMO_PASSWORD, DEMO_USERS, load_demo
from jisheng.orgs.models import Committee, CommitteeMember, Position, Unit, User
from jisheng.orgs.validators import validate_unit_code

pytestmark = pytest.mark.django_db


def children(unit: Unit):
    return Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "positions": Position.objects.count(),
        "committees": Committee.objects.count(),
        "members": CommitteeMember.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def demo():
    return load_demo()


def test_county_townships_and_villages_follow_the_code_scheme(demo):
    county = Unit.objects.get(code=COUNTY_CODE)
    assert county.name == "示范县"
    assert county.unit_type == UnitType.COUNTY
    assert county.depth == 1
    towns = list(children(county).filter(unit_type__in=[UnitType.TOWNSHIP, UnitType.STREET]))
    assert 4 <= len(towns) <= 6
    for town in towns:
        assert town.code.startswith("990100") and town.code.endswith("000")
        assert town.code[6:9] != "000"
        villages = list(children(town).filter(unit_type__in=[UnitType.VILLAGE, UnitType.COMMUNITY]))
        assert 3 <= len(villages) <= 6, town.name
        for village in villages:
            assert village.code[:9] == town.code[:9]
            assert village.code[9:] != "000"
            assert len(village.code) == 12 and village.code.isdigit()


def test_every_demo_unit_passes_the_code_validator_against_its_parent(demo):
    for unit in Unit.objects.all():
        parent = unit.parent_unit
        validate_unit_code(
            unit.code,
            unit.unit_type,
            parent.code if parent else "",
            parent.unit_type if parent else "",
        )
        unit.full_clean(exclude=["path", "depth", "numchild"])
    territorial = Unit.objects.filter(unit_type__in=list(TERRITORIAL_CODE_DIGITS))
    assert all(u.code.startswith("9901") for u in territorial)


def test_association_groups_mine_and_school_are_present(demo):
    village = Unit.objects.get(code="990100001001")
    groups = children(village).filter(unit_type=UnitType.GROUP)
    assert groups.count() >= 2
    mine = Unit.objects.get(name="示范煤矿")
    assert mine.unit_type == UnitType.ENTERPRISE
    assert mine.path.startswith(Unit.objects.get(code=COUNTY_CODE).path) and mine.depth == 2
    mine_parts = {
        u.name: u.unit_type
        for u in Unit.objects.filter(path__startswith=mine.path).exclude(pk=mine.pk)
    }
    assert mine_parts["一号井"] == UnitType.BRANCH
    assert mine_parts["二号井"] == UnitType.BRANCH
    assert UnitType.SECTION in mine_parts.values()
    school = Unit.objects.get(name="示范中学")
    assert school.unit_type == UnitType.SCHOOL
    assert "教务处" in {u.name for u in children(school)}


def test_county_and_every_township_have_their_staff(demo):
    wanted = {
        PositionRole.FIRST_RESPONSIBLE,
        PositionRole.LEADER_IN_CHARGE,
        PositionRole.OFFICE_DIRECTOR,
        PositionRole.SPECIALIST,
        PositionRole.PROPAGANDIST,
        PositionRole.COMMODITY_KEEPER,
    }
    county = Unit.objects.get(code=COUNTY_CODE)
    for unit in [county, *children(county).filter(code__startswith="990100")]:
        roles = set(Position.objects.filter(unit=unit).values_list("role", flat=True))
        assert wanted <= roles, unit.name
    for position in Position.objects.all():
        assert position.holder_name.strip()
        assert position.start_date is not None
        assert position.end_date is None


def test_leading_group_has_members_with_division_of_labour(demo):
    group = Committee.objects.get(unit__code=COUNTY_CODE, kind=CommitteeKind.LEADING_GROUP)
    assert "领导小组" in group.name
    members = list(group.members.all())
    assert len(members) >= 5
    assert all(m.duties.strip() for m in members)
    assert {m.role for m in members} >= {"chair", "vice_chair", "member"}


def test_one_demo_login_per_role_with_the_demo_password(demo):
    roles_seen = set()
    request = RequestFactory().post("/login/")
    for username, role, unit_code, _full_name in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.unit.code == unit_code
        assert role in user.role_codes
        roles_seen.add(role)
        assert authenticate(request, username=username, password=DEMO_PASSWORD) == user
    assert roles_seen == set(Role.values)
    printed = {login[0] for login in demo.logins}
    assert printed == {u[0] for u in DEMO_USERS}


def test_demo_specialist_sees_only_her_village(demo):
    zhuangan = User.objects.get(username="zhuangan")
    visible = set(restrict(Unit.objects.all(), zhuangan).values_list("code", flat=True))
    assert "990100001001" in visible
    assert "990100001002" not in visible
    assert COUNTY_CODE not in visible
    assert all(code.startswith("990100001001") for code in visible)


def test_everything_is_written_through_the_services_and_audited_as_system(demo):
    unit_events = AuditEvent.objects.filter(object_type="orgs.unit", action="create")
    assert unit_events.count() == Unit.objects.count()
    assert set(unit_events.values_list("username", flat=True)) == {"system"}
    assert AuditEvent.objects.filter(object_type="orgs.user", action="create").count() == len(
        DEMO_USERS
    )
    assert AuditEvent.objects.filter(object_type="orgs.position").count() == (
        Position.objects.count()
    )


def test_loading_again_changes_nothing():
    first = load_demo()
    assert first.created_anything
    before = counts()
    second = load_demo()
    assert not second.created_anything
    assert counts() == before
    assert second.logins == first.logins


def test_reload_keeps_changes_made_since_and_completes_what_is_missing(demo):
    from jisheng.orgs import services

    village = Unit.objects.get(code="990100001002")
    services.unit_update(actor=None, unit=village, data={"name": "石桥村（已改名）"})
    Position.objects.filter(unit__code=COUNTY_CODE, role=PositionRole.PROPAGANDIST).delete()
    again = load_demo()
    assert Unit.objects.get(code="990100001002").name == "石桥村（已改名）"
    assert again.positions == 1 and again.units == 0 and again.users == 0


def test_demo_command_without_serving_prints_the_logins():
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username, *_rest in DEMO_USERS:
        assert username in text
    assert "计生办" in text and "专干/宣传员" in text
    out = io.StringIO()
    before = counts()
    call_command("demo", "--no-serve", stdout=out)
    assert counts() == before
    assert DEMO_PASSWORD in out.getvalue()
