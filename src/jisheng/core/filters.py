"""Filter sets (django-filter) and the Bootstrap styling shared by every list page."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.core.selectors import object_type_choices

ALL_LABEL = _("All")


class YesNoAllWidget(django_filters.widgets.BooleanWidget):
    """A yes/no select whose empty choice reads "All" (not django-filter's "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", ALL_LABEL), ("true", _("Yes")), ("false", _("No")))


CHECK_WIDGETS = (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.CheckboxInput)


def bootstrap_widgets(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget of ``form`` its Bootstrap 5 class (in place; returns the form)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, CHECK_WIDGETS):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control"
        existing = widget.attrs.get("class", "")
        if css not in existing.split():
            widget.attrs["class"] = f"{existing} {css}".strip()
    return form


class BootstrapFilterSet(django_filters.FilterSet):
    """A FilterSet whose form is styled for Bootstrap and marks invalid fields."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_bootstrapped", False):
            bootstrap_widgets(form)
            form._bootstrapped = True
        return form


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AuditEventFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    username = django_filters.CharFilter(
        label=_("User"), field_name="username", lookup_expr="icontains"
    )
    user = django_filters.NumberFilter(field_name="user_id", widget=forms.HiddenInput)
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AuditAction.choices, empty_label=ALL_LABEL
    )
    object_type = django_filters.ChoiceFilter(
        label=_("Object type"), choices=[], empty_label=ALL_LABEL
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="timestamp", lookup_expr="date__gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="timestamp", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the object types that occur in the events this user may read.
        self.filters["object_type"].extra["choices"] = object_type_choices(self.queryset)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(unit_name__icontains=value)
            | Q(unit_code__startswith=value)
            | Q(object_repr__icontains=value)
            | Q(object_id=value)
            | Q(message__icontains=value)
            | Q(request_path__icontains=value)
        )
