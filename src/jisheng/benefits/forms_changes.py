"""Forms of the changes part (issue 18): confirm a stop, resolve an overpayment, put
arrears in a batch, build a staff allowance batch."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmStopForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How it was resolved"),
        choices=[
            ("repaid", _("Repaid")),
            ("written_off", _("Written off")),
            ("other", _("Other")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ArrearsForm(forms.Form):
    through = forms.DateField(
        label=_("Pay the months owed through"), widget=forms.DateInput(attrs={"type": "date"})
    )


class AllowanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Allowance"))
    period_start = forms.DateField(
        label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, kinds: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kinds

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data
