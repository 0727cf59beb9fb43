"""Pages of the statistical forms (/reporting/forms/): the list of forms and their
versions, one form for ``?unit=CODE`` (default: the working unit) and ``?period=``
(default: the last whole period of the form's frequency) with ``?format=xlsx`` (the
printed layout) and ``?format=json`` (DHIS2 dataValueSet), both audited, and the records
behind one cell (``records/?column=KEY&row=CODE|total``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.apps import apps
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core import periods, scope, statforms
from jisheng.core.excel import xlsx_response
from jisheng.core.periods import Period
from jisheng.core.registry import registry
from jisheng.core.statforms import Form, FormSpec
from jisheng.core.web import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.orgs.web import requested_unit
from jisheng.reporting import exports, selectors_statforms
from jisheng.reporting.definitions import FREQUENCY_LABELS

VIEW_FORMS = "reporting.view_formdefinition"
PAGE_SIZE = 50


def _spec(key: str) -> FormSpec:
    spec = registry["statforms"].get(key)
    if spec is None:
        raise Http404(_("Not found."))
    return spec


def _period(request: HttpRequest, spec: FormSpec) -> Period:
    text = request.GET.get("period")
    today = timezone.localdate()
    if not (text or "").strip():
        return periods.containing(today, spec.frequency).previous()
    period = periods.parse(text or "")
    if period.kind != spec.frequency:
        raise periods.PeriodError(
            _("This form is a %(frequency)s: choose a period of that kind.")
            % {"frequency": FREQUENCY_LABELS.get(spec.frequency, spec.frequency)}
        )
    return period


def _counts(spec: FormSpec, unit: Unit, period: Period) -> Form:
    """The form's figures for the page and the exports: a form defined by a file without
    its records (the links come from the figures), any other by its own build."""
    if spec.source == "reporting":
        return selectors_statforms.build(spec.key, unit, period, with_records=False)
    return spec.build(unit, period)


def _url(name: str, spec: FormSpec, unit: Unit, period: Period, **extra: str) -> str:
    query = {"unit": unit.code, "period": period.code, **extra}
    return f"{reverse(name, args=[spec.key])}?{urlencode(query)}"


@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, VIEW_FORMS)
    unit = requested_unit(request)
    entries = [
        {
            "spec": entry.spec,
            "frequency": FREQUENCY_LABELS.get(entry.spec.frequency, entry.spec.frequency),
            "versions": entry.versions,
            "url": f"{reverse('reporting:form', args=[entry.spec.key])}?unit={unit.code}",
        }
        for entry in selectors_statforms.form_entries()
    ]
    return render(request, "reporting/form_list.html", {"entries": entries, "unit": unit})


def _form_context(
    request: HttpRequest, spec: FormSpec, unit: Unit, period: Period, form: Form
) -> dict[str, object]:
    groups = selectors_statforms.column_groups(spec)
    top, bottom = exports.header_cells(form, groups)
    records_url = reverse("reporting:form_records", args=[spec.key])
    # a form defined by a file drills down from every figure but a difference
    drills = spec.source == "reporting"
    linked = {key for key, _label in form.columns}
    if drills:
        definition = selectors_statforms.definition_in_force(spec.key)
        linked = {c.key for c in definition.columns if all(sign > 0 for sign, _k in c.terms)}
    table = []
    for row in form.rows:
        code = "total" if row.unit is None else row.unit.code
        pk = None if row.unit is None else row.unit.pk
        cells = []
        for key, _label in form.columns:
            value = row.cells.get(key)
            link = ""
            if value and key in linked and (form.records.get((pk, key)) or drills):
                query = {"unit": unit.code, "period": period.code, "column": key, "row": code}
                link = f"{records_url}?{urlencode(query)}"
            cells.append((value, link))
        table.append((row.label, cells))
    user = request.user
    return {
        "title": spec.title,
        "spec": spec,
        "form": form,
        "unit": unit,
        "period": period,
        "period_label": period.long_label,
        "today": timezone.localdate(),
        "deadline": spec.deadline(unit, period),
        "units": [
            *org_selectors.unit_ancestors(user=user, unit=unit),
            unit,
            *org_selectors.unit_children(user=user, unit=unit),
        ],
        "url_name": "reporting:form",
        "url_args": spec.key,
        "action_url": reverse("reporting:form", args=[spec.key]),
        "previous_url": _url("reporting:form", spec, unit, period.previous()),
        "next_url": _url("reporting:form", spec, unit, period.next()),
        "export_url": _url("reporting:form", spec, unit, period, format="xlsx"),
        "json_url": _url("reporting:form", spec, unit, period, format="json"),
        "header_top": top,
        "header_bottom": bottom,
        "rows": table,
    }


@require_GET
def form_detail(request: HttpRequest, key: str) -> HttpResponse:
    require_perm(request, VIEW_FORMS)
    spec = _spec(key)
    unit = requested_unit(request)
    try:
        period = _period(request, spec)
    except periods.PeriodError as exc:
        return render(
            request,
            "reporting/form_error.html",
            {"message": str(exc), "back_url": reverse("reporting:forms"), "title": spec.title},
            status=400,
        )
    form = _counts(spec, unit, period)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "json"):
        statforms.record_export(actor=request.user, unit=unit, period=period, title=form.title)
        if fmt == "xlsx":
            name = getattr(request.user, "full_name", "") or ""
            book = exports.workbook(form, selectors_statforms.column_groups(spec), prepared_by=name)
            return xlsx_response(book, f"{form.title}_{unit.code}_{period.code}.xlsx")
        return JsonResponse(exports.data_value_set(form), json_dumps_params={"ensure_ascii": False})
    return render(
        request, "reporting/form_detail.html", _form_context(request, spec, unit, period, form)
    )


def record_text(obj: models.Model) -> str:
    """A record's particulars in words: its choice fields as displayed (性别 女, 方法
    女性绝育 …) and a child's name — not its ``str()``, which may hold ids and codes."""
    parts = []
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname, None)
        if f.choices and value not in (None, ""):
            parts.append(str(getattr(obj, f"get_{f.name}_display")()))
        elif f.name in ("child_name", "name") and value:
            parts.append(str(value))
    return " · ".join(parts)


