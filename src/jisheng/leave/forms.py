"""Forms of the leave pages; the rules are in :mod:`jisheng.leave.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.leave.choices import LeaveKind
from jisheng.leave.selectors import Evidence


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ApplyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of leave"),
        choices=LeaveKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of leave from the list.")},
    )
    evidence = forms.ChoiceField(
        label=_("Record in the registry"),
        help_text=_("The marriage, birth or operation the leave rests on."),
        error_messages={"required": _("Choose the record the leave rests on.")},
    )
    start = forms.DateField(
        label=_("First day"),
        widget=DateInput,
        error_messages={"required": _("Give the first day of the leave.")},
    )
    difficult_birth = forms.BooleanField(label=_("Difficult birth"), required=False)
    days = forms.IntegerField(
        label=_("Days (parenting leave only)"), min_value=1, max_value=366, required=False
    )

    def __init__(self, *args: object, evidence: list[Evidence], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        seen: dict[str, str] = {}
        for item in evidence:
            seen.setdefault(item.key, item.label)
        field = self.fields["evidence"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *seen.items()]
