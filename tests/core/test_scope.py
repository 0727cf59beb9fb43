"""The one data-scope helper: subtree visibility, 404 for outside, audited denial."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.core.scope import (
    get_in_scope_or_404,
    path_in_scope,
    restrict,
    restrict_within,
    user_scope_path,
)
from jisheng.orgs.models import Position, Unit, User


def codes(qs):
    return sorted(u.code for u in qs)


def test_subtree_of_each_level(tree, users):
    assert codes(restrict(Unit.objects.all(), users.field_a)) == ["990100001001"]
    assert codes(restrict(Unit.objects.all(), users.town_office)) == [
        "990100001000",
        "990100001001",
        "990100001002",
    ]
    assert restrict(Unit.objects.all(), users.office).count() == 8


def test_superuser_sees_all_and_unitless_user_sees_nothing(tree):
    root = User.objects.create_superuser("root", password="x")
    assert restrict(Unit.objects.all(), root).count() == 8
    nobody = User.objects.create_user("nobody", password="x")
    assert user_scope_path(nobody) is None
    assert restrict(Unit.objects.all(), nobody).count() == 0
    assert restrict(Unit.objects.all(), AnonymousUser()).count() == 0


def test_sibling_paths_do_not_leak(tree, users):
    """A path prefix must not match a sibling whose path merely starts alike."""
    assert not path_in_scope(tree.village_b.path, users.field_a)
    assert path_in_scope(tree.village_a.path, users.town_office)
    assert not path_in_scope(tree.street.path, users.town_office)


def test_related_models_scoped_through_unit(tree, users):
    from jisheng.orgs import services

    services.position_create(
        actor=None,
        unit=tree.village_b,
        role="specialist",
        holder_name="测试员",
        start_date="2026-01-01",
    )
    assert restrict(Position.objects.all(), users.field_a).count() == 0
    assert restrict(Position.objects.all(), users.town_office).count() == 1


def test_get_in_scope_returns_object(tree, users):
    assert get_in_scope_or_404(Unit.objects.all(), users.field_a, code="990100001001") == (
        tree.village_a
    )


def test_outside_scope_is_404_and_audited(tree, users):
    before = AuditEvent.objects.filter(action=AuditAction.DENIED).count()
    with pytest.raises(Http404):
        get_in_scope_or_404(Unit.objects.all(), users.field_a, code="990100001002")
    event = AuditEvent.objects.filter(action=AuditAction.DENIED).first()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).count() == before + 1
    assert event.username == "field_a"
    assert event.unit_code == "990100001001"
    assert event.object_id == str(tree.village_b.pk)
    assert event.object_scope_path == tree.village_b.path


def test_missing_object_is_404_without_denied_event(tree, users):
    with pytest.raises(Http404):
        get_in_scope_or_404(Unit.objects.all(), users.field_a, code="990199999999")
    with pytest.raises(Http404):
        get_in_scope_or_404(Unit.objects.all(), users.field_a, pk="not-a-number")
    assert not AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


def test_model_without_scope_field_is_refused(db):
    from django.contrib.auth.models import Group

    with pytest.raises(TypeError):
        restrict(
            Group.objects.all(),
            type(
                "U",
                (),
                {"is_authenticated": True, "is_superuser": False, "unit": Unit(path="0001")},
            )(),
        )


def test_require_in_scope_refuses_and_audits_writes_outside(tree, users):
    from django.core.exceptions import PermissionDenied

    from jisheng.core.scope import require_in_scope

    require_in_scope(users.field_a, tree.village_a)
    require_in_scope(None, tree.village_b)  # the system writes anywhere
    with pytest.raises(PermissionDenied):
        require_in_scope(users.field_a, tree.village_b)
    event = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert event.object_id == str(tree.village_b.pk)
    assert event.object_scope_path == tree.village_b.path


def test_restrict_within_a_unit_uses_one_condition(tree, users):
    units = Unit.objects.all()
    town = restrict_within(units, users.town_office, tree.village_a)
    assert set(town.values_list("code", flat=True)) == {tree.village_a.code}
    assert str(town.query).count("LIKE") == 1  # one prefix, not the scope's and the unit's
    assert list(restrict_within(units, users.field_a, tree.village_b)) == []  # outside
    assert list(restrict_within(units, users.field_a, tree.town)) == []  # above the scope
    assert set(restrict_within(units, users.field_a, None)) == set(restrict(units, users.field_a))
    assert restrict_within(units, users.admin, tree.street).count() == (
        units.filter(path__startswith=tree.street.path).count()
    )
