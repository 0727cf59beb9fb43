"""Forms of the floating-population pages; the rules are in :mod:`jisheng.migrants.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.core.forms import late_reason_field
from jisheng.migrants.models import CheckResult


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CheckForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=CheckResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the result from the list.")},
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=50, required=False
    )
    issuing_place = forms.CharField(
        label=_("Issuing place"),
        max_length=200,
        required=False,
        help_text=_("The township or street of the household registration that issued it."),
    )
    checked_on = forms.DateField(
        label=_("Checked on"),
        widget=DateInput,
        error_messages={"required": _("Give the date of the check.")},
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    late_reason = late_reason_field()
