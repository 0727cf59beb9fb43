"""The one import page of every importer kind: upload, progress, result, error workbook.

Thin views, parameterised by the importer kind (``jisheng.core.excel.get_importer``):
check the importer's permissions, store the upload and enqueue the job
(:mod:`jisheng.core.imports`), show its progress (polled by htmx every second) and its
result. The kinds of one importer ``group`` share the page (the people app's persons,
households, couples and births; the organisation units alone). An app's own entry point
(``people:person_import``, ``orgs:unit_import``) is a one-line call of
:func:`import_page`. A job, its progress and its error workbook are visible to the user
who started it only (anyone else: 404).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.core import imports
from jisheng.core.excel import (
    XLSX_CONTENT_TYPE,
    ExcelImportError,
    Importer,
    get_importer,
    import_summary,
    stored_error_workbook,
    valid_rows_only_help,
    xlsx_response,
)
from jisheng.core.models import ImportJob
from jisheng.core.registry import registry

# A job still waiting after this many seconds: say that a worker must be running.
WORKER_HINT_SECONDS = 10
RECENT_JOBS = 10


def _importer_or_404(kind: str) -> Importer:
    try:
        return get_importer(kind)
    except KeyError:
        raise Http404(_("Not found.")) from None


def page_importers(importer: Importer) -> list[Importer]:
    """The importers sharing ``importer``'s page (its group), in registration order."""
    group = importer.page_group
    return [i for i in registry["importers"].values() if i.page_group == group]


class ImportForm(forms.Form):
    """Upload a workbook of one of the page's kinds; the one form of every import."""

    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE, "class": "form-control"}
        ),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit code for rows without one"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (dry run): show what would happen, save nothing"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    valid_rows_only = forms.BooleanField(
        label=gettext_lazy("Import the valid rows only"),
        required=False,
        help_text=lazy(valid_rows_only_help, str)(),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: Any, importers: list[Importer], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.importers = {i.kind: i for i in importers}
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(i.kind, i.title) for i in importers]
        if len(importers) == 1:  # the page's only kind: nothing to choose
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].required = False
        unit_help = [str(i.unit_label) for i in importers if i.unit_label]
        if unit_help:
            self.fields["unit"].help_text = " ".join(unit_help)
        else:
            del self.fields["unit"]

    @property
    def importer(self) -> Importer | None:
        return self.importers.get(self.cleaned_data.get("kind", ""))

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"] or next(iter(self.importers))
        if not self.importers[kind].may_import(self.user):
            raise forms.ValidationError(_("You may not import this kind of data."))
        return kind

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "unit" not in self.fields:
            return cleaned
        importer = self.importer
        if importer is None or not importer.unit_label:
            cleaned["unit"] = ""  # this kind takes no unit
            return cleaned
        code = (cleaned.get("unit") or "").strip()
        cleaned["unit"] = code
        if code and importer.check_unit is not None:
            try:
                importer.check_unit(user=self.user, code=code)
            except (ExcelImportError, PermissionDenied) as exc:
                self.add_error("unit", str(exc))
        return cleaned


def _max_rows(importers: list[Importer]) -> int:
    from django.conf import settings

    default = int(settings.JISHENG_IMPORT_MAX_ROWS)
    return max((i.max_rows or default) for i in importers)


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a workbook of ``kind`` (or another kind of its page); the import runs as a
    background job (small files at once) and the answer is the job's page."""
    importer = _importer_or_404(kind)
    importers = page_importers(importer)
    if not any(i.may_import(request.user) for i in importers):
        raise PermissionDenied
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user, importers=importers)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = imports.job_create(
                user=request.user,
                upload=upload,
                kind=form.cleaned_data["kind"],
                unit_code=form.cleaned_data.get("unit", ""),
                dry_run=form.cleaned_data["dry_run"],
                valid_rows_only=form.cleaned_data["valid_rows_only"],
            )
            imports.job_enqueue(job, size=upload.size)
            return redirect("imports:job", pk=job.pk)
    else:
        wanted = request.GET.get("kind", kind)
        form = ImportForm(
            initial={
                "kind": wanted if any(i.kind == wanted for i in importers) else kind,
                "unit": request.GET.get("unit", "")[:32],
                # 重新导入 of a failed job: its options (the file is chosen again).
                "dry_run": request.GET.get("dry_run") == "1",
                "valid_rows_only": request.GET.get("valid_rows_only") == "1",
            },
            user=request.user,
            importers=importers,
        )
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "core/import_form.html",
        {
            "form": form,
            "importer": importer,
            "importers": importers,
            "heading": _("Import from Excel: %(what)s")
            % {"what": "、".join(i.title for i in importers)},
            "jobs": imports.jobs_of(user=request.user, kinds=[i.kind for i in importers])[
                :RECENT_JOBS
            ],
            "max_rows": _max_rows(importers),
        },
        status=status,
    )


def _job(request: HttpRequest, pk: int) -> tuple[ImportJob, Importer | None]:
    """The job ``pk`` of the requesting user (anyone else: 404) and its importer."""
    job = imports.job_of(user=request.user, pk=pk)
    if job is None:
        raise Http404(_("Not found."))
    try:
        return job, get_importer(job.kind)
    except KeyError:
        return job, None


def _require_job_permission(request: HttpRequest, importer: Importer | None) -> None:
    if importer is None or not importer.may_import(request.user):
        raise PermissionDenied


def _job_context(job: ImportJob, importer: Importer | None) -> dict[str, Any]:
    waiting = (
        job.status == ImportJob.Status.QUEUED
        and (timezone.now() - job.created_at).total_seconds() > WORKER_HINT_SECONDS
    )
    result = job.result or {}
    return {
        "job": job,
        "importer": importer,
        "result": result,
        "extra_counts": [
            {"key": key, "label": label, "value": result.get(key, 0)}
            for key, label in (importer.counts if importer else ())
        ],
        "summary": import_summary(result) if job.status == ImportJob.Status.DONE else "",
        "worker_hint": waiting,
    }


@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page: a progress bar while it runs, then its summary and rejected rows."""
    job, importer = _job(request, pk)
    _require_job_permission(request, importer)
    return render(request, "core/import_job.html", _job_context(job, importer))


@require_GET
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block (htmx polls it every second), or JSON with ``?format=json``."""
    job, importer = _job(request, pk)
    _require_job_permission(request, importer)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "done": job.done,
                "total": job.total,
                "percent": job.percent,
                "finished": job.finished,
            }
        )
    return render(request, "core/import_job_status.html", _job_context(job, importer))


@require_GET
def import_job_errors(request: HttpRequest, pk: int) -> FileResponse:
    """The job's error workbook (rejected rows + 错误原因), for the job's owner only."""
    job, _importer = _job(request, pk)
    path = stored_error_workbook(user=request.user, token=job.errors_token)
    if path is None:
        raise Http404(_("Not found."))
    stamp = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    filename = f"导入错误_{job.pk}_{timezone.localtime(stamp):%Y-%m-%d_%H%M}.xlsx"
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The empty workbook of one kind, with example rows and a 说明 sheet."""
    importer = _importer_or_404(kind)
    if importer.template is None:
        raise Http404(_("Not found."))
    if not importer.may_import(request.user):
        raise PermissionDenied
    return xlsx_response(importer.template(), importer.template_filename or f"{kind}.xlsx")
