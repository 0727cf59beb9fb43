"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models


def field_label(name: str, models_: Iterable[type[models.Model]]) -> str:
    """The verbose name of field ``name`` on the first of ``models_`` that has it."""
    if name == NON_FIELD_ERRORS:
        return ""
    for model in models_:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return ""


def add_service_errors(
    form: forms.Form,
    exc: ValidationError,
    field_map: dict[str, str] | None = None,
    *,
    models: Iterable[type[models.Model]] = (),
) -> None:
    """Show a service's ``ValidationError`` on the field it names when the form has that
    field (``field_map`` renames service fields to form fields), otherwise above the
    form, prefixed with the field's label taken from ``models``."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        target = field_map.get(name, name)
        messages = [m for error in errors for m in error.messages]
        if target in form.fields and target != NON_FIELD_ERRORS:
            form.add_error(target, messages)
        else:
            label = field_label(name, models)
            form.add_error(None, [f"{label}: {m}" if label else m for m in messages])
