"""Reads of the audit log, always through the caller's data scope."""

from __future__ import annotations

import contextlib
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core.models import AuditEvent
from jisheng.core.scope import ALL, record_denied, user_scope_path


def _unit_model():
    """The organisation-unit model, found through the user model (core imports no app)."""
    return get_user_model()._meta.get_field("unit").related_model


def audit_events_for(user: Any) -> QuerySet[AuditEvent]:
    """The audit events ``user`` may read.

    Superusers read everything. Others read the events whose object lies in their
    subtree (``object_scope_path`` under their unit's path) or whose acting user belonged
    to a unit of their subtree (``unit_code`` among the codes of those units). Events of
    the system or of anonymous visitors with no object in the tree are superuser-only.
    """
    prefix = user_scope_path(user)
    if prefix is None:
        return AuditEvent.objects.none()
    if prefix == ALL:
        return AuditEvent.objects.all()
    unit_codes = _unit_model().objects.filter(path__startswith=prefix).values("code")
    return AuditEvent.objects.filter(
        Q(object_scope_path__startswith=prefix) | Q(unit_code__in=unit_codes)
    )


def audit_event_get(*, user: Any, pk: Any) -> AuditEvent:
    """One audit event inside the user's scope; 404 (and a ``denied`` event) otherwise."""
    try:
        event = audit_events_for(user).filter(pk=pk).first()
    except (ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc
    if event is not None:
        return event
    outside = AuditEvent.objects.filter(pk=pk).first()
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))


def object_type_label(object_type: str) -> str:
    """``orgs.unit`` → the model's verbose name (the label itself when unknown)."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_type_choices(queryset: QuerySet[AuditEvent]) -> list[tuple[str, str]]:
    types = (
        queryset.exclude(object_type="").order_by().values_list("object_type", flat=True).distinct()
    )
    return sorted(((t, object_type_label(t)) for t in types), key=lambda c: c[1])


@dataclass(frozen=True)
class ChangeRow:
    field: str
    label: str
    before: str
    after: str


def _display(value: Any, choices: dict[str, str] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_display(v, choices) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if choices and str(value) in choices:
        return f"{choices[str(value)]} ({value})"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        # an ISO date-time from audit.snapshot(): show it in local time
        with contextlib.suppress(ValueError):
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def change_rows(event: AuditEvent) -> list[ChangeRow]:
    """The event's ``changes`` (``{field: [before, after]}``) as rows for a table.

    Field names become the model's verbose names and coded values their choice labels
    when the object's model is known.
    """
    model = None
    if event.object_type:
        try:
            model = apps.get_model(event.object_type)
        except (LookupError, ValueError):
            model = None
    rows = []
    changes = event.changes if isinstance(event.changes, dict) else {"": event.changes}
    for key, value in changes.items():
        label, choices = key, None
        if model is not None:
            with contextlib.suppress(FieldDoesNotExist):
                field = model._meta.get_field(key)
                label = str(getattr(field, "verbose_name", key))
                if getattr(field, "choices", None):
                    choices = {str(k): str(v) for k, v in field.flatchoices}
        if isinstance(value, list | tuple) and len(value) == 2:
            before, after = value
        else:
            before, after = None, value
        rows.append(ChangeRow(key, label, _display(before, choices), _display(after, choices)))
    return rows
