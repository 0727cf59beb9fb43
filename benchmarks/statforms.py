"""Statistical forms for every unit of a generated county (issue 15's first figure).

    uv run python benchmarks/statforms.py [--persons 1000000] [--database-url URL]
                                          [--period 2026-10] [--repeat 3] [--seed 1]

1. Starts Django like ``registry.py`` (same database choice; use a scratch database —
   one ``indicators.py`` filled can be reused: its persons, methods and visits are kept),
   loads the demo organisation and generates ``--persons`` persons and their services
   unless they are there (``indicators.prepare``).
2. Times **every monthly form defined by a file** (``reporting/forms/*.yaml`` with
   ``frequency: month``: 信息报告单汇总, births, operations, floating population) for
   **every unit of the county at once** with ``reporting.generate.build_all`` — one
   grouped query per kind of figure, the counts rolled up to every ancestor by path
   prefix (target ≤ 10 s on PostgreSQL for all the forms together). ``--repeat`` runs,
   after a warm-up; the worst run counts.
3. For information: the year-end population table (``population_year``) the same way,
   the county's year-end table as its page shows it (grouped counts, no records), and
   one form built for the county with its records (``build``: the rows are the
   townships, every cell names its records).
4. Checks that the county's figures of ``build_all`` equal the total row of ``build``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from indicators import prepare
from registry import Figure, with_django

TARGET_MS = 10_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--period", default="", help="2026-10 (default: the last whole month)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.utils import timezone

    from jisheng.core import periods
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit
    from jisheng.reporting import generate, selectors_statforms
    from jisheng.reporting.definitions import shipped_definitions

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    prepare(args, root)
    if args.period:
        month = periods.parse(args.period)
    else:
        month = periods.containing(timezone.localdate(), periods.MONTH).previous()
    year = periods.Period(periods.YEAR, month.year - 1, 1)
    definitions = shipped_definitions()
    monthly = [d for d in definitions if d.frequency == periods.MONTH]
    yearly = [d for d in definitions if d.frequency == periods.YEAR]
    units = Unit.objects.filter(path__startswith=root.path).count()

    def every_monthly_form() -> dict[str, dict[int, dict[str, int]]]:
        return {d.key: generate.build_all(d, root, month) for d in monthly}

    def timed_runs(fn) -> tuple[list[float], object]:
        fn()  # warm-up
        ms: list[float] = []
        result: object = None
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            result = fn()
            ms.append((time.perf_counter() - started) * 1000)
        return ms, result

    monthly_ms, figures = timed_runs(every_monthly_form)
    per_form = []
    for definition in monthly:
        ms, _r = timed_runs(lambda d=definition: generate.build_all(d, root, month))
        per_form.append(Figure(f"  {definition.key}", None, "max", ms, f"{units} units"))
    yearly_ms, _r = timed_runs(lambda: [generate.build_all(d, root, year) for d in yearly])
    page_ms, _r = timed_runs(
        lambda: [generate.build(d, root, year, with_records=False) for d in yearly]
    )
    one = monthly[0]
    started = time.perf_counter()
    form = selectors_statforms.build(one.key, root, month)
    build_ms = (time.perf_counter() - started) * 1000
    mismatches = 0
    county = figures[one.key][root.pk]  # type: ignore[index]
    for key, value in form.total.cells.items():
        if county.get(key) != value:
            mismatches += 1
    records = sum(len(v) for (pk, _k), v in form.records.items() if pk is None)
    rows = [
        Figure(
            "every monthly form, every unit",
            TARGET_MS if connection.vendor == "postgresql" else None,
            "max",
            monthly_ms,
            f"{len(monthly)} forms × {units} units, period {month.code}",
        ),
        *per_form,
        Figure(
            "year-end table, every unit",
            None,
            "max",
            yearly_ms,
            f"{', '.join(d.key for d in yearly)}, {year.code}",
        ),
        Figure(
            "year-end table of the county, page",
            None,
            "max",
            page_ms,
            "build(with_records=False): grouped counts, rows = townships",
        ),
        Figure(
            f"build {one.key} for the county",
            None,
            "max",
            [build_ms],
            f"{len(form.rows)} rows, {records} records behind the total row",
        ),
    ]
    print(f"{'figure':<42}{'runs':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  target")
    for figure in rows:
        print(figure.row())
    print(f"build_all and build agree on the county's total row: {mismatches == 0}")
    failed = any(r.row().rstrip().endswith("FAIL") or " FAIL " in r.row() for r in rows)
    failed = failed or mismatches > 0
    print("RESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
