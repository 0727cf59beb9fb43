"""Forms of the exchange's pages; the rules are in :mod:`jisheng.exchange.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.exchange.choices import ReplyKind
from jisheng.exchange.models import NoticeKind
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ReplyForm(forms.Form):
    reply_kind = forms.ChoiceField(
        label=_("Kind of reply"), choices=ReplyKind.choices, initial=ReplyKind.NOTED
    )
    text = forms.CharField(
        label=_("Reply"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reply.")},
    )


class AddressForm(forms.Form):
    home_unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Home township in this system"),
        queryset=Unit.objects.filter(
            unit_type__in=(UnitType.TOWNSHIP, UnitType.STREET), is_active=True
        ).order_by("path"),
        required=False,
    )
    home_code = forms.CharField(
        label=_("Or the code of her home office in another system"), max_length=32, required=False
    )


class ContactForm(forms.Form):
    contacted_on = forms.DateField(
        label=_("Visited on"),
        widget=DateInput(),
        error_messages={"required": _("Give the date of the visit.")},
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InboxFilterForm(forms.Form):
    awaiting = forms.BooleanField(label=_("Awaiting reply"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *NoticeKind.choices], required=False
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ReceiverForm(forms.Form):
    receiver = forms.CharField(label=_("Only to the unit code"), max_length=32, required=False)
