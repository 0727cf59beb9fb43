"""Forms of the organisation pages. They only parse input: the rules live in the services,
whose ``ValidationError``s are put back on the fields with :func:`add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.forms import add_service_errors as core_add_service_errors
from jisheng.orgs import selectors
from jisheng.orgs.choices import TERRITORIAL_CODE_DIGITS, UnitType
from jisheng.orgs.models import Committee, CommitteeMember, Position, Unit, User

# The type a new child usually has, by the parent's type (only a suggestion).
CHILD_TYPE = {
    UnitType.COUNTY: UnitType.TOWNSHIP,
    UnitType.TOWNSHIP: UnitType.VILLAGE,
    UnitType.STREET: UnitType.COMMUNITY,
    UnitType.VILLAGE: UnitType.GROUP,
    UnitType.COMMUNITY: UnitType.GROUP,
    UnitType.ENTERPRISE: UnitType.BRANCH,
    UnitType.SCHOOL: UnitType.BRANCH,
    UnitType.HOSPITAL: UnitType.BRANCH,
    UnitType.AGENCY: UnitType.SECTION,
    UnitType.BRANCH: UnitType.SECTION,
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _field(model: type[models.Model], name: str, **kwargs: Any) -> forms.Field:
    """The form field Django derives from a model field (label, choices, required …)."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.DateField):
        kwargs.setdefault("widget", DateInput)
    elif isinstance(model_field, models.TextField):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
    return model_field.formfield(**kwargs)


def add_service_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Service errors on the form, labelled with the organisation models' field names."""
    core_add_service_errors(
        form, exc, field_map, models=(Unit, Position, Committee, CommitteeMember)
    )


class UnitForm(forms.Form):
    code = _field(Unit, "code")
    name = _field(Unit, "name")
    unit_type = _field(Unit, "unit_type")
    address = _field(Unit, "address")
    phone = _field(Unit, "phone")
    notes = _field(Unit, "notes")
    is_active = _field(Unit, "is_active")

    def __init__(self, *args: Any, parent: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        if parent is not None and parent.unit_type in TERRITORIAL_CODE_DIGITS:
            prefix = parent.code[: TERRITORIAL_CODE_DIGITS[parent.unit_type]]
            self.fields["code"].help_text = _(
                "Villages, communities, townships and streets: the 12-digit statistical "
                "division code, starting with %(prefix)s. Other units: 1–32 letters or digits."
            ) % {"prefix": prefix}
        else:
            self.fields["code"].help_text = _(
                "Territorial units: the 12-digit statistical division code. "
                "Work units: 1–32 letters, digits, '.', '_' or '-'."
            )

    @classmethod
    def initial_for_child(cls, parent: Unit) -> dict[str, Any]:
        initial: dict[str, Any] = {"is_active": True}
        child_type = CHILD_TYPE.get(parent.unit_type)
        if child_type:
            initial["unit_type"] = child_type
        return initial

    @classmethod
    def initial_for(cls, unit: Unit) -> dict[str, Any]:
        return {name: getattr(unit, name) for name in cls.base_fields}


class UnitMoveForm(forms.Form):
    parent_code = forms.CharField(
        label=_("New parent unit (code)"),
        max_length=32,
        help_text=_("The code of the unit to move this unit under; it must be in your scope."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["parent_code"].widget.attrs.update({"autocomplete": "off"})
        self.new_parent: Unit | None = None

    def clean_parent_code(self) -> str:
        code = self.cleaned_data["parent_code"].strip()
        unit = selectors.unit_find(user=self.user, code=code)
        if unit is None:
            raise ValidationError(
                _("There is no unit with the code %(code)s in your data scope."),
                code="not_found",
                params={"code": code},
            )
        self.new_parent = unit
        return code


class PositionForm(forms.Form):
    role = _field(Position, "role")
    holder_name = _field(Position, "holder_name")
    title = _field(Position, "title")
    phone = _field(Position, "phone")
    user = forms.ModelChoiceField(
        label=_("Login"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: the login of the holder, if they have one."),
    )
    start_date = _field(Position, "start_date")
    end_date = _field(Position, "end_date")

    def __init__(self, *args: Any, logins: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if logins is not None:
            self.fields["user"].queryset = logins

    @classmethod
    def initial_for(cls, position: Position) -> dict[str, Any]:
        return {name: getattr(position, name) for name in cls.base_fields}


class PositionEndForm(forms.Form):
    end_date = forms.DateField(label=_("End date"), widget=DateInput)


class CommitteeForm(forms.Form):
    name = _field(Committee, "name")
    kind = _field(Committee, "kind")
    established_on = _field(Committee, "established_on")
    dissolved_on = _field(Committee, "dissolved_on")
    notes = _field(Committee, "notes")

    @classmethod
    def initial_for(cls, committee: Committee) -> dict[str, Any]:
        return {name: getattr(committee, name) for name in cls.base_fields}


class CommitteeMemberForm(forms.Form):
    name = _field(CommitteeMember, "name")
    role = _field(CommitteeMember, "role")
    affiliation = _field(CommitteeMember, "affiliation")
    duties = _field(CommitteeMember, "duties")
    start_date = _field(CommitteeMember, "start_date")
    end_date = _field(CommitteeMember, "end_date")

    @classmethod
    def initial_for(cls, member: CommitteeMember) -> dict[str, Any]:
        return {name: getattr(member, name) for name in cls.base_fields}
