"""Forms of the campaign and letter pages. They only parse input; the rules are in
:mod:`jisheng.services.campaigns` and :mod:`jisheng.services.letters`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.policy.choices import CampaignKind
from jisheng.services.forms import DateInput
from jisheng.services.models import CampaignTarget, Letter

YES_NO_NA = [("", "—"), *CampaignTarget.YesNoNA.choices]
YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
SELECT = {"class": "form-select form-select-sm"}
TEXT = {"class": "form-control form-control-sm"}


class RoundForm(forms.Form):
    campaign_id = forms.ChoiceField(
        label=_("Campaign"), error_messages={"required": _("Choose a campaign.")}
    )
    period_start = forms.DateField(
        label=_("First day"),
        widget=DateInput,
        error_messages={"required": _("Give the first day of the round.")},
    )
    period_end = forms.DateField(
        label=_("Last day"),
        widget=DateInput,
        error_messages={"required": _("Give the last day of the round.")},
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)

    def __init__(self, *args: Any, campaigns: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign_id"].choices = [
            (c.id, f"{c.name}（{CampaignKind(c.kind).label}）") for c in campaigns
        ]


class AttendanceRowForm(forms.Form):
    """One target's attendance and results, a row of the page's formset."""

    target = forms.IntegerField(widget=forms.HiddenInput)
    attended_on = forms.DateField(
        label=_("Attended on"),
        required=False,
        widget=DateInput(attrs={"class": "form-control form-control-sm js-minw-9"}),
        error_messages={"invalid": _("Give a valid date.")},
    )
    iud_in_place = forms.ChoiceField(
        label=_("IUD in place"), choices=YES_NO_NA, required=False, widget=forms.Select(SELECT)
    )
    pregnant = forms.ChoiceField(
        label=_("Pregnant"), choices=YES_NO, required=False, widget=forms.Select(SELECT)
    )
    findings = forms.CharField(
        label=_("Other findings"), max_length=500, required=False, widget=forms.TextInput(TEXT)
    )
    referred = forms.BooleanField(
        label=_("Referred"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input", "aria-label": _("Referred")}),
    )
    referred_to = forms.CharField(
        label=_("Referred to"),
        max_length=200,
        required=False,
        widget=forms.TextInput({**TEXT, "placeholder": _("Referred to")}),
    )

    @staticmethod
    def initial_for(target: CampaignTarget) -> dict[str, Any]:
        return {
            "target": target.pk,
            "attended_on": target.attended_on,
            "iud_in_place": target.iud_in_place,
            "pregnant": target.pregnant,
            "findings": target.findings,
            "referred": target.referred,
            "referred_to": target.referred_to,
        }


AttendanceFormSet = forms.formset_factory(AttendanceRowForm, extra=0, max_num=200)


class ElsewhereForm(forms.Form):
    checked_elsewhere_on = forms.DateField(
        label=_("Date of the check"),
        widget=DateInput,
        error_messages={"required": _("Give the date of the check.")},
    )
    certificate = forms.FileField(
        label=_("Check certificate (PDF, JPEG or PNG, at most 5 MB)"),
        error_messages={"required": _("Attach the check certificate.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class AppointmentForm(forms.Form):
    appointment_on = forms.DateField(
        label=_("Needs another appointment: the day agreed"),
        widget=DateInput,
        required=False,
        help_text=_("Empty: no day agreed yet."),
    )


class ReplyForm(forms.Form):
    reply_received_on = forms.DateField(
        label=_("Reply received on"),
        widget=DateInput,
        error_messages={"required": _("Give the date the reply was received.")},
    )
    reply_result = forms.ChoiceField(
        label=_("Reply"),
        choices=Letter.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer from the list.")},
    )
    reply_text = forms.CharField(
        label=_("Reply, details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LetterForm(forms.Form):
    couple = forms.IntegerField(widget=forms.HiddenInput)
    sent_on = forms.DateField(label=_("Sent on"), required=False, widget=DateInput)
    addressed_to = forms.CharField(label=_("Addressed to"), max_length=200, required=False)
