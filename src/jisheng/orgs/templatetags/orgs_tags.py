"""Template helpers of the organisation pages: Bootstrap form widgets, unit-type icons."""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

from jisheng.orgs.choices import UnitType

register = template.Library()

UNIT_TYPE_ICONS = {
    UnitType.COUNTY: "bi-bank",
    UnitType.TOWNSHIP: "bi-signpost-2",
    UnitType.STREET: "bi-signpost-2",
    UnitType.VILLAGE: "bi-house",
    UnitType.COMMUNITY: "bi-buildings",
    UnitType.GROUP: "bi-people",
    UnitType.ENTERPRISE: "bi-building-gear",
    UnitType.SCHOOL: "bi-mortarboard",
    UnitType.HOSPITAL: "bi-hospital",
    UnitType.AGENCY: "bi-briefcase",
    UnitType.BRANCH: "bi-diagram-2",
    UnitType.SECTION: "bi-person-workspace",
}


@register.filter
def is_checkbox(bound_field: forms.BoundField) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def bs_widget(bound_field: forms.BoundField) -> SafeString:
    """Render a field's widget with Bootstrap 5 classes (and ``is-invalid`` on errors)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.NullBooleanSelect):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_errors")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def unit_icon(unit_type: str) -> str:
    return UNIT_TYPE_ICONS.get(unit_type, "bi-diagram-3")
