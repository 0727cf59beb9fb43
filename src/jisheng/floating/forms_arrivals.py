"""Forms of the arrivals' pages; the rules are in :mod:`services_arrivals`."""

from __future__ import annotations

from django import forms
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from jisheng.core.forms import late_reason_field
from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.models import RentalProperty
from jisheng.migrants.models import CheckResult
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class HomeUnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: models.Model) -> str:
        return f"{getattr(obj, 'name', '')}（{getattr(obj, 'code', '')}）"


class RegisterForm(forms.Form):
    """Her registration (登记). ``unit`` is the residence unit (its rental properties)."""

    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        error_messages={"required": _("Give her ID number.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    arrived_on = forms.DateField(
        label=_("Arrived on"),
        widget=DateInput,
        error_messages={"required": _("Give the date she arrived.")},
    )
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput)
    hukou_region = forms.CharField(
        label=_("Household registration region code"),
        max_length=6,
        required=False,
        help_text=_("6 digits, e.g. 430102; empty: the region of her ID number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    hukou_place = forms.CharField(
        label=_("Household registration place"), max_length=200, required=False
    )
    home_unit = HomeUnitField(
        label=_("Home township (in this system)"),
        queryset=Unit.objects.filter(unit_type__in=[UnitType.TOWNSHIP, UnitType.STREET]).order_by(
            "path"
        ),
        required=False,
    )
    home_code = forms.CharField(
        label=_("Home office code in another system"), max_length=32, required=False
    )
    employer = forms.CharField(label=_("Work unit"), max_length=200, required=False)
    property = forms.ModelChoiceField(
        label=_("Rental property"), queryset=RentalProperty.objects.none(), required=False
    )
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    late_reason = late_reason_field()

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        initial: dict[str, object] | None = None,
        unit: Unit | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        if unit is not None:
            field = self.fields["property"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = RentalProperty.objects.filter(unit=unit, is_active=True)


class CertificateForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=CheckResult.choices,
        initial=CheckResult.VALID,
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=60,
        required=False,
        help_text=_(
            "A certificate of this system is found by its number, whatever unit issued it."
        ),
    )
    issuer = forms.CharField(
        label=_("Issued by"),
        max_length=200,
        required=False,
        help_text=_("As shown on a certificate from outside this system."),
    )
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput)
    issue_verification = forms.BooleanField(
        label=_("Issue the verification (审验) now"), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    late_reason = late_reason_field()

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        initial: dict[str, object] | None = None,
        can_issue: bool = True,
    ) -> None:
        super().__init__(data, initial=initial)
        if not can_issue:  # issuing a 审验 needs the certificates' permission
            del self.fields["issue_verification"]


class LeaveForm(forms.Form):
    left_on = forms.DateField(
        label=_("Left on"),
        widget=DateInput,
        error_messages={"required": _("Give the date she left.")},
    )
    destination = forms.CharField(label=_("Where she went"), max_length=200, required=False)
    late_reason = late_reason_field()


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        error_messages={"required": _("Give the reason.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *list(ArrivalStatus.choices)], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    unverified = forms.BooleanField(label=_("Certificate not verified"), required=False)
    unit = forms.CharField(label=_("Unit code"), max_length=32, required=False)
    q = forms.CharField(label=_("Name or pinyin"), max_length=50, required=False)
    arrived_from = forms.DateField(label=_("Arrived from"), required=False, widget=DateInput)
    arrived_to = forms.DateField(label=_("Arrived until"), required=False, widget=DateInput)
