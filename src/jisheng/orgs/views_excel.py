"""Pages for the Excel import and export of the organisation tree.

The import is the one import page of every importer kind (``jisheng.core.views_import``,
kind ``units``: a background job with progress and an error workbook); ``unit_import``
keeps its URL name and address as the organisation tree's entry point to it. Thin views:
check the permission, call :mod:`jisheng.orgs.excel`, render.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from jisheng.core.excel import xlsx_response
from jisheng.core.views_import import import_page
from jisheng.orgs import excel, selectors


def unit_import(request: HttpRequest) -> HttpResponse:
    """Upload a 组织机构 workbook: the import page of kind ``units``."""
    return import_page(request, kind=excel.UNITS_IMPORTER.kind)


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