def _describe(references: list[str], user: object) -> list[dict[str, object]]:
    """The records of ``references`` ("app.model:pk"), in that order, for the list; the
    person links only where the user may open the person (a resident at the start of the
    year may live outside the user's subtree now)."""
    by_model: dict[str, list[int]] = {}
    for reference in references:
        label, pk = reference.split(":")
        by_model.setdefault(label, []).append(int(pk))
    objects: dict[str, models.Model] = {}
    for label, pks in by_model.items():
        model = apps.get_model(label)
        related = [
            f.name
            for f in model._meta.concrete_fields
            if f.name in ("unit", "person", "mother", "woman")
        ]
        related += [f"{name}__unit" for name in related if name != "unit"]
        for pk, obj in model._default_manager.select_related(*related).in_bulk(pks).items():
            objects[f"{label}:{pk}"] = obj
    out = []
    for reference in references:
        obj = objects.get(reference)
        if obj is None:
            continue
        person = (
            getattr(obj, "person", None)
            or getattr(obj, "mother", None)
            or getattr(obj, "woman", None)
        )
        date = next(
            (
                getattr(obj, f)
                for f in ("date", "started_on", "outcome_on", "valid_from")
                if getattr(obj, f, None)
            ),
            None,
        )
        out.append(
            {
                "kind": obj._meta.verbose_name,
                "text": record_text(obj),
                "date": date,
                "unit": getattr(getattr(obj, "unit", None), "name", ""),
                "person": getattr(person, "name", ""),
                "person_id": getattr(person, "pk", None)
                if person is not None and scope.path_in_scope(person.unit.path, user)
                else None,
            }
        )
    return out


@require_GET
def form_records(request: HttpRequest, key: str) -> HttpResponse:
    """The records behind one cell of a form (the unit in the user's scope)."""
    require_perm(request, VIEW_FORMS)
    spec = _spec(key)
    unit = requested_unit(request)
    try:
        period = _period(request, spec)
    except periods.PeriodError as exc:
        return render(
            request,
            "reporting/form_error.html",
            {"message": str(exc), "back_url": reverse("reporting:forms"), "title": spec.title},
            status=400,
        )
    if spec.source == "reporting":
        definition = selectors_statforms.definition_in_force(spec.key)
        labels = {c.key: c.label for c in definition.columns}
    else:
        form = spec.build(unit, period)
        labels = dict(form.columns)
    column = request.GET.get("column") or next(iter(labels), "")
    if column not in labels:
        raise Http404(_("Not found."))
    if spec.source == "reporting":
        form = selectors_statforms.cell_records(spec.key, unit, period, column)
    code = request.GET.get("row", "total")
    row = next(
        (r for r in form.rows if (r.unit.code if r.unit is not None else "total") == code), None
    )
    if row is None:
        raise Http404(_("Not found."))
    pk = row.unit.pk if row.unit is not None else None
    references = form.records.get((pk, column), [])
    page = Paginator(references, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"unit": unit.code, "period": period.code, "column": column, "row": code}
    return render(
        request,
        "reporting/form_records.html",
        {
            "title": spec.title,
            "spec": spec,
            "unit": unit,
            "period": period,
            "row_label": row.label,
            "column_label": labels[column],
            "value": row.cells.get(column),
            "count": len(references),
            "page": page,
            "records": _describe(list(page.object_list), request.user),
            "form_url": _url("reporting:form", spec, unit, period),
            "page_query": urlencode(query),
        },
    )
