"""Exports of a statistical form: Excel keeping the printed layout, and JSON shaped like
DHIS2's dataValueSets for upper systems. Every export is audited by the view
(``core.statforms.record_export``)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from jisheng.core.periods import MONTH, QUARTER, YEAR, Period
from jisheng.core.statforms import Form
from jisheng.core.templatetags.cn import format_cn_date


def header_cells(form: Form, groups: dict[str, tuple[str, str]]) -> tuple[list, list]:
    """The two header rows: ``top`` = [(label, colspan, rowspan)], ``bottom`` = [label].
    ``groups`` maps a column key to its (group key, group label)."""
    top: list[tuple[str, int, int]] = [(str(_("Unit")), 1, 2)]
    bottom: list[str] = []
    last_group = None
    for key, label in form.columns:
        group = groups.get(key)
        if group is None:
            top.append((label, 1, 2))
            last_group = None
            continue
        if last_group == group[0]:
            text, span, rows = top[-1]
            top[-1] = (text, span + 1, rows)
        else:
            top.append((group[1], 1, 1))
        last_group = group[0]
        bottom.append(label)
    return top, bottom


def workbook(form: Form, groups: dict[str, tuple[str, str]], *, prepared_by: str = "") -> Workbook:
    """The form as printed: the title across the table, 填报单位 and the period, the
    merged group headers, the rows (the total last), and the 负责人 / 填表人 / 报出日期
    line."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Form"))[:31]
    width = len(form.columns) + 1
    thin = Side(border_style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.cell(row=1, column=1, value=form.title).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = centre
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(
        row=2,
        column=1,
        value=_("Reporting unit: %(unit)s") % {"unit": form.root.name},
    )
    half = max(2, width // 2 + 1)
    if half > 2:
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=half - 1)
    sheet.cell(
        row=2,
        column=half,
        value=f"{form.period.long_label}（{format_cn_date(form.period.first)}—"
        f"{format_cn_date(form.period.last)}）",
    )
    if width > half:
        sheet.merge_cells(start_row=2, start_column=half, end_row=2, end_column=width)
    top, bottom = header_cells(form, groups)
    column = 1
    bottom_iter = iter(bottom)
    for label, span, rows in top:
        cell = sheet.cell(row=3, column=column, value=label)
        cell.alignment = centre
        cell.font = Font(bold=True)
        if span > 1 or rows > 1:
            sheet.merge_cells(
                start_row=3, start_column=column, end_row=3 + rows - 1, end_column=column + span - 1
            )
        if rows == 1:
            for offset in range(span):
                sub = sheet.cell(row=4, column=column + offset, value=next(bottom_iter))
                sub.alignment = centre
                sub.font = Font(bold=True)
        column += span
    row_number = 5
    for values in form.table():
        for index, value in enumerate(values, start=1):
            sheet.cell(row=row_number, column=index, value="—" if value is None else value)
        row_number += 1
    for r in range(3, row_number):
        for c in range(1, width + 1):
            sheet.cell(row=r, column=c).border = border
    row_number += 1
    signature = [
        _("Head of unit: %(name)s") % {"name": "＿＿＿＿"},
        _("Prepared by: %(name)s") % {"name": prepared_by or "＿＿＿＿"},
        _("Date of report: %(date)s") % {"date": format_cn_date(timezone.localdate())},
    ]
    step = max(1, width // 3)
    for index, text in enumerate(signature):
        sheet.cell(row=row_number, column=1 + index * step, value=text)
    sheet.column_dimensions["A"].width = 18
    for c in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 10
    sheet.print_options.horizontalCentered = True
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    return book


def dhis2_period(period: Period) -> str:
    """DHIS2's period id: 202603 (a month), 2026Q1 (a quarter), 2026 (a year), 2026S1."""
    if period.kind == MONTH:
        return f"{period.year}{period.number:02d}"
    if period.kind == QUARTER:
        return f"{period.year}Q{period.number}"
    if period.kind == YEAR:
        return str(period.year)
    return f"{period.year}S{period.number}"


def data_value_set(
    form: Form, *, complete: datetime.date | None = None
) -> dict[str, str | list[dict[str, str]]]:
    """The form as a DHIS2 dataValueSet: one data value per unit row and column (the
    total row is the reporting unit's own figure); a figure that does not exist is left
    out."""
    period = dhis2_period(form.period)
    values: list[dict[str, str]] = []
    for row in form.rows:
        unit = row.unit if row.unit is not None else form.root
        if row.unit is not None and row.unit.pk == form.root.pk:
            continue  # a unit without children: its own row is the total
        for key, _label in form.columns:
            value = row.cells.get(key)
            if value is None:
                continue
            values.append(
                {
                    "dataElement": f"{form.key}.{key}",
                    "categoryOptionCombo": "default",
                    "orgUnit": unit.code,
                    "period": period,
                    "value": str(value),
                }
            )
    return {
        "dataSet": form.key,
        "period": period,
        "orgUnit": form.root.code,
        "completeDate": (complete or timezone.localdate()).isoformat(),
        "dataValues": values,
    }
