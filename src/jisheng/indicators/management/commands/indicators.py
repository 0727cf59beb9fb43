"""``jisheng indicators --unit CODE --period 2026Q3 [--ids a,b] [--level children|self]
[--format table|json]``: the catalogue's figures for the units under a unit."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jisheng.indicators import catalogue, engine, periods
from jisheng.orgs.models import Unit


class Command(BaseCommand):
    help = _("Compute indicators for the units under a unit, for one period.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", metavar="CODE", required=True)
        parser.add_argument("--period", required=True, help="2026-07, 2026Q3, 2026H2 or 2026")
        parser.add_argument("--ids", default="", help="indicator ids, comma-separated")
        parser.add_argument("--level", choices=engine.LEVELS, default=engine.CHILDREN)
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--naive", action="store_true", help=_("unit by unit (benchmark)"))

    def handle(self, *args: Any, **options: Any) -> None:
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
