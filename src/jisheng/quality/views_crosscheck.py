"""Cross-check pages (/quality/crosscheck/…): the imported lists, the import page, the
column mapping of a source, a list's records by outcome, and a record with its
candidates side by side and the resolution form.

Scoped: a list or record outside the user's subtree answers 404 (audited)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core.forms import add_service_errors
from jisheng.core.scope import require_in_scope
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.quality import selectors_crosscheck as selectors
from jisheng.quality import services_crosscheck as services
from jisheng.quality.forms_crosscheck import ImportForm, MappingForm, ResolveForm
from jisheng.quality.models import Outcome, Resolution
from jisheng.quality.sources import DATE, SOURCES, get_source

VIEW = "quality.view_crosschecklist"
IMPORT = "quality.import_crosschecklist"
RESOLVE = "quality.change_crosscheckrow"
MAPPING = "quality.change_crosscheckmapping"
PAGE_SIZE = 50
SEXES = {"M": "男", "F": "女"}


@require_GET
def crosscheck_lists(request: HttpRequest) -> HttpResponse:
    """The imported lists in the user's scope, newest first."""
    require_perm(request, VIEW)
    source = request.GET.get("source", "")
    if source not in SOURCES:
        source = ""
    page = Paginator(selectors.lists_visible(request.user, source=source), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "quality/crosscheck_lists.html",
        {
            "page": page,
            "sources": SOURCES,
            "source": source,
            "query": urlencode({"source": source} if source else {}),
            "can_import": request.user.has_perm(IMPORT),
            "can_map": request.user.has_perm(MAPPING),
        },
    )


@GET_POST
def crosscheck_import(request: HttpRequest) -> HttpResponse:
    """Upload a list: its source, area, period and file; read with the saved mapping."""
    require_perm(request, IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = (data["unit"] or "").strip()
        unit = (
            org_selectors.unit_find(user=request.user, code=code)
            if code
            else getattr(request, "working_unit", None) or request.user.unit
        )
        if unit is None:
            form.add_error("unit", _("Unknown unit code, or a unit outside your data scope."))
        else:
            upload = data["file"]
            try:
                checklist = services.list_import(
                    actor=request.user,
                    source=data["source"],
                    unit=unit,
                    first=data["first"],
                    last=data["last"],
                    data=upload.read(),
                    filename=upload.name,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The list was imported and matched against the registry: %(n)d rows.")
                    % {"n": checklist.total},
                )
                return redirect("quality:crosscheck_list", checklist.pk)
    chosen = get_source(form["source"].value() or "") or next(iter(SOURCES.values()))
    return render(
        request,
        "quality/crosscheck_import.html",
        {
            "form": form,
            "mappings": [
                (s, [(f, services.mapping_of(s).get(f.key, "")) for f in s.fields])
                for s in SOURCES.values()
            ],
            "chosen": chosen,
            "can_map": request.user.has_perm(MAPPING),
        },
    )


@GET_POST
def crosscheck_mapping(request: HttpRequest, source: str) -> HttpResponse:
    """The column mapping of a source: the header of each field's column."""
    require_perm(request, MAPPING)
    found = get_source(source)
    if found is None:
        raise Http404(_("Unknown source."))
    form = MappingForm(found, request.POST or None, initial=services.mapping_of(found))
    if request.method == "POST" and form.is_valid():
        try:
            services.mapping_save(actor=request.user, source=found.key, columns=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The column mapping was saved."))
            return redirect("quality:crosscheck_mapping", found.key)
    return render(request, "quality/crosscheck_mapping.html", {"form": form, "source": found})


@require_GET
def crosscheck_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A list's records by outcome (filters: outcome, open only, name)."""
    require_perm(request, VIEW)
    checklist = selectors.list_get(request.user, pk)
    outcome = request.GET.get("outcome", "")
    open_only = request.GET.get("open") == "1"
    q = request.GET.get("q", "")
    rows = selectors.rows_of(request.user, checklist, outcome=outcome, open_only=open_only, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"outcome": outcome, "q": q}.items() if v}
    if open_only:
        query["open"] = "1"
    counts = checklist.counts or {}
    return render(
        request,
        "quality/crosscheck_list.html",
        {
            "checklist": checklist,
            "source": get_source(checklist.source),
            "page": page,
            "outcomes": [(value, label, counts.get(value, 0)) for value, label in Outcome.choices],
            "outcome": outcome,
            "open_only": open_only,
            "q": q,
            "query": urlencode(query),
            "rejected": checklist.rejected[:200],
            "can_import": request.user.has_perm(IMPORT),
        },
    )


@require_POST
def crosscheck_rematch(request: HttpRequest, pk: int) -> HttpResponse:
    """Match the list again (after records were registered or corrected)."""
    require_perm(request, IMPORT)
    checklist = selectors.list_get(request.user, pk)
    require_in_scope(request.user, checklist.unit)
    services.match_list(checklist)
    messages.success(request, _("The list was matched against the registry again."))
    return redirect("quality:crosscheck_list", checklist.pk)


@GET_POST
def crosscheck_row(request: HttpRequest, pk: int) -> HttpResponse:
    """A record: the list's entry beside its registry candidates, and its resolution."""
    require_perm(request, VIEW)
    row = selectors.row_get(request.user, pk)
    source = get_source(row.checklist.source)
    scores = {str(c["record"]): c for c in row.candidates}
    refs = [str(c["record"]) for c in row.candidates]
    if row.record and row.record not in refs:
        refs.insert(0, row.record)
    shown = selectors.records_shown(refs, scores)
    choices = [(s.ref, f"{s.name} · {format_cn_date(s.date)} · {s.unit}") for s in shown]
    form = ResolveForm(
        request.POST or None,
        candidates=choices if row.outcome == Outcome.AMBIGUOUS else [],
    )
    if request.method == "POST":
        require_perm(request, RESOLVE)
        if form.is_valid():
            try:
                services.row_resolve(
                    actor=request.user,
                    row=row,
                    resolution=form.cleaned_data["resolution"],
                    note=form.cleaned_data["note"],
                    record=form.cleaned_data.get("record") or "",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The resolution was recorded."))
                return redirect("quality:crosscheck_row", row.pk)
    entry = []
    if source is not None:
        for f in source.fields:
            value = row.data.get(f.key, "")
            if f.key == "sex":
                value = SEXES.get(value, value)
            elif f.kind == DATE and value:
                value = format_cn_date(datetime.date.fromisoformat(value))
            entry.append((f.label, value))
    return render(
        request,
        "quality/crosscheck_row.html",
        {
            "row": row,
            "source": source,
            "entry": entry,
            "shown": shown,
            "form": form,
            "can_resolve": request.user.has_perm(RESOLVE) and row.is_open,
            "resolutions": Resolution,
        },
    )
