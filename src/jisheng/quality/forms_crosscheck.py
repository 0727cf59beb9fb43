"""Forms of the cross-check pages; the rules are in
:mod:`jisheng.quality.services_crosscheck`."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from jisheng.quality.models import Resolution
from jisheng.quality.sources import Source, source_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ImportForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"),
        choices=source_choices,
        error_messages={"invalid_choice": _("Unknown source: choose one from the list.")},
    )
    unit = forms.CharField(
        label=_("Area (unit code)"),
        max_length=50,
        required=False,
        help_text=_("The unit whose area the list covers; your working unit if left empty."),
    )
    first = forms.DateField(
        label=_("Period from"),
        widget=DateInput,
        error_messages={"required": _("Give the first day of the list's period.")},
    )
    last = forms.DateField(
        label=_("Period to"),
        widget=DateInput,
        error_messages={"required": _("Give the last day of the list's period.")},
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx) or CSV (UTF-8 or GBK) with a header row."),
        error_messages={
            "required": _("Choose the file to import."),
            "empty": _("The file is empty."),
        },
    )


class MappingForm(forms.Form):
    """One text field per field of the source: the header of its column."""

    def __init__(
        self,
        source: Source,
        data: QueryDict | None = None,
        initial: dict[str, str] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        for f in source.fields:
            self.fields[f.key] = forms.CharField(
                label=f.label,
                max_length=100,
                required=False,
                help_text=_("Required") if f.required else "",
            )


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=Resolution.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the resolution from the list.")},
    )
    record = forms.ChoiceField(label=_("Candidate"), required=False, choices=())
    note = forms.CharField(
        label=_("Explanation"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data: QueryDict | None = None, *, candidates: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["record"].choices = [("", "—"), *candidates]
        if not candidates:
            del self.fields["record"]
