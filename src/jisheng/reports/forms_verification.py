"""Forms of the sample verification pages. They only parse input; the rules are in
:mod:`jisheng.reports.verification`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.people.choices import MaritalStatus
from jisheng.policy.choices import Method
from jisheng.reports.models import VerificationFrame
from jisheng.reports.verification import MAX_CHILDREN, MAX_SAMPLE, SEED_MAX


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VerificationForm(forms.Form):
    unit = forms.CharField(
        label=_("Unit code"),
        max_length=32,
        help_text=_("The unit whose subtree is sampled; the working unit when empty."),
        required=False,
    )
    frame = forms.ChoiceField(
        label=_("Records sampled"),
        choices=VerificationFrame.choices,
        initial=VerificationFrame.MARRIED_WRA,
        widget=forms.RadioSelect,
    )
    size = forms.IntegerField(
        label=_("Number of records"),
        required=False,
        min_value=1,
        max_value=MAX_SAMPLE,
        error_messages={
            "min_value": _("The sample must hold at least one record."),
            "max_value": _("A sample holds at most %(limit_value)s records."),
        },
    )
    percent = forms.DecimalField(
        label=_("or a percentage of the records"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        error_messages={
            "min_value": _("The percentage must be more than 0 and at most 100."),
            "max_value": _("The percentage must be more than 0 and at most 100."),
        },
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=SEED_MAX - 1,
        help_text=_(
            "Leave empty for a random seed. The same seed over the same records gives the "
            "same sample."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ResultForm(forms.Form):
    """What the field check found for one sampled record."""

    field_present = forms.TypedChoiceField(
        label=_("Found living here"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the person was found living here.")},
    )
    field_marital_status = forms.ChoiceField(
        label=_("Marital status found"),
        choices=[("", "—"), *MaritalStatus.choices],
        required=False,
    )
    field_method = forms.ChoiceField(
        label=_("Method found"), choices=[("", "—"), *Method.choices], required=False
    )
    field_children = forms.IntegerField(
        label=_("Children found"), required=False, min_value=0, max_value=MAX_CHILDREN
    )
    checked_on = forms.DateField(
        label=_("Checked on"),
        widget=DateInput,
        error_messages={"required": _("Give the date of the check.")},
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
