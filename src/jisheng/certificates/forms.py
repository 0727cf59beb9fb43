"""Forms of the certificate pages; the rules are in :mod:`jisheng.certificates.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.certificates.choices import CertificateKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IssueForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        # the couple's certificate issued on the spot (the other kinds have their forms)
        choices=[
            (CertificateKind.ONE_CHILD_PARENTS.value, CertificateKind.ONE_CHILD_PARENTS.label)
        ],
        widget=forms.RadioSelect,
    )
    issuer = forms.CharField(
        label=_("Issuing unit code"),
        max_length=32,
        required=False,
        help_text=_("The couple's unit or a unit above it; the working unit when empty."),
    )
    issued_on = forms.DateField(
        label=_("Issued on"),
        widget=DateInput,
        error_messages={"required": _("Give the date of issue.")},
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=300,
        error_messages={"required": _("Say why the certificate is voided.")},
    )
