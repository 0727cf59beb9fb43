"""Forms of the people-away pages; the rules are in
:mod:`jisheng.floating.services_outflows`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.core.forms import late_reason_field
from jisheng.floating.choices import ContactChannel
from jisheng.floating.models import AwayTeam
from jisheng.orgs.models import Unit
from jisheng.policy.schema import Agreement

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


Data = Mapping[str, object] | None
Initial = dict[str, object] | None


def _date(label: str | _StrPromise, required: bool = True) -> forms.DateField:
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


class OutflowForm(forms.Form):
    """Where she is and how to reach her (the record and its changes)."""

    left_on = _date(_("Left on"))
    destination = forms.CharField(
        label=_("Where she lives now"),
        max_length=200,
        error_messages={"required": _("Give the place where she lives now.")},
        help_text=_("Province, city, county and address in words."),
    )
    destination_region = forms.CharField(
        label=_("Region code of the destination"),
        max_length=6,
        required=False,
        help_text=_("6 digits, like the first six of an ID number."),
    )
    destination_unit = forms.CharField(
        label=_("Office where she lives (unit code in this system)"),
        max_length=32,
        required=False,
    )
    destination_code = forms.CharField(
        label=_("Office where she lives (code in another system)"), max_length=32, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    employer = forms.CharField(label=_("Work unit"), max_length=200, required=False)
    expected_return = _date(_("Expected return"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team working away"), queryset=AwayTeam.objects.none(), required=False
    )
    note = _note()
    late_reason = late_reason_field()

    def __init__(
        self,
        data: Data = None,
        *,
        teams: QuerySet[AwayTeam],
        update: bool = False,
        initial: Initial = None,
    ) -> None:
        super().__init__(data, initial=initial)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams
        if update:
            del self.fields["left_on"]
            del self.fields["late_reason"]

    def clean_destination_unit(self) -> Unit | None:
        code = (self.cleaned_data.get("destination_unit") or "").strip()
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("No unit has this code."))
        return unit


class ReturnForm(forms.Form):
    returned_on = _date(_("Returned on"))
    note = _note()
    late_reason = late_reason_field()


class TransferForm(forms.Form):
    transferred_on = _date(_("Management handed over on"))
    receiving = forms.CharField(
        label=_("Receiving office"),
        max_length=200,
        required=False,
        help_text=_("The office where she lives that takes over; her destination if empty."),
    )
    note = _note()
    late_reason = late_reason_field()


class ContactForm(forms.Form):
    contacted_on = _date(_("Contacted on"))
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the channel from the list.")},
    )
    note = _note()


class AgreementForm(forms.Form):
    signed_on = _date(_("Signed on"))
    services = forms.MultipleChoiceField(
        label=_("Services she wants where she lives"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    address = forms.CharField(label=_("Address where she lives"), max_length=200, required=False)

    def __init__(self, data: Data = None, *, agreement: Agreement, initial: Initial = None) -> None:
        super().__init__(data, initial=initial)
        field = self.fields["services"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(s.code, s.label) for s in agreement.services]


class IssueForm(forms.Form):
    issuer: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Issuing unit"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("Choose the issuing unit.")},
    )

    def __init__(self, data: Data = None, *, issuers: list[Unit]) -> None:
        super().__init__(data)
        field = self.fields["issuer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(pk__in=[u.pk for u in issuers])
        if issuers:
            field.initial = issuers[0].pk


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    destination = forms.CharField(label=_("Where the team works"), max_length=200)
    leader_name = forms.CharField(label=_("Responsible leader"), max_length=50)
    leader_phone = forms.CharField(label=_("Leader's phone"), max_length=32)
    propagandist_name = forms.CharField(label=_("Part-time propagandist"), max_length=50)
    propagandist_phone = forms.CharField(label=_("Propagandist's phone"), max_length=32)
    formed_on = _date(_("Formed on"))
    note = _note()

    def __init__(self, data: Data = None, *, update: bool = False, initial: Initial = None) -> None:
        super().__init__(data, initial=initial)
        for field in self.fields.values():
            if field.required and isinstance(field, forms.CharField):
                field.error_messages["required"] = _("This field is required.")
        if update:
            del self.fields["formed_on"]


class DissolveForm(forms.Form):
    dissolved_on = _date(_("Dissolved on"))
