"""The Excel imports of rental housing on the import page and ``jisheng import``:
``rental_properties`` (a property survey) and ``tenants`` (a tenant list of a unit, each
row naming its property). Both checked whole first: one row in error and nothing is saved
(unless "valid rows only"), the rows listed with their reasons."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import ExcelImportError, Importer, ImportResult, SheetRow, write_workbook
from jisheng.core.scope import path_in_scope
from jisheng.floating import services_housing as svc
from jisheng.orgs.models import Unit, User

GROUP = "floating_housing"


def unit_for(*, user: User | None, code: str | None) -> Unit | None:
    """The unit named on the import page (None without a code); refused, audited, when
    it is outside the user's scope."""
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None or (user is not None and not path_in_scope(unit.path, user)):
        if unit is not None:
            audit.record(
                actor=user,
                action=AuditAction.DENIED,
                obj=unit,
                message=_("Import below a unit outside the user's data scope."),
            )
        raise ExcelImportError(
            _("Unit %(code)s was not found within your data scope.") % {"code": code}
        )
    return unit


def run_properties(
    *,
    actor: User | None,
    rows: Iterable[SheetRow],
    dry_run: bool,
    valid_rows_only: bool,
    unit_code: str | None,
    source_name: str = "",
    headers: Iterable[str] | None = None,
) -> ImportResult:
    return svc.properties_import(
        actor=actor,
        rows=rows,
        unit=unit_for(user=actor, code=unit_code),
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        headers=headers,
    )


def run_tenants(
    *,
    actor: User | None,
    rows: Iterable[SheetRow],
    dry_run: bool,
    valid_rows_only: bool,
    unit_code: str | None,
    source_name: str = "",
    headers: Iterable[str] | None = None,
) -> ImportResult:
    return svc.tenants_import(
        actor=actor,
        rows=rows,
        unit=unit_for(user=actor, code=unit_code),
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        headers=headers,
    )


def properties_template() -> Workbook:
    return write_workbook(
        title=svc.PROPERTY_SHEET,
        headers=svc.PROPERTY_HEADERS,
        rows=[["", "东城镇甲村幸福路8号", "民房", 3, "张建国", "13800000000", "2026-03-01", ""]],
    )


def tenants_template() -> Workbook:
    return write_workbook(
        title=svc.TENANT_SHEET,
        headers=svc.TENANT_HEADERS,
        rows=[["", "东城镇甲村幸福路8号", "王芳", "", "13900000000", "101", "2026-03-01", "", ""]],
    )


PROPERTIES_IMPORTER = Importer(
    kind="rental_properties",
    sheet_name=svc.PROPERTY_SHEET,
    headers=svc.PROPERTY_HEADERS,
    required_headers=svc.PROPERTY_REQUIRED,
    permissions=("floating.add_rentalproperty",),
    run=run_properties,
    description="出租房屋",
    label=gettext_lazy("Rental properties (survey)"),
    group=GROUP,
    back_to=(gettext_lazy("Rental properties"), "floating:property_list"),
    unit_label=gettext_lazy(
        "Rows without a unit code belong to this unit; rows with one must be below it."
    ),
    check_unit=unit_for,
    template=properties_template,
    template_filename="出租房屋导入模板.xlsx",
    help_text=gettext_lazy(
        "Kinds: 民房, 单元房, 集体宿舍, 门面房, 其他. Every row is checked before anything is "
        "saved."
    ),
)

TENANTS_IMPORTER = Importer(
    kind="tenants",
    sheet_name=svc.TENANT_SHEET,
    headers=svc.TENANT_HEADERS,
    required_headers=svc.TENANT_REQUIRED,
    permissions=("floating.add_tenancy",),
    run=run_tenants,
    description="租户名单",
    label=gettext_lazy("Tenant list"),
    group=GROUP,
    back_to=(gettext_lazy("Rental properties"), "floating:property_list"),
    unit_label=gettext_lazy("The properties are looked up in this unit and below."),
    check_unit=unit_for,
    template=tenants_template,
    template_filename="租户名单导入模板.xlsx",
    help_text=gettext_lazy(
        "Each row names its property by its number in jisheng (房屋编号) or its exact "
        "address. A tenant registered as living in the unit is linked to her record; any "
        "other tenant is reported as an arrival to register. Every row is checked before "
        "anything is saved."
    ),
)
