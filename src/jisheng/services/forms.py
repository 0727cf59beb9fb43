"""Forms of the services pages. They only parse input; the rules live in
:mod:`jisheng.services.followup`, whose ``ValidationError``s are put back on the fields
with :func:`add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.core.forms import add_service_errors as core_add_service_errors
from jisheng.core.forms import late_reason_field
from jisheng.core.validation import NOTE_MAX_LENGTH
from jisheng.services.choices import ChangeReason, Method, Satisfaction, VisitWay
from jisheng.services.models import ContraceptionRecord, FollowUpVisit

YES_NO = [("yes", _("Yes")), ("no", _("No"))]

# The methods one can be offered (stopping is not an offer).
OFFERABLE_METHODS = [(value, label) for value, label in Method.choices if value != Method.NONE]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_service_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Service errors on the form, labelled with the services models' field names."""
    core_add_service_errors(form, exc, field_map, models=(FollowUpVisit, ContraceptionRecord))


def _yes_no(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no.")},
    )


class VisitForm(forms.Form):
    """A follow-up visit (随访) made: how, what the person uses and says, what was given."""

    visited_on = forms.DateField(
        label=_("Date of the visit"),
        widget=DateInput,
        error_messages={"required": _("Give the date of the visit.")},
    )
    way = forms.ChoiceField(
        label=_("Way"),
        choices=VisitWay.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the visit was made.")},
    )
    method_in_use = forms.ChoiceField(
        label=_("Method in use"),
        choices=[("", "—"), *Method.choices],
        required=False,
        help_text=_("What the person says they use now; the current method is preselected."),
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"),
        choices=Satisfaction.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    side_effects = forms.CharField(label=_("Side effects"), max_length=300, required=False)
    needs = forms.CharField(label=_("Needs"), max_length=300, required=False)
    commodities = forms.CharField(
        label=_("Commodities handed over"),
        max_length=300,
        required=False,
        help_text=_("For example: condoms, 3 boxes."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    appointment_on = forms.DateField(
        label=_("Needs another appointment: the day agreed"),
        required=False,
        widget=DateInput,
        help_text=_(
            "Only when the visit could not be made (she was away, or asked for another "
            "day): it then clears nothing, and her visits due show on the worklist as due "
            "on this day."
        ),
    )
    late_reason = late_reason_field()

    @staticmethod
    def initial_for(current_method: str = "") -> dict[str, Any]:
        return {
            "visited_on": timezone.localdate(),
            "way": VisitWay.HOME,
            "method_in_use": current_method,
        }


class MethodForm(forms.Form):
    """A method started, changed or stopped, with the informed choice behind it."""

    method = forms.ChoiceField(
        label=_("Method"),
        choices=[("", "—"), *Method.choices],
        error_messages={"required": _("Choose a method from the list.")},
        help_text=_("Choose “No method” to record that the person stopped."),
    )
    started_on = forms.DateField(
        label=_("Started on"),
        widget=DateInput,
        error_messages={"required": _("Give the date the method was started.")},
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=ChangeReason.choices)
    reason_note = forms.CharField(label=_("Reason, details"), max_length=300, required=False)
    provider = forms.CharField(
        label=_("Provider"),
        max_length=100,
        required=False,
        help_text=_("Hospital, service station or doctor who provided the method."),
    )
    explained_by = forms.CharField(
        label=_("Explained by"),
        max_length=50,
        required=False,
        help_text=_("Who explained the methods to the person (informed choice)."),
    )
    options_offered = forms.MultipleChoiceField(
        label=_("Methods offered"),
        choices=OFFERABLE_METHODS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    told_other_methods = _yes_no(_("Told about other methods the person could use?"))
    told_side_effects = _yes_no(_("Told about the side effects of the method?"))
    told_what_to_do = _yes_no(_("Told what to do about side effects?"))
    late_reason = late_reason_field()

    @staticmethod
    def initial_for(current_method: str = "") -> dict[str, Any]:
        return {
            "started_on": timezone.localdate(),
            "reason": ChangeReason.FIRST if not current_method else ChangeReason.PREFERENCE,
        }


class VoidForm(forms.Form):
    """Why a record entered by mistake is voided."""

    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=300,
        error_messages={"required": _("Say why the record is voided.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the record is voided."))
        return reason
