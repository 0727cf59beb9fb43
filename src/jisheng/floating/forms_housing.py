"""Forms of the rental-housing and sweep pages; the rules are in ``services_housing`` and
``services_sweeps``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.floating.choices import (
    FindingKind,
    FindingResolution,
    PropertyKind,
    SweepItemOutcome,
)
from jisheng.orgs.models import Unit

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

MAX_UNITS = 500  # units offered in a select (the working unit and below)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label: str | _StrPromise, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput,
        required=required,
        error_messages={"required": _("Give the date."), "invalid": _("Enter a valid date.")},
    )


def _note() -> forms.CharField:
    return forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UnitChoiceForm(forms.Form):
    """A form with a ``unit`` select of the working unit and the units below it."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)

    def __init__(
        self, data: object = None, *, units: list[Unit], initial: dict[str, object] | None = None
    ) -> None:
        super().__init__(data, initial=initial)  # type: ignore[arg-type]
        self.units = {u.pk: u for u in units}
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(u.pk, u.name) for u in units]
        field.error_messages["required"] = _("Choose the unit.")
        field.error_messages["invalid_choice"] = _("Choose the unit from the list.")

    def chosen_unit(self) -> Unit:
        return self.units[self.cleaned_data["unit"]]


class PropertyForm(UnitChoiceForm):
    address = forms.CharField(
        label=_("Address"), max_length=200, error_messages={"required": _("Give the address.")}
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PropertyKind.choices, widget=forms.RadioSelect
    )
    rooms = forms.IntegerField(
        label=_("Rooms to let"),
        min_value=1,
        max_value=999,
        initial=1,
        error_messages={"required": _("Give the rooms to let (1 to 999).")},
    )
    landlord_name = forms.CharField(
        label=_("Landlord"),
        max_length=50,
        error_messages={"required": _("Give the landlord's name.")},
    )
    landlord_phone = forms.CharField(label=_("Landlord's phone"), max_length=32, required=False)
    landlord_id_number = forms.CharField(
        label=_("Landlord's ID number"),
        max_length=18,
        required=False,
        help_text=_(
            "When the landlord is a resident of the unit: links the property to her record."
        ),
    )
    filed_on = _date(_("Filed on"))
    note = _note()


class PropertyEditForm(PropertyForm):
    def __init__(
        self, data: object = None, *, units: list[Unit], initial: dict[str, object] | None = None
    ) -> None:
        super().__init__(data, units=units, initial=initial)
        del self.fields["unit"]
        del self.fields["filed_on"]


class AgreementForm(forms.Form):
    signed_on = _date(_("Signed on"))
    valid_until = _date(_("Valid until"), required=False)
    note = _note()


class TenancyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=50, error_messages={"required": _("Give the name.")}
    )
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    moved_in = _date(_("Moved in"))
    reported_on = _date(_("Reported on"))
    note = _note()


class TenancyEndForm(forms.Form):
    moved_out = _date(_("Moved out"))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tenant list (Excel or CSV)"),
        error_messages={"required": _("Choose the file to upload.")},
    )


class SweepForm(UnitChoiceForm):
    name = forms.CharField(
        label=_("Name"), max_length=100, error_messages={"required": _("Give the name.")}
    )
    partner = forms.CharField(
        label=_("With"),
        max_length=100,
        required=False,
        help_text=_("The department working with the office, e.g. the police station (派出所)."),
    )
    starts_on = _date(_("Starts on"))
    ends_on = _date(_("Ends on"))
    note = _note()


class ItemForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=SweepItemOutcome.choices,
        error_messages={"invalid_choice": _("Choose the outcome from the list.")},
    )


class FindingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Finding"),
        choices=FindingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the finding from the list.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        required=False,
        help_text=_("The name of the person the record is about, as given."),
    )
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    found_on = _date(_("Found on"))
    note = _note()


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=FindingResolution.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the resolution from the list.")},
    )
    resolved_on = _date(_("Resolved on"))
    note = _note()


class CloseForm(forms.Form):
    closed_on = _date(_("Completed on"))
