"""Forms of the commodity ledger pages: one header form per movement and a formset of
lines (a fixed number of blank rows; rows left empty are ignored).

The services validate the business rules and name what is wrong by key (``occurred_on``,
``lines.2.quantity``); :func:`show_service_errors` puts each message back on the header
field or on the line row it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.commodities.choices import WriteOffReason
from jisheng.commodities.models import Document, Lot, Product, StockCard, Store
from jisheng.core.forms import add_service_errors
from jisheng.core.templatetags.cn import format_cn_date

BLANK_LINES = 5
_LINE_KEY = re.compile(r"^lines\.(\d+)\.(\w+)$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput())


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lot) -> str:
        return f"{obj.product.name} · {obj.number}（{format_cn_date(obj.expires_on)}到期）"


def lots_at(store: Store, *, with_stock: bool = True) -> QuerySet[Lot]:
    """The lots of the cards of ``store`` (holding stock, unless ``with_stock`` is off)."""
    cards = StockCard.objects.filter(store=store)
    if with_stock:
        cards = cards.filter(on_hand__gt=0)
    return (
        Lot.objects.filter(pk__in=cards.values("lot_id"))
        .select_related("product")
        .order_by("product__category", "product__code", "expires_on", "number")
    )


# --- headers ------------------------------------------------------------------------------


class _Header(forms.Form):
    staff_name = forms.CharField(label=_("Handled by"), max_length=50, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReceiptForm(_Header):
    supplier = forms.CharField(label=_("Supplier"), max_length=100)
    occurred_on = _date_field(_("Date received"))
    field_order = ["supplier", "occurred_on", "staff_name", "note"]


class TransferForm(_Header):
    to_store = forms.ModelChoiceField(label=_("To store"), queryset=Store.objects.none())
    occurred_on = _date_field(_("Date sent"))
    field_order = ["to_store", "occurred_on", "staff_name", "note"]

    def __init__(self, *args: Any, stores: QuerySet[Store], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_store"].queryset = stores


class TransferReceiveForm(_Header):
    occurred_on = _date_field(_("Date received"))
    field_order = ["occurred_on", "staff_name", "note"]


class IssueForm(_Header):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Product.objects.none(), widget=forms.HiddenInput
    )
    visit = forms.ModelChoiceField(
        label=_("During the follow-up visit"), queryset=Product.objects.none(), required=False
    )
    occurred_on = _date_field(_("Date issued"))
    field_order = ["person", "occurred_on", "visit", "staff_name", "note"]

    def __init__(self, *args: Any, persons: QuerySet, visits: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons
        self.fields["person"].error_messages["required"] = _(
            "Find the person first (ID number or name)."
        )
        self.fields["visit"].queryset = visits
        self.fields["visit"].label_from_instance = lambda v: f"{v.visited_on:%Y-%m-%d}"
        self.fields["staff_name"].label = _("Staff")


class WriteOffForm(_Header):
    reason = forms.ChoiceField(label=_("Reason"), choices=WriteOffReason.choices)
    occurred_on = _date_field(_("Date"))
    field_order = ["reason", "occurred_on", "note", "staff_name"]


class ReversalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reversal"), max_length=300, widget=forms.TextInput
    )


# --- lines -----------------------------------------------------------------------------


def _product_field(required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True), required=required
    )


def _quantity_field(label: Any = None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label or _("Quantity"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class _Line(forms.Form):
    """A line row: empty when every field is empty (then ignored)."""

    def is_empty(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return all(data.get(name) in (None, "") for name in self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_empty():
            return data
        if data.get("product") is None and "product" in self.fields:
            lot = data.get("lot")
            if lot is not None:
                data["product"] = lot.product
            elif "product" not in self.errors:
                self.add_error("product", _("Choose the product."))
        if data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        return data


class ReceiptLineForm(_Line):
    product = _product_field()
    number = forms.CharField(label=_("Lot number"), max_length=40, required=False)
    expires_on = forms.DateField(label=_("Expiry date"), required=False, widget=DateInput())
    quantity = _quantity_field()


class OutLineForm(_Line):
    """A line going out: product, quantity and, optionally, the lot."""

    product = _product_field()
    quantity = _quantity_field()
    lot = LotChoiceField(label=_("Lot (optional)"), queryset=Lot.objects.none(), required=False)

    def __init__(self, *args: Any, lots: QuerySet[Lot] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lots is not None:
            self.fields["lot"].queryset = lots


class WriteOffLineForm(OutLineForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].label = _("Lot")


class ReceivedLineForm(forms.Form):
    """One line of a transfer on arrival: quantity taken into stock, quantity damaged."""

    received = _quantity_field(_("Received into stock"))
    damaged = _quantity_field(_("Damaged on arrival"))


ReceiptLines = forms.formset_factory(ReceiptLineForm, extra=BLANK_LINES, max_num=50)
OutLines = forms.formset_factory(OutLineForm, extra=BLANK_LINES, max_num=50)
WriteOffLines = forms.formset_factory(WriteOffLineForm, extra=BLANK_LINES, max_num=50)
ReceivedLines = forms.formset_factory(ReceivedLineForm, extra=0, max_num=200)


def filled_lines(formset: forms.BaseFormSet) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a valid formset that are not empty: (row index, cleaned data)."""
    return [
        (i, form.cleaned_data)
        for i, form in enumerate(formset.forms)
        if form.cleaned_data and not form.is_empty()
    ]


def show_service_errors(
    form: forms.Form,
    exc: ValidationError,
    formset: forms.BaseFormSet | None = None,
    positions: Sequence[int] = (),
    field_map: dict[str, str] | None = None,
) -> None:
    """Show a service's ``ValidationError``: ``lines.N.field`` on row ``positions[N-1]``
    of ``formset`` (on the field when the row has it), the rest on ``form``."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    rest: dict[str, Any] = {}
    for key, errors in exc.error_dict.items():
        match = _LINE_KEY.match(key)
        if match and formset is not None and 0 < int(match[1]) <= len(positions):
            row = formset.forms[positions[int(match[1]) - 1]]
            field = match[2] if match[2] in row.fields else None
            messages = [m for error in errors for m in error.messages]
            row.add_error(field, messages)
            form.add_error(None, messages)
            continue
        if key == "lines":
            form.add_error(None, [m for error in errors for m in error.messages])
            continue
        rest[key] = errors
    if rest:
        add_service_errors(form, ValidationError(rest), field_map, models=(Document,))
