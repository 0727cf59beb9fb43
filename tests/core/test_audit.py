"""The audit log: what services record, and that nothing can change it."""

import pytest

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.context import RequestMeta, current_request
from jisheng.core.models import AuditEvent, ImmutableError
from jisheng.orgs import services


def test_create_update_delete_are_recorded_with_before_and_after(tree, users):
    unit = services.unit_create(
        actor=users.office, parent=tree.village_a, code="G01", name="第一小组", unit_type="group"
    )
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(unit.pk))
    assert created.username == "office"
    assert created.unit_code == "990100000000"
    assert created.unit_name == "示范县"
    assert created.changes["name"] == [None, "第一小组"]
    assert created.object_type == "orgs.unit"

    services.unit_update(actor=users.office, unit=unit, data={"name": "一组", "phone": ""})
    updated = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(unit.pk))
    assert updated.changes == {"name": ["第一小组", "一组"]}

    services.unit_delete(actor=users.office, unit=unit)
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE, object_id=str(unit.pk))
    assert deleted.changes["code"] == ["G01", None]


def test_update_without_change_writes_nothing(tree, users):
    before = AuditEvent.objects.count()
    services.unit_update(actor=users.office, unit=tree.town, data={"name": "东城镇"})
    assert AuditEvent.objects.count() == before


def test_failed_validation_writes_no_audit(tree, users):
    from django.core.exceptions import ValidationError

    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.unit_update(actor=users.office, unit=tree.town, data={"code": "12"})
    assert AuditEvent.objects.count() == before
    tree.town.refresh_from_db()
    assert tree.town.code == "990100001000"


def test_request_metadata_is_kept(tree, users):
    token = current_request.set(RequestMeta(ip_address="127.0.0.9", path="/x/", request_id="r1"))
    try:
        event = audit.record(actor=users.field_a, action=AuditAction.VIEW, obj=tree.village_a)
    finally:
        current_request.reset(token)
    assert (event.ip_address, event.request_path, event.request_id) == ("127.0.0.9", "/x/", "r1")


def test_audit_events_cannot_be_changed_or_deleted(tree, users):
    event = audit.record(actor=users.office, action=AuditAction.VIEW, obj=tree.county)
    event.message = "tampered"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(message="tampered")
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).message == ""


def test_system_actor(tree):
    event = audit.record(actor=None, action=AuditAction.CREATE, obj=tree.county)
    assert event.username == "system"
    assert event.user is None


def test_diff_and_snapshot():
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}
