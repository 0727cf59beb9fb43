"""Forms of the certificate pages. They only parse input: the rules (the holder, the
issuing unit, the kind's fields, the registry checks) are in
:mod:`jisheng.certificates.services`, whose ``ValidationError``s are put back on the
fields (:meth:`ApplyForm.add_service_errors`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.certificates.kinds import FieldSpec, KindSpec
from jisheng.core.forms import add_service_errors
from jisheng.people.forms import PersonField

if TYPE_CHECKING:
    from django.http import QueryDict

    from jisheng.orgs.models import Unit, User
    from jisheng.people.models import Couple, Person

FIELD_PREFIX = "f_"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _kind_field(spec: FieldSpec) -> forms.Field:
    """A form field for one field of a kind. Left optional and as text: the service
    checks it (required, length, date, number, choice) and its messages come back here."""
    if spec.type == "choice":
        return forms.ChoiceField(
            label=spec.title,
            required=False,
            choices=[("", "—"), *((c, c) for c in spec.choices)],
        )
    widget: forms.Widget
    if spec.type == "date":
        widget = DateInput()
    elif spec.type == "int":
        widget = forms.TextInput(attrs={"inputmode": "numeric"})
    elif spec.max_length > 200:
        widget = forms.Textarea(attrs={"rows": 2, "maxlength": spec.max_length})
    else:
        widget = forms.TextInput(attrs={"maxlength": spec.max_length})
    return forms.CharField(label=spec.title, required=False, widget=widget, strip=True)


class ApplyForm(forms.Form):
    """An application for a certificate of one kind: the holder (a person picked from
    the register; for a couple kind, the wife or the husband, whose marriage in force is
    the holder — or the couple given by the page), the issuing unit and the kind's
    fields (from ``kinds.yaml``)."""

    person = PersonField(label=pgettext_lazy("certificate", "Holder"), required=False)
    issuer = forms.TypedChoiceField(label=_("Issuing unit"), coerce=int)

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        spec: KindSpec,
        user: User,
        issuers: list[Unit],
        couple: Couple | None = None,
        initial: dict[str, object] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.spec = spec
        self.user = user
        self.couple = couple
        self.issuers = {u.pk: u for u in issuers}
        person = self.fields["person"]
        assert isinstance(person, PersonField)
        person.bind(user)
        if couple is not None:
            del self.fields["person"]
        else:
            person.required = True
            person.error_messages["required"] = (
                _("Choose the wife or the husband from the search results.")
                if spec.holder == "couple"
                else _("Choose the person from the search results.")
            )
            if spec.holder == "couple":
                person.label = _("Wife or husband")
                person.help_text = _("The certificate is made out to their marriage in force.")
        issuer = self.fields["issuer"]
        assert isinstance(issuer, forms.TypedChoiceField)
        issuer.choices = [(u.pk, u.name) for u in issuers]
        issuer.error_messages["required"] = _("Choose the issuing unit.")
        issuer.error_messages["invalid_choice"] = _("Choose the issuing unit from the list.")
        for field in spec.fields:
            self.fields[FIELD_PREFIX + field.key] = _kind_field(field)

    def picked(self) -> list[Person]:
        """The person chosen so far (to show them again in the picker after an error)."""
        if "person" not in self.fields:
            return []
        value = self["person"].value()
        if value in (None, ""):
            return []
        from jisheng.people import selectors_family

        found = selectors_family.person_find(user=self.user, pk=value)
        return [found] if found is not None else []

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[FIELD_PREFIX + f.key] for f in self.spec.fields]

    def data_for_service(self) -> dict[str, str]:
        """The kind's fields as the service takes them (by key, as text)."""
        return {
            f.key: str(self.cleaned_data.get(FIELD_PREFIX + f.key) or "") for f in self.spec.fields
        }

    def issuer_unit(self) -> Unit:
        return self.issuers[self.cleaned_data["issuer"]]

    def add_service_errors(self, exc: ValidationError) -> None:
        field_map = {f.key: FIELD_PREFIX + f.key for f in self.spec.fields}
        if "person" in self.fields:
            field_map["couple"] = "person"
        add_service_errors(self, exc, field_map)


class StepForm(forms.Form):
    """A step on a certificate (the buttons of its page): the step and its message."""

    action = forms.CharField(max_length=20)
    message = forms.CharField(max_length=1000, required=False, strip=True)
