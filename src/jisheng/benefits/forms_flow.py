"""Forms of the benefit flow's pages; the rules are in
:mod:`jisheng.benefits.services_flow`."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.benefits.choices import ObjectionStatus

Data = Mapping[str, object] | None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StepForm(forms.Form):
    """A batch step: its target status and, for a return or cancel, the message."""

    to = forms.CharField(max_length=12)
    message = forms.CharField(
        label=_("Message"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case is withdrawn"),
        max_length=500,
        error_messages={"required": _("Say why the case is withdrawn.")},
    )


class AmountForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        error_messages={"required": _("Give the amount in yuan.")},
    )
    months = forms.IntegerField(label=_("Months"), min_value=0, max_value=1200, required=False)
    reason = forms.CharField(
        label=_("Why the amount is changed"),
        max_length=500,
        error_messages={"required": _("Say why the amount is changed.")},
    )


class ObjectionForm(forms.Form):
    raised_on = forms.DateField(
        label=_("Raised on"),
        widget=DateInput,
        error_messages={"required": _("Give the date."), "invalid": _("Enter a valid date.")},
    )
    raised_by = forms.CharField(label=_("Raised by"), max_length=100, required=False)
    content = forms.CharField(
        label=_("What the objection says"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Write what the objection says.")},
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (ObjectionStatus.UPHELD.value, ObjectionStatus.UPHELD.label),
            (ObjectionStatus.DISMISSED.value, ObjectionStatus.DISMISSED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the objection is upheld.")},
    )
    resolution = forms.CharField(
        label=_("How it was resolved"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Write how the objection was resolved.")},
    )


class FindingForm(forms.Form):
    text = forms.CharField(
        label=_("Finding"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Write the finding.")},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("The office's answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("Write the answer.")},
    )
