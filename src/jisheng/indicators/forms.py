"""Forms of the contract and assessment pages. They only parse input; the rules are in
:mod:`jisheng.indicators.contracts` and :mod:`jisheng.indicators.assessment`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.indicators import catalogue
from jisheng.indicators.models import ContractItem
from jisheng.policy.choices import Direction, ScoringKind, TargetUnit, Trigger
from jisheng.policy.measures import BEHAVIOUR, PACK_ONLY

TEXT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
NUMBER = {"class": "form-control form-control-sm", "inputmode": "decimal", "step": "any"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2200,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"required": _("Give the year.")},
    )


class DrawForm(forms.Form):
    year = _year_field()


class TermsForm(forms.Form):
    total_points = forms.FloatField(
        label=_("Total points"),
        min_value=0.01,
        widget=forms.NumberInput(attrs=NUMBER),
        error_messages={"required": _("Give the total points.")},
    )
    flag_last_place = forms.BooleanField(label=_("Flag the last place"), required=False)


def indicator_choices() -> list[tuple[str, str]]:
    """The catalogue, then the behaviour targets packs name that it does not compute
    (the seeds' 节育及时率 …): contract items for information only (SPEC §0)."""
    return (
        [("", "—")]
        + [(i.id, f"{i.name_zh} ({i.id})") for i in catalogue.select()]
        + [(i, i) for i, m in sorted(PACK_ONLY.items()) if m == BEHAVIOUR]
    )


class ItemForm(forms.Form):
    """One line of a contract (a row of the edit page's formset)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ContractItem.Kind.choices,
        initial=ContractItem.Kind.INDICATOR,
        widget=forms.Select(SELECT),
    )
    indicator = forms.ChoiceField(label=_("Indicator"), required=False, widget=forms.Select(SELECT))
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    target = forms.FloatField(label=_("Target"), required=False, widget=forms.NumberInput(NUMBER))
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=TargetUnit.choices,
        initial=TargetUnit.PERCENT,
        widget=forms.Select(SELECT),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Direction.choices,
        initial=Direction.AT_LEAST,
        widget=forms.Select(SELECT),
    )
    weight = forms.FloatField(
        label=_("Weight (points)"), required=False, min_value=0, widget=forms.NumberInput(NUMBER)
    )
    scoring = forms.ChoiceField(
        label=_("Scoring rule"),
        choices=[("", "—"), *ScoringKind.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    minus_per_point = forms.FloatField(
        label=_("Minus per point"), required=False, widget=forms.NumberInput(NUMBER)
    )
    floor = forms.FloatField(
        label=_("Floor"), required=False, min_value=0, widget=forms.NumberInput(NUMBER)
    )
    zero_at = forms.FloatField(
        label=_("0 points at"), required=False, widget=forms.NumberInput(NUMBER)
    )
    full_at = forms.FloatField(
        label=_("Full points at"), required=False, widget=forms.NumberInput(NUMBER)
    )
    trigger = forms.ChoiceField(
        label=_("Veto trigger"),
        choices=[("", "—"), *Trigger.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({**TEXT, "rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices()

    def item(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "DELETE"}


class BaseItemFormSet(forms.BaseFormSet):
    def items(self) -> list[dict[str, Any]]:
        """The rows kept (not deleted, not left empty), in order."""
        out = []
        for form in self.forms:
            if not form.has_changed() and not form.initial:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            out.append(form.item())
        return out


ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=1, can_delete=True, max_num=100
)


class SignForm(forms.Form):
    issuer_signatory = forms.CharField(
        label=_("Signed for the issuing unit by"),
        max_length=100,
        widget=forms.TextInput({"class": "form-control"}),
        help_text=_("Name and post, e.g. 王明（镇长）."),
        error_messages={"required": _("Who signed for the issuing unit?")},
    )
    unit_signatory = forms.CharField(
        label=_("Signed for the responsible unit by"),
        max_length=100,
        widget=forms.TextInput({"class": "form-control"}),
        error_messages={"required": _("Who signed for the responsible unit?")},
    )
    signed_on = forms.DateField(
        label=_("Signed on"),
        widget=DateInput,
        error_messages={"required": _("Give the day of the signing.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"signed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AssessmentCreateForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=8,
        widget=forms.TextInput({"class": "form-control", "list": "assessment-periods"}),
        help_text=_("A half year (2026H1) or a year (2026)."),
        error_messages={"required": _("Give the period.")},
    )


YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
FAILED = [("", "—"), ("no", _("Passed")), ("yes", _("Failed"))]


class EntriesForm(forms.Form):
    """What is entered by hand for one unit: a group of fields per slot
    (:func:`jisheng.indicators.assessment.entry_slots`), each with a note and evidence."""

    def __init__(
        self,
        *args: Any,
        slots: list[dict[str, Any]],
        entries: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots
        self.entries = entries
        for slot in slots:
            key, entry = slot["key"], entries.get(slot["key"])
            if slot["mode"] == "points":
                self.fields[f"{key}__value"] = forms.FloatField(
                    label=_("Points (0–%(max)s)") % {"max": _num(slot["max"])},
                    required=False,
                    min_value=0,
                    max_value=slot["max"],
                    initial=entry.points if entry else None,
                    widget=forms.NumberInput(NUMBER),
                )
            else:
                field = "failed" if slot["mode"] == "veto" else "answer"
                current = getattr(entry, field) if entry is not None else None
                self.fields[f"{key}__value"] = forms.ChoiceField(
                    label=_("Finding") if slot["mode"] == "veto" else _("Answer"),
                    choices=FAILED if slot["mode"] == "veto" else YES_NO,
                    required=False,
                    initial="" if current is None else ("yes" if current else "no"),
                    widget=forms.Select(SELECT),
                )
            self.fields[f"{key}__note"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                initial=entry.note if entry else "",
                widget=forms.TextInput(TEXT),
            )
            self.fields[f"{key}__evidence"] = forms.FileField(
                label=_("Evidence (PDF, JPEG or PNG)"),
                required=False,
                widget=forms.ClearableFileInput({**TEXT, "accept": ".pdf,.jpg,.jpeg,.png"}),
            )

    def groups(self) -> list[dict[str, Any]]:
        return [
            {
                "slot": slot,
                "entry": self.entries.get(slot["key"]),
                "value": self[f"{slot['key']}__value"],
                "note": self[f"{slot['key']}__note"],
                "evidence": self[f"{slot['key']}__evidence"],
            }
            for slot in self.slots
        ]

    def values(self) -> dict[str, dict[str, Any]]:
        out = {}
        for slot in self.slots:
            key = slot["key"]
            raw = self.cleaned_data.get(f"{key}__value")
            data: dict[str, Any] = {
                "note": self.cleaned_data.get(f"{key}__note", ""),
                "evidence": self.cleaned_data.get(f"{key}__evidence") or None,
            }
            if slot["mode"] == "points":
                data["points"] = raw
            else:
                flag = None if raw in (None, "") else raw == "yes"
                data["failed" if slot["mode"] == "veto" else "answer"] = flag
            out[key] = data
        return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
