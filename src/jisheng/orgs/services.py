"""Writes to the organisation tree, positions, committees and users.

Every function checks that the actor may write to the unit concerned (its data scope)
*before* opening its transaction, so that a refused attempt's ``denied`` audit event is
kept rather than rolled back with the transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import path_in_scope, require_in_scope
from jisheng.core.services import model_create, model_delete, model_update
from jisheng.orgs.models import Committee, CommitteeMember, Position, Unit, User
from jisheng.orgs.validators import validate_unit_code

UNIT_EDITABLE_FIELDS = ["code", "name", "unit_type", "address", "phone", "notes", "is_active"]


def _require_in_scope(actor: Any, unit: Unit | None) -> None:
    """Writers may only touch units inside their own subtree (system actor: ``None``)."""
    if actor is None:
        return
    if unit is None:
        if not getattr(actor, "is_superuser", False):
            raise PermissionDenied(_("Only a superuser can create a top-level unit."))
        return
    require_in_scope(actor, unit)


def _require_login_in_scope(actor: Any, login: User | None) -> None:
    """A position may only be linked to a login the actor can see."""
    if actor is None or login is None:
        return
    unit = login.unit
    if unit is None or not path_in_scope(unit.path, actor):
        audit.record(
            actor=actor,
            action=AuditAction.DENIED,
            obj=login,
            message=_("Linked a login outside the user's data scope."),
        )
        raise PermissionDenied(_("This login is outside your data scope."))


def _clean_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def unit_create(
    *,
    actor: Any,
    parent: Unit | None,
    code: str,
    name: str,
    unit_type: str,
    address: str = "",
    phone: str = "",
    notes: str = "",
    is_active: bool = True,
) -> Unit:
    """Create a unit under ``parent`` (or a root when ``parent`` is None).

    The code must fit the unit type and the parent (territorial codes) and be unique;
    the name must not be blank.
    """
    _require_in_scope(actor, parent)
    with transaction.atomic():
        unit = Unit(
            code=(code or "").strip(),
            name=(name or "").strip(),
            unit_type=unit_type,
            address=(address or "").strip(),
            phone=(phone or "").strip(),
            notes=notes or "",
            is_active=is_active,
        )
        unit._pending_parent = parent  # lets Unit.clean() check the code against the parent
        unit.full_clean(exclude=["path", "depth", "numchild"])
        unit = (
            Unit.objects.add_child(parent, instance=unit)
            if parent
            else Unit.objects.add_root(instance=unit)
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=unit,
            changes={k: [None, v] for k, v in audit.snapshot(unit).items() if v not in (None, "")},
        )
    return unit


def unit_update(*, actor: Any, unit: Unit, data: dict[str, Any]) -> Unit:
    """Change the fields of a unit. A new code or type must still fit the parent and the
    sub-units; the name must not be blank."""
    _require_in_scope(actor, unit)
    data = {k: _clean_text(v) for k, v in data.items()}
    with transaction.atomic():
        unit = model_update(instance=unit, fields=UNIT_EDITABLE_FIELDS, data=data, actor=actor)
        if "code" in data or "unit_type" in data:
            for child in Unit.objects.get_children(unit):
                child._cached_parent_obj = unit
                try:
                    child.full_clean(exclude=["path", "depth", "numchild"])
                except ValidationError as exc:
                    raise ValidationError(
                        {
                            "code": _("Sub-unit %(child)s no longer fits this code: %(error)s")
                            % {"child": child.name, "error": "; ".join(exc.messages)}
                        }
                    ) from exc
    return unit


def unit_move(*, actor: Any, unit: Unit, new_parent: Unit) -> Unit:
    """Move ``unit`` (with its subtree) under ``new_parent``; both must be in scope and the
    unit's code must fit the new parent."""
    _require_in_scope(actor, unit)
    _require_in_scope(actor, new_parent)
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved below itself.")})
    old_parent = unit.parent_unit
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise ValidationError({"parent": _("The unit is already under this parent.")})
    validate_unit_code(unit.code, unit.unit_type, new_parent.code, new_parent.unit_type)
    with transaction.atomic():
        Unit.objects.move(unit, new_parent, pos="sorted-child")
        unit.refresh_from_db()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=unit,
            changes={"parent": [old_parent.code if old_parent else None, new_parent.code]},
        )
    return unit


def unit_delete(*, actor: Any, unit: Unit) -> None:
    """Delete a unit that has no sub-units and no user accounts.

    Its positions, committees and committee members go with it, each with its own
    audit event.
    """
    _require_in_scope(actor, unit)
    if Unit.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk).exists():
        raise ValidationError(_("A unit with sub-units cannot be deleted; deactivate it instead."))
    if unit.users.exists():
        raise ValidationError(
            _("A unit with user accounts cannot be deleted; move or remove the users first.")
        )
    with transaction.atomic():
        for position in unit.positions.all():
            model_delete(instance=position, actor=actor)
        for committee in unit.committees.all():
            _committee_delete(actor=actor, committee=committee)
        model_delete(instance=unit, actor=actor)


POSITION_FIELDS = ["role", "holder_name", "title", "phone", "user", "start_date", "end_date"]


