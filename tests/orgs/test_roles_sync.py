"""Role groups hold exactly the permissions the apps grant (the registry), for every app."""

from django.contrib.auth.models import Group

from jisheng.orgs.roles import role_permissions


def test_every_role_group_has_all_its_permissions(db):
    for code, perms in role_permissions().items():
        group = Group.objects.get(name=code)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(perms), code


def test_field_staff_cannot_see_full_ids_but_office_can(users):
    assert users.office.has_perm("people.view_full_id")
    assert not users.field_a.has_perm("people.view_full_id")
    assert users.field_a.has_perm("people.add_lifeevent")
    assert not users.leader.has_perm("people.add_person")
