"""Forms of the family pages (households, couples, births, pregnancies).

They only parse input: the rules live in :mod:`jisheng.people.family`, whose
``ValidationError``s are put back on the fields with :func:`add_family_errors`. Persons
are picked by id from a search in the user's scope (:class:`PersonField`); an id outside
the scope answers like an unknown one and is audited as ``denied``.
(:class:`PersonField` lives in :mod:`jisheng.people.forms`: the event form uses it too.)
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core.forms import add_service_errors, late_reason_field
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.people import selectors_family
from jisheng.people.choices import CoupleEnd, HouseholdRelation, PregnancyOutcome, Sex
from jisheng.people.forms import DateInput, PersonField, UnitField
from jisheng.people.models import Birth, Couple, Household, HouseholdMember, Person, Pregnancy


def add_family_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Service errors on the form, labelled with the family models' field names."""
    add_service_errors(
        form,
        exc,
        field_map,
        models=(Household, HouseholdMember, Couple, Birth, Pregnancy, Person),
    )


class _UserForm(forms.Form):
    """A form whose person and unit fields are bound to the user's scope."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, PersonField | UnitField):
                field.bind(user)

    def picked(self, name: str) -> Person | None:
        """The person currently chosen in field ``name`` (to show it in the picker)."""
        value = self[name].value()
        if isinstance(value, Person):
            return value
        if value in (None, ""):
            return None
        return selectors_family.person_find(user=self.user, pk=value)

    def layout(self) -> list[dict[str, Any]]:
        """The fields in order for the templates: person pickers (with the person chosen
        so far) and the other visible fields."""
        items: list[dict[str, Any]] = []
        for name, field in self.fields.items():
            if isinstance(field, PersonField):
                picked = self.picked(name)
                items.append(
                    {"field": self[name], "picker": True, "picked": [picked] if picked else []}
                )
            elif not field.widget.is_hidden:
                items.append({"field": self[name], "picker": False})
        return items


# --------------------------------------------------------------------------- households


class HouseholdForm(_UserForm):
    unit = UnitField(label=_("Unit"))
    number = forms.CharField(label=_("Household number"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    head = PersonField(
        label=_("Head of household"),
        required=False,
        help_text=_("Optional: the head becomes the first member."),
    )
    joined_on = forms.DateField(
        label=_("Head's membership since"), required=False, widget=DateInput
    )


class HouseholdMemberForm(_UserForm):
    person = PersonField(label=_("Person"))
    relation = forms.ChoiceField(
        label=_("Relation to head"),
        choices=[("", "---------"), *HouseholdRelation.choices],
    )
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=DateInput)


class HouseholdLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput)


class HouseholdHeadForm(forms.Form):
    person = forms.TypedChoiceField(label=_("New head of household"), coerce=int)
    former_head_relation = forms.ChoiceField(
        label=_("Former head's relation to the new head"),
        choices=[c for c in HouseholdRelation.choices if c[0] != HouseholdRelation.HEAD],
        initial=HouseholdRelation.OTHER,
    )

    def __init__(self, *args: Any, members: list[HouseholdMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.person_id: m.person for m in members}
        self.fields["person"].choices = [("", "---------")] + [
            (m.person_id, f"{m.person.name} ({m.get_relation_display()})") for m in members
        ]

    def clean_person(self) -> Person:
        return self.members[self.cleaned_data["person"]]


# --------------------------------------------------------------------------- couples


class CoupleForm(_UserForm):
    married_on = forms.DateField(label=_("Marriage date"), widget=DateInput)
    wife = PersonField(label=_("Wife"), sex=Sex.FEMALE, required=False)
    husband = PersonField(label=_("Husband"), sex=Sex.MALE, required=False)
    outside_name = forms.CharField(label=_("Spouse's name"), max_length=50, required=False)
    outside_id_number = forms.CharField(
        label=_("Spouse's ID number"),
        max_length=30,
        required=False,
        help_text=_("18 characters; optional when unknown."),
    )
    outside_work_unit = forms.CharField(
        label=_("Spouse's work unit"), max_length=200, required=False
    )
    outside_township = forms.CharField(label=_("Spouse's township"), max_length=200, required=False)
    outside_phone = forms.CharField(label=_("Spouse's phone"), max_length=32, required=False)
    record_events = forms.BooleanField(
        label=_("Record the marriage as a life event of each registered spouse"),
        required=False,
        initial=True,
        help_text=_(
            "Untick when the registry already shows the person as married (the marriage "
            "is only being linked)."
        ),
    )
    late_reason = late_reason_field()

    OUTSIDE_FIELDS = (
        "outside_name",
        "outside_id_number",
        "outside_work_unit",
        "outside_township",
        "outside_phone",
    )

    def outside(self) -> dict[str, str] | None:
        data = {
            n.removeprefix("outside_"): self.cleaned_data.get(n, "") for n in self.OUTSIDE_FIELDS
        }
        return data if any(v.strip() for v in data.values()) else None


class CoupleEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput)
    reason = forms.ChoiceField(label=_("End reason"), choices=CoupleEnd.choices)
    deceased = forms.ChoiceField(
        label=_("Who died"),
        required=False,
        choices=[("", "---------"), ("wife", _("Wife")), ("husband", _("Husband"))],
        help_text=_("Only for the death of a spouse."),
    )
    late_reason = late_reason_field()


# --------------------------------------------------------------------------- births


class BirthForm(_UserForm):
    date = forms.DateField(label=_("Birth date"), widget=DateInput)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "---------"), *Sex.choices])
    couple = forms.TypedChoiceField(
        label=_("Couple"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Empty: the mother's marriage in force on the birth date."),
    )
    father = PersonField(
        label=_("Father"),
        sex=Sex.MALE,
        required=False,
        help_text=_("Empty: the husband of the couple, when registered."),
    )
    child_name = forms.CharField(label=_("Child's name"), max_length=50, required=False)
    register_child = forms.BooleanField(
        label=_("Register the child as a person"), required=False, initial=True
    )
    child_id_number = forms.CharField(
        label=_("Child's ID number"),
        max_length=30,
        required=False,
        help_text=_("Optional: a newborn is registered without one."),
    )
    place = forms.CharField(label=_("Place of birth"), max_length=200, required=False)
    order_override = forms.IntegerField(
        label=_("Birth order (override)"),
        required=False,
        min_value=1,
        help_text=_("Only to correct the computed order; say why below."),
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"), max_length=200, required=False
    )
    confirm_short_interval = forms.BooleanField(
        label=pgettext_lazy("short birth interval", "Confirm"),
        required=False,
        help_text=_(
            "Only when asked: another birth of the mother is less than 180 days away and "
            "the date is right."
        ),
    )
    late_reason = late_reason_field()

    def __init__(self, *args: Any, couples: list[Couple], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.couples = {c.pk: c for c in couples}
        self.fields["couple"].choices = [("", "---------")] + [
            (c.pk, f"{c} ({format_cn_date(c.married_on)})") for c in couples
        ]

    def clean_couple(self) -> Couple | None:
        pk = self.cleaned_data.get("couple")
        return self.couples.get(pk) if pk else None


class BirthOverrideForm(forms.Form):
    order_override = forms.IntegerField(
        label=_("Birth order (override)"),
        required=False,
        min_value=1,
        help_text=_("Empty: use the computed order again."),
    )
    override_reason = forms.CharField(label=_("Reason"), max_length=200)


class BirthChildForm(forms.Form):
    child_name = forms.CharField(label=_("Child's name"), max_length=50)
    child_id_number = forms.CharField(
        label=_("Child's ID number"),
        max_length=18,
        required=False,
        help_text=_("Leave empty when the child has none yet."),
    )


# --------------------------------------------------------------------------- pregnancies


class PregnancyForm(forms.Form):
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput)
    expected_on = forms.DateField(label=_("Expected date"), required=False, widget=DateInput)
    late_reason = late_reason_field()


class PregnancyCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "---------")]
        + [c for c in PregnancyOutcome.choices if c[0] != PregnancyOutcome.ONGOING],
    )
    outcome_on = forms.DateField(label=_("Outcome date"), widget=DateInput)
    birth = forms.TypedChoiceField(
        label=_("Birth record"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a live birth already entered: link its birth record."),
    )
    late_reason = late_reason_field()

    def __init__(self, *args: Any, births: list[Birth], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.births = {b.pk: b for b in births}
        self.fields["birth"].choices = [("", "---------")] + [
            (b.pk, f"{format_cn_date(b.date)} {b.child_name or b.get_sex_display()}")
            for b in births
        ]

    def clean_birth(self) -> Birth | None:
        pk = self.cleaned_data.get("birth")
        return self.births.get(pk) if pk else None
