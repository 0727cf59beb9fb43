"""Filters (django-filter) of the person list; the matching itself is ``people.search``."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.core.filters import ALL_LABEL, BootstrapFilterSet
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.people.choices import MaritalStatus, PersonStatus, Sex
from jisheng.people.models import Person
from jisheng.people.search import (
    LIST_FIELDS,
    MIN_PHONE_DIGITS,
    QueryKind,
    interpret,
    person_search,
)

MAX_AGE = 150


class PersonFilterForm(forms.Form):
    """Cross-field checks: a search text of no known kind, ages the wrong way round."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if interpret(data.get("q")).kind == QueryKind.INVALID:
            self.add_error(
                "q",
                _(
                    "Type a name (characters or pinyin), a full ID number, or at least "
                    "%(digits)d digits of a phone number."
                )
                % {"digits": MIN_PHONE_DIGITS},
            )
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("The upper age is below the lower age."))
        return data


class AgeFilter(django_filters.Filter):
    """A whole number of years (the matching is done by :func:`person_search`)."""

    field_class = forms.IntegerField


class PersonFilterSet(BootstrapFilterSet):
    """The person list's filters. Every value goes to :func:`person_search` at once.

    ``unit`` is a unit code; it defaults to the working unit, so the list shows the
    working unit's subtree. A unit outside the user's scope answers 404 (and is audited
    as ``denied``) exactly like an unknown code.
    """

    q = django_filters.CharFilter(
        label=_("Search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, pinyin, ID number or phone"),
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
    unit = django_filters.CharFilter(
        label=_("Unit code"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PersonStatus.choices, empty_label=ALL_LABEL
    )
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices, empty_label=ALL_LABEL)
    marital_status = django_filters.ChoiceFilter(
        label=_("Marital status"),
        choices=MaritalStatus.choices,
        empty_label=ALL_LABEL,
    )
    age_min = AgeFilter(
        label=_("Age from"),
        min_value=0,
        max_value=MAX_AGE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    age_max = AgeFilter(
        label=_("Age to"),
        min_value=0,
        max_value=MAX_AGE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Person
        fields: list[str] = []
        form = PersonFilterForm

    @property
    def form(self):
        form = super().form
        working = getattr(self.request, "working_unit", None)
        if working is not None:
            form.fields["unit"].widget.attrs.setdefault("placeholder", working.code)
        return form

    def unit_for(self, code: str | None) -> Unit | None:
        """The unit to list: the code's (404 when outside the scope) or the working unit."""
        code = (code or "").strip()
        if not code:
            return getattr(self.request, "working_unit", None)
        cache = self.__dict__.setdefault("_units", {})
        if code not in cache:
            cache[code] = org_selectors.unit_get(user=self.request.user, code=code)
        return cache[code]

    def search_kwargs(self) -> dict[str, Any]:
        """The arguments of :func:`person_search` from the valid form."""
        data = self.form.cleaned_data
        return {
            "user": self.request.user,
            "q": data.get("q") or "",
            "unit": self.unit_for(data.get("unit")),
            "status": data.get("status") or None,
            "sex": data.get("sex") or None,
            "marital_status": data.get("marital_status") or None,
            "age_min": data.get("age_min"),
            "age_max": data.get("age_max"),
        }

    def filter_queryset(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        if not self.form.is_valid():
            return queryset.none()
        return person_search(**self.search_kwargs()).only(*LIST_FIELDS)


def default_queryset(request: Any) -> QuerySet[Person]:
    """The list before any filter: the working unit's subtree inside the user's scope."""
    return person_search(user=request.user, unit=getattr(request, "working_unit", None)).only(
        *LIST_FIELDS
    )
