"""Forms and filters of the user pages."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import password_validation
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.core.filters import ALL_LABEL, BootstrapFilterSet, YesNoAllWidget, bootstrap_widgets
from jisheng.orgs import selectors
from jisheng.orgs.choices import Role
from jisheng.orgs.models import Unit, User


class UnitChoiceField(forms.ModelChoiceField):
    """Units of the actor's scope, indented by depth, chosen by code."""

    def __init__(self, *args: Any, base_depth: int = 1, **kwargs: Any) -> None:
        self.base_depth = base_depth
        super().__init__(*args, to_field_name="code", **kwargs)

    def label_from_instance(self, obj: Unit) -> str:
        indent = "\u3000" * max(obj.depth - self.base_depth, 0)
        return f"{indent}{obj.name} ({obj.code})"


def _roles_field(required: bool) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    roles = _roles_field(required=True)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = selectors.unit_list(user=actor)
        first = units.first()
        self.fields["unit"].queryset = units
        self.fields["unit"].base_depth = first.depth if first else 1
        bootstrap_widgets(self)

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            candidate = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserRolesForm(forms.Form):
    roles = _roles_field(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)


EXPIRY_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. the program that uses it."),
    )
    expires_in = forms.ChoiceField(
        label=_("Valid for"), choices=EXPIRY_CHOICES, initial="90", required=False
    )  # empty: the default lifetime (jisheng.core.tokens.DEFAULT_DAYS); never "forever"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("expires_in")
        if not days:
            return None
        return timezone.now() + datetime.timedelta(days=int(days))


class UserFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = django_filters.CharFilter(label=_("Unit"), method="in_unit")
    role = django_filters.ChoiceFilter(
        label=_("Role"),
        field_name="groups__name",
        choices=Role.choices,
        distinct=True,
        empty_label=ALL_LABEL,
    )
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=YesNoAllWidget)

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(full_name__icontains=value) | Q(phone__icontains=value)
        )

    def in_unit(self, queryset, name, value):
        """Users of the units matching (name or code prefix) and everything below them."""
        value = value.strip()
        if not value:
            return queryset
        units = selectors.unit_text_filter(selectors.unit_list(user=self.request.user), value)
        paths = list(units.values_list("path", flat=True)[:50])
        if not paths:
            return queryset.none()
        condition = Q()
        for path in paths:
            condition |= Q(unit__path__startswith=path)
        return queryset.filter(condition)
