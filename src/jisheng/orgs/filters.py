"""Filters (django-filter) of the organisation lists."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.orgs import selectors
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        widget=forms.TextInput(
            attrs={"placeholder": _("Name or code"), "type": "search", "class": "form-control"}
        ),
    )
    unit_type = django_filters.ChoiceFilter(
        label=_("Type"),
        choices=UnitType.choices,
        empty_label=_("All types"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    is_active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(
            attrs={"class": "form-select"},
            choices=[
                ("", _("Active and inactive")),
                ("true", _("Active")),
                ("false", _("Inactive")),
            ],
        ),
    )

    class Meta:
        model = Unit
        fields = ["q", "unit_type", "is_active"]

    def filter_text(self, queryset, name, value):
        return selectors.unit_text_filter(queryset, value)
