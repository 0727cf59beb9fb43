"""The person list (人员列表): search, filters, sortable pages, and its Excel export.

The list starts at the working unit's subtree and is filtered by ``people.search``.
The export (``export.xlsx?<filters>``, or the list's own address with ``export=xlsx``)
writes the same filtered rows with masked ID and phone numbers, needs
``people.export_person``, and is written to the audit log with its filters and row
count.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import write_workbook, xlsx_response
from jisheng.core.tables import list_page
from jisheng.people import privacy
from jisheng.people.choices import IdStatus, MaritalStatus, PersonStatus, Sex
from jisheng.people.filters import PersonFilterSet, default_queryset
from jisheng.people.models import Person
from jisheng.people.search import interpret
from jisheng.people.search_query import filter_data, list_query
from jisheng.people.tables import PersonTable, mask_phone

VIEW_PERSON = "people.view_person"
EXPORT_PERSON = "people.export_person"
# Larger lists must be narrowed by the filters first (a workbook of this many rows takes
# some seconds and a few hundred MB to write).
EXPORT_MAX_ROWS = 100_000

# Column headers are part of the file format: fixed Chinese, like every jisheng workbook.
EXPORT_HEADERS = (
    "姓名",
    "性别",
    "出生日期",
    "年龄",
    "公民身份号码",
    "民族",
    "居住单位",
    "单位代码",
    "婚姻状况",
    "人员状态",
    "联系电话",
)
EXPORT_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "id_masked",
    "id_status",
    "ethnicity",
    "unit__name",
    "unit__code",
    "marital_status",
    "status",
    "phone",
)


def _filter_data(request: HttpRequest) -> QueryDict:
    """The filters of the list's URL, the search text put back from its token
    (``jisheng.people.search_query``); an unknown token is dropped with a message."""
    data, known = filter_data(request.session, request.GET)
    if not known:
        messages.warning(
            request,
            _("That search belongs to another session or has expired: type it again."),
        )
    return data


def _filterset(request: HttpRequest) -> PersonFilterSet:
    return PersonFilterSet(
        _filter_data(request) or None, queryset=default_queryset(request), request=request
    )


def _see_other(url: str) -> HttpResponse:
    """303: the browser follows with a GET (also after the search form's POST)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _search_redirect(request: HttpRequest, data: QueryDict) -> HttpResponse:
    """To the list with the submitted filters; the search text only as a token."""
    query = list_query(request.session, data)
    url = reverse("people:person_list")
    return _see_other(f"{url}?{query}" if query else url)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(VIEW_PERSON, raise_exception=True)
def person_list(request: HttpRequest) -> HttpResponse:
    """The persons of the working unit's subtree (or of ``unit``), filtered and sorted.

    The search form is posted: the text (it may be an ID number) never goes in a URL.
    A ``q`` in the query string (an old link or bookmark) is taken the same way: moved
    into the session at once, the list shown under its token."""
    if request.method == "POST":
        return _search_redirect(request, request.POST)
    if "q" in request.GET:
        return _search_redirect(request, request.GET)
    if request.GET.get("export") == "xlsx":
        return person_export(request)
    can_export = request.user.has_perm(EXPORT_PERSON)
    context = list_page(
        request,
        queryset=default_queryset(request),
        filterset_class=PersonFilterSet,
        table_class=PersonTable,
        export_url=reverse("people:person_export") if can_export else None,
        data=_filter_data(request),
    )
    filterset = context["filterset"]
    context.update(
        listed_unit=_listed_unit(request, filterset),
        can_add=request.user.has_perm("people.add_person"),
        filter_method="post",
    )
    return render(request, "people/person_list.html", context)


def _listed_unit(request: HttpRequest, filterset: PersonFilterSet) -> Any:
    if filterset.is_bound and filterset.is_valid():
        return filterset.unit_for(filterset.form.cleaned_data.get("unit"))
    return getattr(request, "working_unit", None)


# --------------------------------------------------------------------------- export


@require_safe
@permission_required(VIEW_PERSON, raise_exception=True)
def person_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an .xlsx workbook (masked numbers), audited."""
    if not request.user.has_perm(EXPORT_PERSON):
        raise PermissionDenied
    if "q" in request.GET:  # an old link: the search text leaves the URL first
        query = list_query(request.session, request.GET)
        return _see_other(f"{reverse('people:person_export')}?{query}")
    filterset = _filterset(request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(_list_url(request))
    queryset = filterset.qs
    count = queryset.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _(
                "The list has %(count)d persons; an export holds at most %(max)d. Narrow "
                "it with the filters (a unit, a status, an age band) and export again."
            )
            % {"count": count, "max": EXPORT_MAX_ROWS},
        )
        return redirect(_list_url(request))
    unit = _listed_unit(request, filterset)
    workbook = write_workbook(
        title="人员名单",
        headers=EXPORT_HEADERS,
        rows=_export_rows(queryset, full_birth=privacy.sees_full_birth(request.user)),
        widths={"公民身份号码": 22, "联系电话": 15},
    )
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=unit,
        changes={"filters": _audited_filters(filterset, unit), "rows": count},
        message=_("Exported the person list (%(count)d rows).") % {"count": count},
    )
    code = unit.code if unit is not None else "all"
    filename = f"人员名单_{code}_{timezone.localdate():%Y-%m-%d}.xlsx"
    return xlsx_response(workbook, filename)


def _list_url(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("export", None)
    url = reverse("people:person_list")
    return f"{url}?{query.urlencode()}" if query else url


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _export_rows(queryset: QuerySet[Person], *, full_birth: bool = False):
    """Rows in the order of :data:`EXPORT_HEADERS`, read without building model objects.

    ``full_birth``: birth date and exact age, else year-month and the age from the month
    (``people.privacy``: exporters without ``people.view_full_id``)."""
    today = timezone.localdate()
    sexes = _labels(Sex.choices)
    marital = _labels(MaritalStatus.choices)
    statuses = _labels(PersonStatus.choices)
    id_statuses = _labels(IdStatus.choices)
    rows = queryset.select_related(None).values_list(*EXPORT_FIELDS)
    for (
        name,
        sex,
        birth_date,
        id_masked,
        id_status,
        ethnicity,
        unit_name,
        unit_code,
        marital_status,
        status,
        phone,
    ) in rows.iterator(chunk_size=2000):
        yield (
            name,
            sexes.get(sex, sex),
            privacy.shown_birth(birth_date, full=full_birth, fmt="month"),
            privacy.shown_age(birth_date, today, full=full_birth),
            id_masked or id_statuses.get(id_status, id_status),
            ethnicity,
            unit_name,
            unit_code,
            marital.get(marital_status, marital_status),
            statuses.get(status, status),
            mask_phone(phone),
        )


def _audited_filters(filterset: PersonFilterSet, unit: Any) -> dict[str, Any]:
    """The filters of the export as written to the audit log (an ID number masked)."""
    result: dict[str, Any] = {}
    if filterset.is_bound:
        for key, value in filterset.form.cleaned_data.items():
            if value in (None, ""):
                continue
            result[key] = interpret(value).masked() if key == "q" else value
    if unit is not None:
        result["unit"] = unit.code
    return result
