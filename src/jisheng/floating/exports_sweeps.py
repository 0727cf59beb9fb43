"""The sweep report as an Excel workbook (清查情况统计表): per unit of the sweep, lines
visited of all, findings by kind, resolved and open, with a total line. Column headers
are part of the file format (fixed Chinese)."""

from __future__ import annotations

from openpyxl import Workbook

from jisheng.core.excel import write_workbook
from jisheng.floating.choices import FindingKind
from jisheng.floating.models import Sweep
from jisheng.floating.selectors_sweeps import ReportLine, SweepReport

KIND_HEADERS = {
    FindingKind.NOT_REGISTERED: "未登记",
    FindingKind.LEFT: "已离开",
    FindingKind.NEW_BIRTH: "出生未登记",
    FindingKind.NEW_MARRIAGE: "婚姻未登记",
    FindingKind.OTHER: "其他",
}
HEADERS = (
    "单位代码",
    "单位",
    "清查户(房)数",
    "已走访",
    "完成率(%)",
    *KIND_HEADERS.values(),
    "发现合计",
    "已处理",
    "待处理",
)


def _line(code: str, name: str, line: ReportLine) -> list[object]:
    return [
        code,
        name,
        line.lines,
        line.visited,
        line.percent,
        *(line.by_kind.get(str(kind), 0) for kind in KIND_HEADERS),
        line.findings,
        line.resolved,
        line.open,
    ]


def report_workbook(report: SweepReport) -> Workbook:
    rows = [_line(r.unit_code, r.unit_name, r) for r in report.rows]
    rows.append(_line("", "合计", report.total))
    return write_workbook(title="清查情况", headers=HEADERS, rows=rows)


def filename(sweep: Sweep) -> str:
    return f"清查情况_{sweep.name}_{sweep.starts_on:%Y%m%d}.xlsx".replace("/", "_")
