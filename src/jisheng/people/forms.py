"""Forms of the person pages. They only parse input; the rules live in the services, whose
``ValidationError``s are put back on the fields with :func:`add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core.forms import add_service_errors as core_add_service_errors
from jisheng.core.forms import late_reason_field
from jisheng.core.scope import restrict
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.core.validation import NOTE_MAX_LENGTH
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.people import selectors_family
from jisheng.people.choices import EventKind, IdStatus, PersonStatus, Sex
from jisheng.people.models import Couple, LifeEvent, Person, Transfer

# Units people work for (an employer is one of these, never a territory).
WORK_UNIT_TYPES = (
    UnitType.ENTERPRISE,
    UnitType.SCHOOL,
    UnitType.HOSPITAL,
    UnitType.AGENCY,
    UnitType.BRANCH,
    UnitType.SECTION,
)

# Scopes with at most this many units choose from a list; larger ones type the code.
UNIT_SELECT_LIMIT = 300

# Which kind-specific fields each event kind uses (the others are ignored and hidden).
EVENT_UNIT_KINDS = (EventKind.MOVE_IN, EventKind.FLOW_IN, EventKind.INTERNAL_TRANSFER)
EVENT_TO_KINDS = (
    EventKind.MOVE_OUT,
    EventKind.FLOW_OUT,
    EventKind.RETIREMENT,
    EventKind.EARLY_RETIREMENT,
    EventKind.LEAVE_EMPLOYMENT,
)
EVENT_PLACE_KINDS = (EventKind.BIRTH, EventKind.DEATH)
# A marriage names the spouse (registered, or outside the registry) and creates the
# couple; a divorce ends one of the person's open couples.
EVENT_SPOUSE_KINDS = (EventKind.MARRIAGE,)
EVENT_COUPLE_KINDS = (EventKind.DIVORCE,)
OUTSIDE_SPOUSE_FIELDS = (
    "outside_name",
    "outside_id_number",
    "outside_work_unit",
    "outside_township",
    "outside_phone",
)
EVENT_FIELD_KINDS: dict[str, tuple[str, ...]] = {
    "unit": EVENT_UNIT_KINDS,
    "to": EVENT_TO_KINDS,
    "place": EVENT_PLACE_KINDS,
    "spouse": EVENT_SPOUSE_KINDS,
    **{name: EVENT_SPOUSE_KINDS for name in OUTSIDE_SPOUSE_FIELDS},
    "couple": EVENT_COUPLE_KINDS,
}
# The fields whose values go into the event's ``data`` (the others have their own use).
EVENT_DATA_FIELDS = ("unit", "to", "place")
# Kinds the event form offers: every kind but the registration and the correction,
# which have their own pages.
EVENT_FORM_KINDS = [
    (value, label)
    for value, label in EventKind.choices
    if value not in (EventKind.REGISTER, EventKind.CORRECTION)
]
# A person is not registered as already gone.
REGISTER_STATUSES = [
    (value, label)
    for value, label in PersonStatus.choices
    if value not in (PersonStatus.TRANSFERRED_OUT, PersonStatus.DECEASED)
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _field(model: type[models.Model], name: str, **kwargs: Any) -> forms.Field:
    """The form field Django derives from a model field (label, choices, required …)."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.DateField):
        kwargs.setdefault("widget", DateInput)
    elif isinstance(model_field, models.TextField):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
    return model_field.formfield(**kwargs)


def add_service_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Service errors on the form, labelled with the registry models' field names."""
    core_add_service_errors(form, exc, field_map, models=(Person, LifeEvent, Transfer))


class UnitField(forms.CharField):
    """A unit of the user's data scope, addressed by its code.

    Call :meth:`bind` in the form's ``__init__``: small scopes get a drop-down list in tree
    order, large ones (a county's thousands of groups) a code box. A code outside the
    scope answers like an unknown one and is audited as ``denied``.
    """

    def __init__(self, *, unit_types: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.unit_types = tuple(unit_types)
        self.user: Any = None
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def bind(self, user: Any) -> None:
        self.user = user
        qs = restrict(Unit.objects.all(), user)
        if self.unit_types:
            qs = qs.filter(unit_type__in=self.unit_types)
        units = list(qs.order_by("path").only("code", "name", "depth")[: UNIT_SELECT_LIMIT + 1])
        if len(units) <= UNIT_SELECT_LIMIT:
            top = min((u.depth for u in units), default=1)
            choices = [("", "---------")] + [
                (u.code, "\u3000" * (u.depth - top) + f"{u.name} ({u.code})") for u in units
            ]
            self.widget = forms.Select(choices=choices)
        else:
            self.widget = forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": "32"}
            )
            self.help_text = _("Type the unit's code.")
        self.widget.is_required = self.required

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Unit) else value

    def clean(self, value: Any) -> Unit | None:
        code = super().clean(value)
        if not code:
            return None
        unit = org_selectors.unit_find(user=self.user, code=code)
        if unit is None:
            raise ValidationError(
                _("There is no unit with the code %(code)s in your data scope."),
                code="not_found",
                params={"code": code},
            )
        if self.unit_types and unit.unit_type not in self.unit_types:
            raise ValidationError(
                _("%(name)s is not a work unit."), code="not_work_unit", params={"name": unit.name}
            )
        return unit


