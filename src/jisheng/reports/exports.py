"""Excel workbooks of the dashboard, catalogue, drill-down and demography pages.

Built with :mod:`jisheng.core.excel` (bold frozen header, CJK-aware widths, text cells
that never become formulas). Column headers are part of the file format, so they are
fixed Chinese like every jisheng workbook. An undefined figure (denominator 0) is the
text "—", never 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from jisheng.core.excel import add_sheet
from jisheng.people import privacy
from jisheng.people.choices import IdStatus, MaritalStatus, PersonStatus, Sex
from jisheng.people.tables import mask_phone
from jisheng.reports.dashboard import (
    CatalogueRow,
    Dashboard,
    Demography,
    excel_number,
    unit_label,
)

STATUS_ZH = {"green": "达标", "amber": "接近目标", "red": "未达标"}


def _new() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def _number(value: float | None) -> Any:
    if value is None:
        return "—"
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _header(indicator: Any) -> str:
    """A column of figures: the indicator's name, and its unit unless it counts persons
    (出生人数, 综合避孕率（%）)."""
    if indicator.unit == "count":
        return indicator.name_zh
    return f"{indicator.name_zh}（{unit_label(indicator.unit)}）"


def _target_number(target: Any) -> Any:
    return "" if target is None else _number(float(target.value))


# --------------------------------------------------------------------------- dashboard


def dashboard_workbook(data: Dashboard) -> Workbook:
    """Sheets: 主要指标, 下级单位排名, 近12个月趋势, 待办 (when the user sees it)."""
    workbook = _new()
    add_sheet(
        workbook,
        title="主要指标",
        headers=(
            "单位",
            "单位代码",
            "期间",
            "指标代码",
            "指标",
            "计量单位",
            "数值",
            "分子",
            "分母",
            "目标",
            "状态",
        ),
        rows=(
            (
                data.unit.name,
                data.unit.code,
                data.period.code,
                f.indicator.id,
                f.indicator.name_zh,
                unit_label(f.indicator.unit),
                excel_number(f.value, indicator=f.indicator),
                _number(f.value.numerator),
                _number(f.value.denominator) if f.indicator.is_ratio else "",
                f.target_text,
                STATUS_ZH.get(f.status or "", ""),
            )
            for f in data.figures
        ),
    )
    rank_id = data.rank_by.id
    indicator_headers = [_header(i) for i in data.indicators]
    add_sheet(
        workbook,
        title="下级单位排名",
        headers=(
            "名次",
            "末位",
            "单位",
            "单位代码",
            f"排名指标：{data.rank_by.name_zh}",
            "分子",
            "分母",
            "目标",
            "状态",
            *indicator_headers,
        ),
        rows=(
            (
                row.rank if row.rank is not None else "—",
                "是" if row.last else "",
                row.unit.name,
                row.unit.code,
                excel_number(row.figure(rank_id).value, indicator=data.rank_by),
                _number(row.figure(rank_id).value.numerator),
                _number(row.figure(rank_id).value.denominator) if data.rank_by.is_ratio else "",
                row.figure(rank_id).target_text,
                STATUS_ZH.get(row.figure(rank_id).status or "", ""),
                *(excel_number(row.figure(i.id).value, indicator=i) for i in data.indicators),
            )
            for row in data.children
        ),
    )
    if data.trends:
        months = [p.period.code for p in data.trends[0].points]
        add_sheet(
            workbook,
            title="近12个月趋势",
            headers=(
                "月份",
                *(_header(t.indicator) for t in data.trends),
            ),
            rows=(
                (
                    month,
                    *(excel_number(t.points[k].value, indicator=t.indicator) for t in data.trends),
                )
                for k, month in enumerate(months)
            ),
        )
    if data.worklist is not None:
        add_sheet(
            workbook,
            title="待办",
            headers=("事项", "数量"),
            rows=[(str(g.label), g.count) for g in data.worklist.groups],
        )
    return workbook


# --------------------------------------------------------------------------- catalogue


def catalogue_workbook(rows: list[CatalogueRow]) -> Workbook:
    workbook = _new()
    add_sheet(
        workbook,
        title="指标目录",
        headers=("指标代码", "指标", "计量单位", "统计口径", "分子", "分母", "定义"),
        rows=(
            (
                r.indicator.id,
                r.indicator.name_zh,
                unit_label(r.indicator.unit),
                "期内事件" if r.indicator.semantics == "within" else "期末状态",
                "\n".join(g.text for g in r.groups) or "\n".join(t.text for t in r.numerator),
                "" if r.groups else "\n".join(t.text for t in r.denominator),
                r.indicator.definition_zh,
            )
            for r in rows
        ),
        widths={"定义": 60, "分子": 40, "分母": 40},
        wrap_columns=("定义", "分子", "分母"),
    )
    return workbook


# --------------------------------------------------------------------------- drill-down

DRILL_HEADERS = (
    "姓名",
    "性别",
    "出生日期",
    "年龄",
    "公民身份号码",
    "居住单位",
    "单位代码",
    "婚姻状况",
    "人员状态",
    "联系电话",
)


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def drill_rows(queryset: QuerySet, *, full_birth: bool = False) -> Iterator[tuple[Any, ...]]:
    """The persons in the order of :data:`DRILL_HEADERS`, masked numbers, read without
    model objects. ``full_birth``: birth date and exact age, else year-month and the age
    from the month (``people.privacy``: readers without ``people.view_full_id``)."""
    today = timezone.localdate()
    sexes = _labels(Sex.choices)
    marital = _labels(MaritalStatus.choices)
    statuses = _labels(PersonStatus.choices)
    id_statuses = _labels(IdStatus.choices)
    rows = queryset.select_related(None).values_list(
        "name",
        "sex",
        "birth_date",
        "id_masked",
        "id_status",
        "unit__name",
        "unit__code",
        "marital_status",
        "status",
        "phone",
    )
    for (
        name,
        sex,
        birth_date,
        id_masked,
        id_status,
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
            unit_name,
            unit_code,
            marital.get(marital_status, marital_status),
            statuses.get(status, status),
            mask_phone(phone),
        )


# --------------------------------------------------------------------------- demography


def demography_workbook(data: Demography) -> Workbook:
    """Sheets: 人口金字塔, 出生孩次性别, 人口指标, 分年龄组生育率."""
    workbook = _new()
    add_sheet(
        workbook,
        title="人口金字塔",
        headers=("年龄组", "男", "女", "合计"),
        rows=[
            *((g.label, g.male, g.female, g.male + g.female) for g in data.pyramid),
            ("合计", data.males, data.females, data.population),
        ],
    )
    add_sheet(
        workbook,
        title="出生孩次性别",
        headers=("孩次", "男", "女", "合计"),
        rows=[
            *((r.label, r.male, r.female, r.total) for r in data.births_by_order),
            (
                "合计",
                sum(r.male for r in data.births_by_order),
                sum(r.female for r in data.births_by_order),
                sum(r.total for r in data.births_by_order),
            ),
        ],
    )
    add_sheet(
        workbook,
        title="人口指标",
        headers=("指标代码", "指标", "计量单位", "数值", "分子", "分母"),
        rows=[
            *(
                (
                    f.indicator.id,
                    f.indicator.name_zh,
                    unit_label(f.indicator.unit),
                    excel_number(f.value, indicator=f.indicator),
                    _number(f.value.numerator),
                    _number(f.value.denominator) if f.indicator.is_ratio else "",
                )
                for f in data.figures
            ),
            ("tfr", "总和生育率", unit_label("per woman"), _number(data.fertility.tfr), "", ""),
        ],
    )
    add_sheet(
        workbook,
        title="分年龄组生育率",
        headers=("年龄组", "出生数", "平均妇女人数", "生育率（‰）"),
        rows=[
            *(
                (g.label, g.births, round(float(g.women_mean), 1), _number(g.rate))
                for g in data.fertility.groups
            ),
            ("总和生育率", "", "", _number(data.fertility.tfr)),
        ],
    )
    return workbook
