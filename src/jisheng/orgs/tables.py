"""Tables (django-tables2) of the organisation pages."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.orgs.models import Unit


def _unit_url(record: Unit) -> str:
    return reverse("orgs:unit_detail", args=[record.code])


def _parent_url(record: Unit) -> str | None:
    code = getattr(record, "parent_code", None)
    return reverse("orgs:unit_detail", args=[code]) if code else None


class UnitTable(tables.Table):
    """Units of a subtree. Expects the queryset from ``selectors.with_parent_fields``."""

    name = tables.Column(
        verbose_name=_("Name"),
        linkify=_unit_url,
        attrs={"a": {"data-table-code": lambda record: record.code}},
    )
    code = tables.Column(verbose_name=_("Code"), attrs={"td": {"class": "font-monospace"}})
    unit_type = tables.Column(verbose_name=_("Type"))
    parent = tables.Column(
        verbose_name=_("Parent unit"),
        accessor="parent_name",
        order_by=("parent_code",),
        linkify=_parent_url,
        default="—",
    )
    numchild = tables.Column(
        verbose_name=_("Sub-units"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Unit
        fields = ("name", "code", "unit_type", "parent", "numchild", "is_active")
        order_by = ("code",)
        attrs = {"class": "table table-sm table-hover align-middle", "id": "unit-table-grid"}
        empty_text = _("No units match.")
        orderable = True