def position_create(*, actor: Any, unit: Unit, **data: Any) -> Position:
    """Record that a named person holds a post in ``unit`` from ``start_date``."""
    _require_in_scope(actor, unit)
    _require_login_in_scope(actor, data.get("user"))
    data = {k: _clean_text(v) for k, v in data.items()}
    return model_create(model=Position, actor=actor, data={"unit": unit, **data})


def position_update(*, actor: Any, position: Position, data: dict[str, Any]) -> Position:
    _require_in_scope(actor, position.unit)
    if data.get("user") is not None and data["user"] != position.user:
        _require_login_in_scope(actor, data["user"])
    data = {k: _clean_text(v) for k, v in data.items()}
    return model_update(instance=position, fields=POSITION_FIELDS, data=data, actor=actor)


def position_end(*, actor: Any, position: Position, end_date: datetime.date) -> Position:
    """Close a position (the holder left the post on ``end_date``)."""
    if end_date is None:
        raise ValidationError({"end_date": _("The end date is required.")})
    return position_update(actor=actor, position=position, data={"end_date": end_date})


def position_delete(*, actor: Any, position: Position) -> None:
    _require_in_scope(actor, position.unit)
    model_delete(instance=position, actor=actor)


COMMITTEE_FIELDS = ["name", "kind", "established_on", "dissolved_on", "notes"]
MEMBER_FIELDS = ["name", "role", "affiliation", "duties", "start_date", "end_date"]


def _check_period(data: dict[str, Any], start: str, end: str) -> None:
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ValidationError({end: _("The end date is before the start date.")})


def committee_create(*, actor: Any, unit: Unit, **data: Any) -> Committee:
    _require_in_scope(actor, unit)
    data = {k: _clean_text(v) for k, v in data.items()}
    _check_period(data, "established_on", "dissolved_on")
    return model_create(model=Committee, actor=actor, data={"unit": unit, **data})


def committee_update(*, actor: Any, committee: Committee, data: dict[str, Any]) -> Committee:
    _require_in_scope(actor, committee.unit)
    data = {k: _clean_text(v) for k, v in data.items()}
    merged = {f: data.get(f, getattr(committee, f)) for f in ("established_on", "dissolved_on")}
    _check_period(merged, "established_on", "dissolved_on")
    return model_update(instance=committee, fields=COMMITTEE_FIELDS, data=data, actor=actor)


def _committee_delete(*, actor: Any, committee: Committee) -> None:
    with transaction.atomic():
        for member in committee.members.all():
            model_delete(instance=member, actor=actor)
        model_delete(instance=committee, actor=actor)


def committee_delete(*, actor: Any, committee: Committee) -> None:
    """Delete a committee and its members (each deletion audited)."""
    _require_in_scope(actor, committee.unit)
    _committee_delete(actor=actor, committee=committee)


def committee_member_add(*, actor: Any, committee: Committee, **data: Any) -> CommitteeMember:
    _require_in_scope(actor, committee.unit)
    data = {k: _clean_text(v) for k, v in data.items()}
    _check_period(data, "start_date", "end_date")
    return model_create(model=CommitteeMember, actor=actor, data={"committee": committee, **data})


def committee_member_update(
    *, actor: Any, member: CommitteeMember, data: dict[str, Any]
) -> CommitteeMember:
    _require_in_scope(actor, member.committee.unit)
    data = {k: _clean_text(v) for k, v in data.items()}
    merged = {f: data.get(f, getattr(member, f)) for f in ("start_date", "end_date")}
    _check_period(merged, "start_date", "end_date")
    return model_update(instance=member, fields=MEMBER_FIELDS, data=data, actor=actor)


def committee_member_remove(*, actor: Any, member: CommitteeMember) -> None:
    _require_in_scope(actor, member.committee.unit)
    model_delete(instance=member, actor=actor)


def user_create(
    *,
    actor: Any,
    username: str,
    unit: Unit,
    roles: list[str],
    password: str,
    full_name: str = "",
    phone: str = "",
) -> User:
    """Create a login in ``unit`` with the given role codes; the password is validated."""
    _require_in_scope(actor, unit)  # outside the transaction: a refusal stays audited
    return _user_create(
        actor=actor,
        username=username,
        unit=unit,
        roles=roles,
        password=password,
        full_name=full_name,
        phone=phone,
    )


@transaction.atomic
def _user_create(
    *,
    actor: Any,
    username: str,
    unit: Unit,
    roles: list[str],
    password: str,
    full_name: str,
    phone: str,
) -> User:
    from django.contrib.auth.password_validation import validate_password

    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user with this username already exists.")})
    user = User(username=username, unit=unit, full_name=full_name, phone=phone)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(actor=actor, user=user, roles=roles, _audit=False)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        changes={
            "username": [None, username],
            "unit": [None, unit.code],
            "roles": [None, sorted(roles)],
        },
    )
    return user


@transaction.atomic
def user_set_roles(*, actor: Any, user: User, roles: list[str], _audit: bool = True) -> User:
    from jisheng.orgs.choices import Role

    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(r)s") % {"r": ", ".join(unknown)}})
    before = user.role_codes if _audit else []
    keep = user.groups.exclude(name__in=Role.values)
    user.groups.set(list(keep) + list(Group.objects.filter(name__in=roles)))
    if _audit:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            changes={"roles": [before, sorted(roles)]},
        )
    return user
