"""Forms of the payments pages: an account, a bank's return file, a failure dealt with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AccountForm(forms.Form):
    bank = forms.CharField(label=_("Bank (branch)"), max_length=100)
    holder_name = forms.CharField(label=_("Account name"), max_length=50)
    number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("The bank's return file (.xlsx or .csv)"))


class FailureForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
