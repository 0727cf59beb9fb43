"""Tables (django-tables2) of the registry pages, and the masking of list columns.

Lists never show a full ID number (``Person.id_masked``: ``110105************``) nor a
full phone number (``138****5678``); the person's page shows them to those allowed.
Ages follow ``people.privacy`` (from the birth month for readers without
``people.view_full_id``).
"""

from __future__ import annotations

import datetime

import django_tables2 as tables
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core.tables import TABLE_ATTRS
from jisheng.people import privacy
from jisheng.people.models import Person

# Columns hidden on phones (375 px): only name, sex, age and status stay.
HIDE_ON_PHONE = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell"},
}
HIDE_BELOW_LARGE = {
    "th": {"class": "d-none d-lg-table-cell"},
    "td": {"class": "d-none d-lg-table-cell"},
}


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``: the middle digits hidden, the ends kept."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    keep_end = 4
    keep_start = min(3, max(0, len(phone) - keep_end - 4))
    hidden = len(phone) - keep_start - keep_end
    return phone[:keep_start] + "*" * hidden + phone[-keep_end:]


class PersonTable(tables.Table):
    name = tables.Column(
        verbose_name=pgettext_lazy("person", "Name"),
        linkify=("people:person_detail", {"pk": tables.A("pk")}),
        order_by=("name_sort", "name", "id"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    sex = tables.Column(verbose_name=_("Sex"), order_by=("sex", "name_sort", "name", "id"))
    age = tables.Column(
        verbose_name=_("Age"),
        accessor="birth_date",
        order_by=("-birth_date", "id"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    id_masked = tables.Column(
        verbose_name=_("ID number"),
        orderable=False,
        empty_values=(),
        attrs={
            "th": {"class": "d-none d-md-table-cell"},
            "td": {"class": "d-none d-md-table-cell font-monospace text-nowrap"},
        },
    )
    unit = tables.Column(
        verbose_name=_("Residence unit"),
        order_by=("unit__path", "name_sort", "name", "id"),
        attrs=HIDE_ON_PHONE,
    )
    marital_status = tables.Column(
        verbose_name=_("Marital status"),
        order_by=("marital_status", "name_sort", "name", "id"),
        attrs=HIDE_BELOW_LARGE,
    )
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "name_sort", "name", "id"))
    phone = tables.Column(
        verbose_name=_("Phone"),
        orderable=False,
        attrs={
            "th": {"class": "d-none d-lg-table-cell"},
            "td": {"class": "d-none d-lg-table-cell font-monospace text-nowrap"},
        },
    )

    class Meta:
        model = Person
        fields = (
            "name",
            "sex",
            "age",
            "id_masked",
            "unit",
            "marital_status",
            "status",
            "phone",
        )
        attrs = {**TABLE_ATTRS, "data-testid": "person-table"}
        empty_text = _("No persons match.")

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def _full_birth(self) -> bool:
        request = getattr(self, "request", None)
        return privacy.sees_full_birth(getattr(request, "user", None))

    def order_age(self, queryset, is_descending: bool):
        """Sorted by age: by birth month only for readers who see the month only (the
        order within a month would tell who of two was born first)."""
        if self._full_birth():
            return queryset, False
        month = TruncMonth("birth_date")
        key = month.asc() if is_descending else month.desc()
        return queryset.order_by(key, "name_sort", "name", "id"), True

    def render_age(self, value: datetime.date) -> int:
        return privacy.shown_age(value, self.today, full=self._full_birth())

    def render_id_masked(self, record: Person, value: str) -> str:
        return value or str(record.get_id_status_display())

    def render_phone(self, value: str) -> str:
        return mask_phone(value)