class PersonField(forms.IntegerField):
    """A person of the user's scope, chosen by id from the picker's search results.

    ``sex`` limits the search (and the choice) to women or men. Call :meth:`bind`.
    """

    widget = forms.HiddenInput

    def __init__(self, *, sex: str = "", **kwargs: Any) -> None:
        self.sex = sex
        self.user: Any = None
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)

    def bind(self, user: Any) -> None:
        self.user = user

    def prepare_value(self, value: Any) -> Any:
        return value.pk if isinstance(value, Person) else value

    def clean(self, value: Any) -> Person | None:
        if isinstance(value, Person):
            value = value.pk
        pk = super().clean(value)
        if pk is None:
            return None
        person = selectors_family.person_find(user=self.user, pk=pk)
        if person is None:
            raise ValidationError(_("Choose a person from the search results."), code="not_found")
        return person


class PersonForm(forms.Form):
    """Registration (建档) of a person: identity, then the state on the registration date."""

    name = _field(Person, "name", label=pgettext_lazy("person", "Name"))
    sex = _field(Person, "sex")
    birth_date = _field(Person, "birth_date")
    id_status = _field(Person, "id_status")
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        help_text=_(
            "18 characters. Leave empty only when the person has no valid ID, and say why above."
        ),
    )
    ethnicity = _field(Person, "ethnicity")
    hukou_place = _field(Person, "hukou_place")
    hukou_type = _field(Person, "hukou_type")
    unit = UnitField(label=_("Residence unit"))
    employer = UnitField(
        label=_("Employer"),
        required=False,
        unit_types=WORK_UNIT_TYPES,
        help_text=_("Optional: the work unit the person is employed by."),
    )
    phone = _field(Person, "phone")
    education = _field(Person, "education")
    marital_status = _field(Person, "marital_status")
    status = forms.ChoiceField(label=_("Status"), choices=REGISTER_STATUSES)
    registered_on = forms.DateField(
        label=_("Registration date"),
        widget=DateInput,
        help_text=_("The day the person entered the registry here; the history starts on it."),
    )
    late_reason = late_reason_field()

    FIELDSETS = (
        (
            _("Identity"),
            ("name", "sex", "birth_date", "id_status", "id_number", "ethnicity", "phone"),
        ),
        (_("Household registration and education"), ("hukou_place", "hukou_type", "education")),
        (
            _("Situation on the registration date"),
            ("registered_on", "unit", "employer", "marital_status", "status"),
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(user)
        self.fields["employer"].bind(user)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}
        )
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["id_status"].help_text = _(
            "Newborns without an ID yet and foreign nationals may be registered without one."
        )

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.FIELDSETS]

    @classmethod
    def initial_for(cls, unit: Unit | None) -> dict[str, Any]:
        return {
            "unit": unit,
            "id_status": IdStatus.VALID,
            "status": PersonStatus.REGISTERED,
            "registered_on": timezone.localdate(),
            "ethnicity": "汉族",
        }


def _clean_phone(value: str) -> str:
    """A phone number: digits, with spaces, ``-`` or a leading ``+`` allowed."""
    value = (value or "").strip()
    digits = value.removeprefix("+").replace("-", "").replace(" ", "")
    if value and not (digits.isdigit() and digits.isascii()):
        raise ValidationError(
            _("A phone number has only digits (spaces, “-” and a leading “+” are allowed)."),
            code="phone",
        )
    return value


class PersonEditForm(forms.Form):
    """The identity details of a registered person (``services.PERSON_FIELDS``).

    Residence, employer, marital status and status are not here: they change only
    through life events, so that the dated history stays exact. Sex, birth date and
    ID number are fixed at registration.
    """

    name = _field(Person, "name", label=pgettext_lazy("person", "Name"))
    ethnicity = _field(Person, "ethnicity")
    phone = _field(Person, "phone")
    hukou_place = _field(Person, "hukou_place")
    hukou_type = _field(Person, "hukou_type")
    education = _field(Person, "education")
    notes = _field(Person, "notes", max_length=NOTE_MAX_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "off", "type": "tel"}
        )

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return {name: getattr(person, name) for name in cls.base_fields}

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])


