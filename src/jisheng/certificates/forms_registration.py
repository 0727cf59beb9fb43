"""The form of the 生育登记 page; the rules are in
:mod:`jisheng.certificates.birth_registration` and :mod:`eligibility_kinds`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.certificates.forms import DateInput


class RegistrationForm(forms.Form):
    child_order = forms.IntegerField(
        label=_("Order of the child"),
        min_value=1,
        max_value=20,
        error_messages={"required": _("Give the order of the child being registered.")},
        help_text=_("The first, second, third… child of the couple."),
    )
    expected_on = forms.DateField(
        label=_("Expected date"),
        required=False,
        widget=DateInput,
        help_text=_("Optional."),
    )
    documents = forms.CharField(
        label=_("Documents shown"),
        max_length=300,
        required=False,
        help_text=_("The papers the couple showed (identity cards, marriage certificate…)."),
    )
    issuer = forms.CharField(
        label=_("Issuing unit code"),
        max_length=32,
        required=False,
        help_text=_("The couple's unit or a unit above it; the working unit when empty."),
    )
