"""Forms of the eligibility part: a sweep, an application, a disability grade, the
budget's year."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.orgs.models import Unit


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": _("Give the year."),
            "invalid": _("Give the year as a number."),
            "min_value": _("Give a year from 2000 to 2100."),
            "max_value": _("Give a year from 2000 to 2100."),
        },
    )


class KindUnitForm(forms.Form):
    """A benefit kind, a unit of the user's subtree and a year."""

    kind = forms.ChoiceField(label=_("Benefit"))
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    year = _year_field()

    def __init__(
        self,
        data: object = None,
        *,
        kinds: dict[str, str],
        units: list[Unit],
        initial: dict[str, object] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)  # type: ignore[arg-type]
        self.units = {u.pk: u for u in units}
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = list(kinds.items())
        kind.error_messages["required"] = _("Choose the benefit.")
        kind.error_messages["invalid_choice"] = _("Choose the benefit from the list.")
        unit = self.fields["unit"]
        assert isinstance(unit, forms.TypedChoiceField)
        unit.choices = [(u.pk, u.name) for u in units]
        unit.error_messages["required"] = _("Choose the unit.")
        unit.error_messages["invalid_choice"] = _("Choose the unit from the list.")

    def chosen_unit(self) -> Unit:
        return self.units[self.cleaned_data["unit"]]

    def period(self) -> tuple[datetime.date, datetime.date]:
        year = self.cleaned_data["year"]
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class ApplicationForm(KindUnitForm):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DisabilityForm(forms.Form):
    grade = forms.TypedChoiceField(
        label=_("Disability grade"),
        coerce=int,
        choices=[(g, g) for g in (1, 2, 3, 4)],
        error_messages={
            "required": _("Choose the grade."),
            "invalid_choice": _("A disability grade is 1 to 4."),
        },
    )
    certified_on = forms.DateField(
        label=_("Certified on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the date."), "invalid": _("Give a valid date.")},
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=40, required=False
    )

    def clean_certified_on(self) -> datetime.date:
        day = self.cleaned_data["certified_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return day


class BudgetForm(forms.Form):
    year = _year_field()
