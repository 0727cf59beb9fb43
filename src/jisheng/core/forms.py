"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy

# The empty choice of every select (Django's "---------"): 请选择. Django writes the dashes
# into ModelChoiceField.empty_label and into the blank choice of model fields with
# choices (BLANK_CHOICE_DASH) when a form class is made; the label is replaced where an
# option is rendered, so every select of every form shows the same words, whenever and
# however its form was built (install_select_placeholder, from CoreConfig.ready).
DJANGO_EMPTY_LABEL = "---------"
SELECT_PLACEHOLDER = gettext_lazy("Please choose")


def _create_option(original: Any) -> Any:
    def create_option(self: Any, name: str, value: Any, label: Any, *args: Any, **kw: Any) -> Any:
        if label == DJANGO_EMPTY_LABEL:
            label = SELECT_PLACEHOLDER
        return original(self, name, value, label, *args, **kw)

    create_option.jisheng_placeholder = True  # type: ignore[attr-defined]
    return create_option


def install_select_placeholder() -> None:
    """Show 请选择 instead of "---------" as the empty option of every select (once)."""
    widget = forms.widgets.ChoiceWidget
    if not getattr(widget.create_option, "jisheng_placeholder", False):
        widget.create_option = _create_option(widget.create_option)  # type: ignore[method-assign]


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
    if PERIOD_CLOSED in _codes(exc):
        show_late_reason(form)
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


PERIOD_CLOSED = "period_closed"  # the code of jisheng.core.locks.PeriodClosed
LATE_REASON = "late_reason"


class LateReasonField(forms.CharField):
    """补报/更正原因: hidden until needed, shown when the submitted form holds one."""

    widget = forms.HiddenInput

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> forms.BoundField:
        if form.is_bound and str(form.data.get(form.add_prefix(field_name)) or "").strip():
            show_late_reason(form, field=self)
        return super().get_bound_field(form, field_name)


def late_reason_field() -> forms.CharField:
    """The optional 补报/更正原因 of a form whose date may fall in a closed period
    (:mod:`jisheng.core.locks`): the service refuses such a date on the date field
    without it, and keeps it with the late entry. Hidden (with what was typed) until
    needed: :func:`add_service_errors` shows it with the refusal, or when it holds a
    reason already."""
    return LateReasonField(
        label=gettext_lazy("Reason for a late entry or correction"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "The date falls in a period whose report is approved (closed): say why the "
            "record is entered late or corrected."
        ),
    )


def show_late_reason(form: forms.BaseForm, field: forms.Field | None = None) -> None:
    """Show the form's 补报/更正原因 field (a text box where it was hidden)."""
    field = field or form.fields.get(LATE_REASON)
    if field is not None and field.widget.is_hidden:
        limit = getattr(field, "max_length", None)
        field.widget = forms.Textarea(attrs={"rows": 2, **({"maxlength": limit} if limit else {})})


def _codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors if e.code}
    return {e.code for e in getattr(exc, "error_list", [exc]) if getattr(e, "code", None)}
