"""``jisheng indicators --unit CODE --period 2026Q3 [--ids a,b] [--level children|self]
[--format table|json|xlsx] [--output FILE.xlsx]``: the catalogue's figures for the units
under a unit. ``xlsx`` writes a workbook (Chinese headers, "—" for an undefined value):
the sheet 指标 (a row per unit, a column per indicator), 分子分母 (a row per unit and
indicator with its numerator and denominator) and 口径说明 (the definitions)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jisheng.core import periods
from jisheng.core.excel import add_sheet
from jisheng.indicators import catalogue, engine
from jisheng.orgs.models import Unit


class Command(BaseCommand):
    help = _("Compute indicators for the units under a unit, for one period.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", metavar="CODE", required=True)
        parser.add_argument("--period", required=True, help="2026-07, 2026Q3, 2026H2 or 2026")
        parser.add_argument("--ids", default="", help="indicator ids, comma-separated")
        parser.add_argument("--level", choices=engine.LEVELS, default=engine.CHILDREN)
        parser.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        parser.add_argument(
            "--output", metavar="FILE.xlsx", default="", help=_("the file --format xlsx writes")
        )
        parser.add_argument("--naive", action="store_true", help=_("unit by unit (benchmark)"))

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        if options["format"] == "xlsx":
            if not output:
                raise CommandError(_("--format xlsx needs --output FILE.xlsx."))
            if not output.lower().endswith(".xlsx"):
                raise CommandError(
                    _("The output file must end in .xlsx: %(file)s") % {"file": output}
                )
            if not Path(output).resolve().parent.is_dir():
                raise CommandError(
                    _("The folder of the output file does not exist: %(file)s") % {"file": output}
                )
        elif output:
            raise CommandError(_("--output is only for --format xlsx."))
        root = Unit.objects.filter(code=options["unit"]).first()
        if root is None:
            raise CommandError(_("No unit has the code %(code)s.") % {"code": options["unit"]})
        try:
            period = periods.parse(options["period"])
            indicators = catalogue.select(options["ids"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        compute = engine.compute_naive if options["naive"] else engine.compute
        started = time.perf_counter()
        rows = compute(indicators, root, period, options["level"])
        elapsed = time.perf_counter() - started
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "unit": root.code,
                        "period": period.code,
                        "first": period.first.isoformat(),
                        "last": period.last.isoformat(),
                        "units": [
                            {
                                "code": r.unit.code,
                                "name": r.unit.name,
                                "indicators": {k: v.as_dict() for k, v in r.values.items()},
                            }
                            for r in rows
                        ],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        if options["format"] == "xlsx":
            xlsx_write(output, indicators, rows, period, root)
            self.stdout.write(_("Wrote %(file)s (%(n)d units).") % {"file": output, "n": len(rows)})
            return
        self._table(indicators, rows, period)
        self.stderr.write(_("%(s).3f s") % {"s": elapsed})

    def _table(
        self, indicators: list[engine.Indicator], rows: list[engine.UnitValues], period: Any
    ) -> None:
        self.stdout.write(f"{period.label} ({period.first} – {period.last})")
        header = [_("Unit")] + [f"{i.name_zh}({i.unit})" for i in indicators]
        lines = [header]
        for r in rows:
            lines.append(
                [f"{r.unit.code} {r.unit.name}"]
                + [
                    r.values[i.id].display()
                    + (
                        f" [{r.values[i.id].numerator}/{r.values[i.id].denominator}]"
                        if i.is_ratio
                        else ""
                    )
                    for i in indicators
                ]
            )
        for line in lines:
            self.stdout.write("\t".join(line))


UNDEFINED = "—"  # a value whose denominator is 0


def _cell(value: float | None, digits: int = 2) -> float | int | str:
    if value is None:
        return UNDEFINED
    if float(value).is_integer():
        return int(value)
    return round(value, digits)


def xlsx_write(
    output: str,
    indicators: list[engine.Indicator],
    rows: list[engine.UnitValues],
    period: periods.Period,
    root: Unit,
) -> None:
    """The figures as a workbook at ``output`` (headers are part of the file format, so
    they are fixed Chinese strings)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    add_sheet(
        workbook,
        title="指标",
        headers=["单位代码", "单位名称"] + [f"{i.name_zh}（{i.unit}）" for i in indicators],
        rows=(
            [r.unit.code, r.unit.name] + [_cell(r.values[i.id].value) for i in indicators]
            for r in rows
        ),
    )
    add_sheet(
        workbook,
        title="分子分母",
        headers=["单位代码", "单位名称", "指标编号", "指标名称", "计量单位", "分子", "分母", "值"],
        rows=(
            [
                r.unit.code,
                r.unit.name,
                i.id,
                i.name_zh,
                i.unit,
                _cell(r.values[i.id].numerator),
                "" if r.values[i.id].denominator is None else _cell(r.values[i.id].denominator),
                _cell(r.values[i.id].value),
            ]
            for r in rows
            for i in indicators
        ),
    )
    add_sheet(
        workbook,
        title="口径说明",
        headers=["指标编号", "指标名称", "计量单位", "口径"],
        rows=(
            [
                ["统计期", f"{period.code}（{period.first} 至 {period.last}）", "", ""],
                ["统计单位", f"{root.code} {root.name}", "", ""],
            ]
            + [[i.id, i.name_zh, i.unit, i.definition_zh] for i in indicators]
            + [["", "", "", f"“{UNDEFINED}”：分母为 0，无法计算。"]]
        ),
        widths={"口径": 80},
        wrap_columns=["口径"],
    )
    workbook.save(output)
