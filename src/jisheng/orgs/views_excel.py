"""Pages for the Excel import and export of the organisation tree.

Thin views: check the permission, read the upload, call :mod:`jisheng.orgs.excel`, render.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.core.excel import (
    XLSX_CONTENT_TYPE,
    ExcelImportError,
    store_error_workbook,
    stored_error_workbook,
    xlsx_response,
)
from jisheng.orgs import excel, selectors

IMPORT_PERMISSIONS = ("orgs.add_unit", "orgs.change_unit")
SESSION_ERRORS_KEY = "orgs_unit_import_errors"
# Rejected rows listed on the page; the error workbook holds them all.
SHOWN_REJECTED_ROWS = 500


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE, "class": "form-control"}
        ),
    )
    parent = forms.CharField(
        label=gettext_lazy("Parent unit code for rows without one"),
        required=False,
        max_length=32,
        help_text=gettext_lazy(
            "Rows whose parent code is blank are placed under this unit. Leave it empty "
            "to require a parent code on every row."
        ),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (dry run): show what would happen, save nothing"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    valid_rows_only = forms.BooleanField(
        label=gettext_lazy("Import the valid rows and skip the rejected ones"),
        required=False,
        help_text=gettext_lazy("Without this, nothing is saved while any row is rejected."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.parent_unit = None

    def clean_parent(self) -> str:
        code = (self.cleaned_data.get("parent") or "").strip()
        if code:
            self.parent_unit = selectors.unit_find(user=self.user, code=code)
            if self.parent_unit is None:
                raise forms.ValidationError(
                    _("Unit %(code)s was not found within your data scope.") % {"code": code}
                )
        return code


def _require_import_permission(request: HttpRequest) -> None:
    if not all(request.user.has_perm(p) for p in IMPORT_PERMISSIONS):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def unit_import(request: HttpRequest) -> HttpResponse:
    """Upload a 组织机构 workbook; show created/updated/unchanged/rejected and the reasons."""
    _require_import_permission(request)
    result = None
    errors_token = None
    if request.method == "POST":
        form = UnitImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                sheet = excel.read_units_file(upload, filename=upload.name)
            except ExcelImportError as exc:
                form.add_error("file", str(exc))
            else:
                try:
                    result = excel.units_import(
                        actor=request.user,
                        rows=sheet.rows,
                        dry_run=form.cleaned_data["dry_run"],
                        valid_rows_only=form.cleaned_data["valid_rows_only"],
                        default_parent=form.parent_unit,
                        source_name=upload.name,
                        headers=sheet.headers,
                    )
                except PermissionDenied as exc:
                    form.add_error("parent", str(exc))
                if result is not None and result.rejected:
                    errors_token = store_error_workbook(
                        excel.units_error_workbook(result), user=request.user
                    )
                    request.session[SESSION_ERRORS_KEY] = errors_token
    else:
        form = UnitImportForm(
            initial={"parent": request.GET.get("unit", "")[:32]}, user=request.user
        )
        last = request.session.get(SESSION_ERRORS_KEY)
        if last and stored_error_workbook(user=request.user, token=last):
            errors_token = last
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "orgs/unit_import.html",
        {
            "form": form,
            "result": result,
            "rejected_rows": [
                {
                    "number": item.row_number,
                    "code": item.row.get(excel.COL_CODE, ""),
                    "name": item.row.get(excel.COL_NAME, ""),
                    "reasons": item.reasons,
                }
                for item in (result.rejected[:SHOWN_REJECTED_ROWS] if result else [])
            ],
            "errors_token": errors_token,
            "headers": excel.HEADERS,
            "required_headers": excel.REQUIRED_HEADERS,
            "unit_types": list(excel.UNIT_TYPE_LABELS_ZH.values()),
            "max_rows": _max_rows(),
        },
        status=status,
    )


def _max_rows() -> int:
    from django.conf import settings

    return int(settings.JISHENG_IMPORT_MAX_ROWS)


@login_required
@require_GET
def unit_import_template(request: HttpRequest) -> HttpResponse:
    """An empty 组织机构 workbook with example rows and a 说明 sheet."""
    _require_import_permission(request)
    return xlsx_response(excel.units_template(), "组织机构导入模板.xlsx")


@login_required
@require_GET
def unit_import_errors(request: HttpRequest, token: str) -> HttpResponse:
    """The error workbook of an import, for the user who ran it only (others: 404)."""
    path = stored_error_workbook(user=request.user, token=token)
    if path is None:
        raise Http404(_("Not found."))
    stamp = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    filename = f"组织机构导入错误_{timezone.localtime(stamp):%Y-%m-%d_%H%M}.xlsx"
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def unit_export(request: HttpRequest, code: str) -> HttpResponse:
    """The unit and everything below it (in the user's scope) as a 组织机构 workbook.

    The unit is looked up first (out of scope: 404 and a ``denied`` audit event), then
    the permission is checked, as on the other unit pages.
    """
    unit = selectors.unit_get(user=request.user, code=code)
    if not request.user.has_perm("orgs.view_unit"):
        raise PermissionDenied
    workbook = excel.units_export(user=request.user, root=unit)
    filename = f"组织机构_{unit.code}_{timezone.localdate():%Y-%m-%d}.xlsx"
    return xlsx_response(workbook, filename)
