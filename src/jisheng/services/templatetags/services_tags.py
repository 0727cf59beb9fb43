"""Template helpers of the services pages."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def widget_kind(bound_field: forms.BoundField) -> str:
    """``radio``, ``checkboxes`` or ``other``: how ``_field.html`` lays the field out."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    return "other"


@register.inclusion_tag("services/_method_history.html", takes_context=True)
def method_history(context: template.Context, person: object, printable: bool = False) -> dict:
    """The person's contraceptive method history (voided records left out), for the
    information card of the registry — on screen and printed."""
    from jisheng.services.models import ContraceptionRecord

    records = list(
        ContraceptionRecord.objects.filter(person=person, voided_at=None).order_by(
            "started_on", "id"
        )
    )
    return {
        "person": person,
        "records": records,
        "printable": printable,
        "perms": context.get("perms"),
    }


@register.simple_tag
def method_records(person: object) -> list:
    """The person's method records in force (not voided), oldest first."""
    from jisheng.services.models import ContraceptionRecord

    return list(
        ContraceptionRecord.objects.filter(person=person, voided_at=None).order_by(
            "started_on", "id"
        )
    )
