"""Pages of the registry's Excel import: upload, progress, result, error workbook.

Thin views: check the permission, store the upload and enqueue the job
(:mod:`jisheng.people.tasks`), show its progress (polled by htmx every second) and its
result. A job, its progress and its error workbook are visible to the user who started
it only (anyone else: 404).
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.core.excel import (
    XLSX_CONTENT_TYPE,
    import_summary,
    stored_error_workbook,
    valid_rows_only_help,
    xlsx_response,
)
from jisheng.core.scope import path_in_scope
from jisheng.orgs.models import Unit
from jisheng.people import excel, tasks
from jisheng.people.importers import PERSONS_MAX_ROWS
from jisheng.people.models import ImportJob

IMPORT_PERMISSION = "people.import_person"
# What else each kind of import needs besides people.import_person.
KIND_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ImportJob.Kind.PERSONS: ("people.add_person", "people.change_person"),
    ImportJob.Kind.HOUSEHOLDS: ("people.add_household", "people.add_couple"),
    ImportJob.Kind.BIRTHS: ("people.add_birth",),
}
TEMPLATES = {
    ImportJob.Kind.PERSONS: (excel.persons_template, "人员导入模板.xlsx"),
    ImportJob.Kind.HOUSEHOLDS: (excel.households_template, "户与夫妇导入模板.xlsx"),
    ImportJob.Kind.BIRTHS: (excel.births_template, "出生导入模板.xlsx"),
}
# A job still waiting after this many seconds: say that a worker must be running.
WORKER_HINT_SECONDS = 10
RECENT_JOBS = 10


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=ImportJob.Kind.choices,
        initial=ImportJob.Kind.PERSONS,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE, "class": "form-control"}
        ),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit code for rows without one (persons)"),
        required=False,
        max_length=32,
        help_text=gettext_lazy(
            "Persons whose column 现居住单位代码 is blank are registered in this unit."
        ),
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

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        if not all(self.user.has_perm(p) for p in KIND_PERMISSIONS.get(kind, ())):
            raise forms.ValidationError(_("You may not import this kind of data."))
        return kind

    def clean_unit(self) -> str:
        code = (self.cleaned_data.get("unit") or "").strip()
        if code:
            unit = Unit.objects.filter(code=code).first()
            if unit is None or not path_in_scope(unit.path, self.user):
                raise forms.ValidationError(
                    _("Unit %(code)s was not found within your data scope.") % {"code": code}
                )
        return code


def _require_import_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    """The job ``pk`` if the requesting user started it; anyone else gets 404."""
    job = ImportJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404(_("Not found."))
    return job


@login_required
@require_http_methods(["GET", "POST"])
def person_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook; the import runs as a background job (small files at once)."""
    _require_import_permission(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = tasks.job_create(
                user=request.user,
                upload=upload,
                kind=form.cleaned_data["kind"],
                unit_code=form.cleaned_data["unit"],
                dry_run=form.cleaned_data["dry_run"],
                valid_rows_only=form.cleaned_data["valid_rows_only"],
            )
            tasks.job_enqueue(job, size=upload.size)
            return redirect("people:import_job", pk=job.pk)
    else:
        form = ImportForm(
            initial={
                "kind": request.GET.get("kind", ImportJob.Kind.PERSONS),
                "unit": request.GET.get("unit", "")[:32],
                # "Try again" of a failed job: its options (the file is chosen again).
                "dry_run": request.GET.get("dry_run") == "1",
                "valid_rows_only": request.GET.get("valid_rows_only") == "1",
            },
            user=request.user,
        )
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "people/import_form.html",
        {
            "form": form,
            "jobs": ImportJob.objects.filter(user=request.user)[:RECENT_JOBS],
            "formats": [
                {
                    "kind": ImportJob.Kind.PERSONS,
                    "label": ImportJob.Kind.PERSONS.label,
                    "sheets": [(excel.PERSONS_SHEET, excel.PERSON_HEADERS)],
                    "required": excel.PERSON_REQUIRED_HEADERS,
                },
                {
                    "kind": ImportJob.Kind.HOUSEHOLDS,
                    "label": ImportJob.Kind.HOUSEHOLDS.label,
                    "sheets": [
                        (excel.HOUSEHOLDS_SHEET, excel.HOUSEHOLD_HEADERS),
                        (excel.COUPLES_SHEET, excel.COUPLE_HEADERS),
                    ],
                    "required": excel.HOUSEHOLD_REQUIRED_HEADERS + excel.COUPLE_REQUIRED_HEADERS,
                },
                {
                    "kind": ImportJob.Kind.BIRTHS,
                    "label": ImportJob.Kind.BIRTHS.label,
                    "sheets": [(excel.BIRTHS_SHEET, excel.BIRTH_HEADERS)],
                    "required": excel.BIRTH_REQUIRED_HEADERS,
                },
            ],
            "max_rows": PERSONS_MAX_ROWS,
        },
        status=status,
    )


def _job_context(job: ImportJob) -> dict:
    waiting = (
        job.status == ImportJob.Status.QUEUED
        and (timezone.now() - job.created_at).total_seconds() > WORKER_HINT_SECONDS
    )
    result = job.result or {}
    return {
        "job": job,
        "result": result,
        "summary": import_summary(result) if job.status == ImportJob.Status.DONE else "",
        "worker_hint": waiting,
    }


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page: a progress bar while it runs, then its summary and rejected rows."""
    _require_import_permission(request)
    job = _own_job(request, pk)
    return render(request, "people/import_job.html", _job_context(job))


@login_required
@require_GET
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block (htmx polls it every second), or JSON with ``?format=json``."""
    _require_import_permission(request)
    job = _own_job(request, pk)
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
    return render(request, "people/import_job_status.html", _job_context(job))


@login_required
@require_GET
def import_job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's error workbook (rejected rows + 错误原因), for the job's owner only."""
    job = _own_job(request, pk)
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


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The empty workbook of one kind, with example rows and a 说明 sheet."""
    _require_import_permission(request)
    if kind not in TEMPLATES:
        raise Http404(_("Not found."))
    build, filename = TEMPLATES[kind]
    return xlsx_response(build(), filename)