class EventForm(forms.Form):
    """One form for every life event; the kind decides which details apply.

    A marriage names the spouse: a registered person (picker) or a spouse outside the
    registry (name, ID number, work unit, township, phone), and the view creates the
    couple. A divorce ends one of the person's open couples (``couples``; the only one
    by default); without any, it is recorded as an event only and the history decides
    whether it fits.
    """

    kind = forms.ChoiceField(label=_("Event"), choices=[("", "---------"), *EVENT_FORM_KINDS])
    date = forms.DateField(label=_("Date"), widget=DateInput)
    unit = UnitField(
        label=_("New unit"),
        required=False,
        help_text=_("Where the person now lives or works (in your data scope)."),
    )
    to = forms.CharField(
        label=_("Destination"),
        max_length=200,
        required=False,
        help_text=_("Where the person went: unit, township or place."),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Hospital or place of the birth or death."),
    )
    spouse = PersonField(
        label=_("Spouse in the registry"),
        required=False,
        help_text=_("Search by name, pinyin, ID number or phone, then choose the person."),
    )
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
    couple = forms.TypedChoiceField(
        label=_("Marriage that ends"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("The person's marriages in force in the registry."),
    )
    note = _field(LifeEvent, "note")
    late_reason = late_reason_field()

    def __init__(
        self,
        data: Any = None,
        *args: Any,
        user: Any,
        person: Person | None = None,
        couples: list[Couple] | tuple[Couple, ...] = (),
        **kwargs: Any,
    ) -> None:
        if data is not None:
            # Details of other kinds (left in hidden inputs) are dropped, not validated.
            data = data.copy()
            kind = data.get("kind", "")
            for name, kinds in EVENT_FIELD_KINDS.items():
                if kind not in kinds:
                    data.pop(name, None)
                    if name == "spouse":
                        data.pop("spouse_q", None)
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.person = person
        self.couples = {c.pk: c for c in couples}
        self.fields["unit"].bind(user)
        self.fields["spouse"].bind(user)
        if person is not None:
            self.fields["spouse"].sex = Sex.MALE if person.sex == Sex.FEMALE else Sex.FEMALE
        self.fields["couple"].choices = [("", "---------")] + [
            (c.pk, self._couple_label(c)) for c in couples
        ]
        if len(couples) == 1:
            self.fields["couple"].initial = couples[0].pk
        self.fields["note"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["outside_id_number"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["outside_phone"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "off"}
        )
        for name, kinds in EVENT_FIELD_KINDS.items():
            # The page shows these fields only for these kinds (see event_form.html).
            self.fields[name].event_kinds = " ".join(kinds)
        self.fields["kind"].widget.attrs["data-event-kind-select"] = ""

    def _couple_label(self, couple: Couple) -> str:
        if self.person is not None and couple.wife_id == self.person.pk:
            spouse = couple.husband.name if couple.husband_id else couple.outside_name
        elif self.person is not None and couple.husband_id == self.person.pk:
            spouse = couple.wife.name if couple.wife_id else couple.outside_name
        else:
            spouse = str(couple)
        return _("%(spouse)s, married %(date)s") % {
            "spouse": spouse,
            "date": format_cn_date(couple.married_on),
        }

    def clean_couple(self) -> Couple | None:
        pk = self.cleaned_data.get("couple")
        return self.couples.get(pk) if pk else None

    def clean_outside_phone(self) -> str:
        return _clean_phone(self.cleaned_data["outside_phone"])

    # The rules of a marriage or a divorce (a spouse, one of them only, not the person;
    # which marriage ends; not before the registration) are the service's
    # (``family.marriage_record`` / ``family.divorce_record``), shared with the API.

    def outside(self) -> dict[str, str] | None:
        """The outside spouse's details for ``family.couple_create`` (None: none given)."""
        cleaned = getattr(self, "cleaned_data", {})
        values = {
            name.removeprefix("outside_"): (cleaned.get(name) or "").strip()
            for name in OUTSIDE_SPOUSE_FIELDS
        }
        return values if any(values.values()) else None

    def spouse_picked(self) -> list[Person]:
        """The spouse chosen so far (to show it again in the picker after an error)."""
        spouse = getattr(self, "cleaned_data", {}).get("spouse")
        return [spouse] if isinstance(spouse, Person) else []

    def event_data(self) -> dict[str, Any]:
        """The event's details for ``event_record`` (only those its kind uses)."""
        kind = self.cleaned_data["kind"]
        data: dict[str, Any] = {}
        for name in EVENT_DATA_FIELDS:
            value = self.cleaned_data.get(name)
            if kind in EVENT_FIELD_KINDS[name] and value:
                data[name] = value
        return data


class EventCorrectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Why the event is wrong. The event stays in the history, struck through, "
            "with this reason."
        ),
    )


class TransferCompleteForm(forms.Form):
    receiving_unit = UnitField(
        label=_("Receiving unit (in the registry)"),
        required=False,
        help_text=_("If the person's new unit is in your data scope, choose it."),
    )
    receiving_name = _field(
        Transfer,
        "receiving_name",
        help_text=_("The unit or township that received the records."),
    )
    records_handed = _field(
        Transfer,
        "records_handed",
        required=True,
        help_text=_("E.g. information card, contraception record, birth registration."),
    )
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiving_unit"].bind(user)


class TransferFilterForm(forms.Form):
    """Filters of the transfers page, and the period of the 管理移交率."""

    STATUS_CHOICES = [
        ("open", _("Open")),
        ("completed", _("Completed")),
        ("all", _("All")),
    ]

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    start = forms.DateField(label=_("Period from"), widget=DateInput, required=False)
    end = forms.DateField(label=_("to"), widget=DateInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The period ends before it starts."))
        return data
