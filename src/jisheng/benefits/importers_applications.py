"""The Excel import of applications from an upper system (issue 18): sheet 待遇申请, one
row per application (the person by ID number, the benefit's code, the year, optionally
the unit). Every row is checked first; one invalid row refuses the whole file with every
row's reason in Chinese — nothing is half-imported. A valid row is evaluated like an
application entered by the office and recorded as ``IMPORTED`` (eligible or not, with
the failed clause)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.benefits.choices import CaseSource
from jisheng.benefits.selectors_eligibility import kinds_in_force
from jisheng.benefits.services_applications import application_create
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.excel import Importer, ImportResult, RejectedRow, SheetRow
from jisheng.core.scope import path_in_scope
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Person
from jisheng.people.services import find_by_id_number

SHEET = "待遇申请"
HEADERS = ("身份证号", "待遇代码", "年度", "单位代码", "备注")
REQUIRED = ("身份证号", "待遇代码", "年度")


def _row(
    actor: User | None, values: dict[str, str], seen: set[tuple[str, str, int]]
) -> tuple[list[str], tuple[Person, str, Unit, int] | None]:
    reasons: list[str] = []
    person = find_by_id_number(values.get("身份证号", "").strip())
    if person is None or (actor is not None and not path_in_scope(person.unit.path, actor)):
        reasons.append(_("No person with this ID number in your data scope."))
    kind = values.get("待遇代码", "").strip()
    year_text = values.get("年度", "").strip()
    year = int(year_text) if year_text.isdigit() else 0
    if not 2000 <= year <= 2100:
        reasons.append(_("The year %(text)s is not a year.") % {"text": year_text})
    code = values.get("单位代码", "").strip()
    unit = Unit.objects.filter(code=code).first() if code else (person.unit if person else None)
    if code and (unit is None or (actor is not None and not path_in_scope(unit.path, actor))):
        reasons.append(_("Unit %(code)s was not found within your data scope.") % {"code": code})
        unit = None
    if unit is not None and kind and kind not in kinds_in_force(unit):
        reasons.append(
            _("The policy in force for %(unit)s has no benefit “%(kind)s”.")
            % {"unit": unit.name, "kind": kind}
        )
    if person is not None and (person.pk, kind, year) in {(int(p), k, y) for p, k, y in seen}:
        reasons.append(_("The same application is twice in the file."))
    if reasons or person is None or unit is None:
        return reasons, None
    seen.add((str(person.pk), kind, year))
    return [], (person, kind, unit, year)


def applications_import(
    *,
    actor: User | None,
    rows: Iterable[SheetRow],
    dry_run: bool = False,
    valid_rows_only: bool = False,
    unit_code: str | None = None,
    source_name: str = "",
    headers: Iterable[str] | None = None,
) -> ImportResult:
    """Check every row, then record them all, or nothing (see the module)."""
    result = ImportResult(headers=list(headers or HEADERS), dry_run=dry_run)
    seen: set[tuple[str, str, int]] = set()
    good: list[tuple[Person, str, Unit, int, str]] = []
    for sheet_row in rows:
        result.total += 1
        values = dict(sheet_row.values)
        reasons, parsed = _row(actor, values, seen)
        if parsed is None:
            result.rejected.append(RejectedRow(sheet_row.number, values, reasons))
            continue
        good.append((*parsed, values.get("备注", "")))
    if dry_run or result.rejected:
        return result  # an invalid row refuses the whole file
    try:
        with transaction.atomic():
            for person, kind, unit, year, note in good:
                application_create(
                    actor=actor,
                    kind=kind,
                    person=person,
                    unit=unit,
                    period_start=datetime.date(year, 1, 1),
                    period_end=datetime.date(year, 12, 31),
                    source=CaseSource.IMPORTED,
                    note=note,
                )
                result.created += 1
            audit.record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type="benefits.case",
                message=_("Imported %(n)s benefit applications from %(file)s.")
                % {"n": result.created, "file": source_name or "-"},
            )
    except (ValidationError, PermissionDenied) as exc:
        result.created = 0
        messages = getattr(exc, "messages", None) or [str(exc)]
        result.rejected.append(RejectedRow(0, {}, [" ".join(messages)]))
        return result
    result.written = True
    return result


APPLICATIONS_IMPORTER = Importer(
    kind="benefit_applications",
    sheet_name=SHEET,
    headers=HEADERS,
    required_headers=REQUIRED,
    permissions=("benefits.confirm_batch", "benefits.add_case"),
    run=applications_import,
    description="Benefit applications from an upper system",
    label=gettext_lazy("Benefit applications (from an upper system)"),
    back_to=(gettext_lazy("Eligibility sweeps"), "benefits:sweep_list"),
)
