"""Tables (django-tables2) and the reusable list-page helper.

A list page is a filter form, a paginated sortable table and an export button::

    context = list_page(request, queryset=qs, filterset_class=MyFilter, table_class=MyTable)
    return render(request, "app/my_list.html", context)

and the template includes ``core/_list.html`` (see there for the variables it reads).
"""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from jisheng.core.models import AuditEvent
from jisheng.core.selectors import object_type_label

TABLE_ATTRS = {"class": "table table-sm table-hover table-striped align-middle"}


def list_page(
    request: Any,
    *,
    queryset: Any,
    table_class: type[tables.Table],
    filterset_class: Any = None,
    per_page: int | None = None,
    export_url: str | None = None,
    data: Any = None,
    **table_kwargs: Any,
) -> dict[str, Any]:
    """Filter ``queryset`` by the query string, then build the sorted, paginated table.

    Returns the context ``core/_list.html`` reads: ``filterset``, ``table`` and
    ``export_url`` (``None``: no export button).
    ``data`` replaces the query string as the filters' values (the person list puts back
    a search text that its URL carries only as a token).
    """
    filterset = None
    if filterset_class is not None:
        values = request.GET if data is None else data
        filterset = filterset_class(values or None, queryset=queryset, request=request)
        queryset = filterset.qs
    table = table_class(queryset, **table_kwargs)
    RequestConfig(request, paginate={"per_page": per_page or settings.JISHENG_PAGE_SIZE}).configure(
        table
    )
    return {"filterset": filterset, "table": table, "export_url": export_url}


class AuditEventTable(tables.Table):
    timestamp = tables.DateTimeColumn(
        verbose_name=_("Time"),
        format="Y年n月j日 H:i:s",
        linkify=("core:audit_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "text-nowrap"}},
    )
    username = tables.Column(verbose_name=_("User"))
    unit_name = tables.Column(verbose_name=_("User's unit"))
    action = tables.Column(verbose_name=_("Action"))
    object_type = tables.Column(verbose_name=_("Object type"))
    object_repr = tables.Column(verbose_name=_("Object"))
    ip_address = tables.Column(verbose_name=_("IP address"), attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        model = AuditEvent
        fields = (
            "timestamp",
            "username",
            "unit_name",
            "action",
            "object_type",
            "object_repr",
            "ip_address",
        )
        order_by = ("-timestamp",)
        attrs = TABLE_ATTRS
        empty_text = _("No audit events match.")

    def render_action(self, record: AuditEvent, value: str) -> str:
        css = {
            "denied": "text-bg-danger",
            "login_failed": "text-bg-warning",
            "delete": "text-bg-secondary",
        }.get(record.action, "text-bg-light border")
        return format_html('<span class="badge {}">{}</span>', css, record.get_action_display())

    def render_object_type(self, value: str) -> str:
        return object_type_label(value)
