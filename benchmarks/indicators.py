"""The indicator engine on a generated county (issue 5's figures).

    uv run python benchmarks/indicators.py [--persons 1000000] [--database-url URL]
                                           [--period 2026Q3] [--repeat 3] [--seed 1]
                                           [--naive-sample 40] [--ids a,b]

1. Starts Django like ``registry.py`` (same database choice; use a scratch database —
   the one ``registry.py`` or ``worklist.py`` filled can be reused: its persons are
   kept), loads the demo organisation and generates ``--persons`` persons unless they
   are there; gives the married women 15–49 methods and visits
   (``services.synthetic.generate_services``) and builds the visits due
   (``followup.schedules_rebuild_all``) unless the county has method records already.
2. Times **the whole catalogue for every unit of the county, one quarter**
   (``--period``, default: the last complete quarter) with the grouped engine
   of ``indicators.engine``: the county itself (``compute(level=self)``) and each level
   of the tree under it (townships, villages/communities, groups) with ONE grouped
   query a population for the whole level (the engine's grouping at the level's
   depth, :func:`compute_level`), summed (target ≤ 2 s on PostgreSQL, ≤ 10 s on
   SQLite). For information also ``compute(parent, level=children)`` for every parent
   of every level (one query a population and parent). ``--repeat`` runs each, after a
   warm-up.
3. Times the same units **unit by unit** with ``compute_naive()`` (one query a unit and
   a population) — the yardstick. When a level has more than ``--naive-sample`` units,
   a random sample of that many is timed and the level's time extrapolated (mean per
   unit × units; the output says so). The grouped run must be ≥ 20× faster.
4. Checks on the way that all three give the same figures for the units sampled, and prints
   the rows like ``registry.py`` (milliseconds) and the ratio with PASS/FAIL.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import Figure, generate, timed, with_django

LEVEL_NAMES = {1: "townships", 2: "villages/communities", 3: "groups"}
RATIO_TARGET = 20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--period", default="", help="2026Q3 (default: the last whole quarter)")
    parser.add_argument("--repeat", type=int, default=3, help="timed grouped runs")
    parser.add_argument("--naive-sample", type=int, default=40, help="naive units per level")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ids", default="", help="indicator ids, comma-separated (default: all)")
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def prepare(args: argparse.Namespace, root: Any) -> None:
    """Persons, then methods, visits and visits due unless the county has them."""
    from django.db import connection
    from django.utils import timezone

    from jisheng.services import followup
    from jisheng.services.models import ContraceptionRecord
    from jisheng.services.synthetic import generate_services

    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    if ContraceptionRecord.objects.filter(unit__path__startswith=root.path).exists():
        print("  services: reused")
        return
    today = timezone.localdate()
    made = generate_services(root=root, seed=args.seed, end=today)
    print(
        f"  services generated: {made.women} married women, {made.methods} method "
        f"records, {made.visits} visits in {made.seconds:.0f} s"
    )
    started = time.perf_counter()
    items = followup.schedules_rebuild_all(today=today)
    print(f"  visits due built: {items} in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def compute_level(indicators: list[Any], root: Any, period: Any, units: list[Any]) -> list[Any]:
    """Every indicator for every unit of one level (one depth) under ``root``: ONE
    grouped query a population, whatever the number of units."""
    from jisheng.indicators import engine

    return engine.compute_units(indicators, root, period, units)


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.utils import timezone

    from jisheng.core import periods
    from jisheng.indicators import catalogue, engine
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    prepare(args, root)
    if args.period:
        period = periods.parse(args.period)
    else:
        period = periods.containing(timezone.localdate(), periods.QUARTER).previous()
    indicators = catalogue.select(args.ids)

    # The parents whose children form each level under the county.
    below = Unit.objects.filter(path__startswith=root.path).order_by("path")
    by_depth: dict[int, list[Any]] = {}
    for unit in below:
        by_depth.setdefault(unit.depth - root.depth, []).append(unit)
    levels = [d for d in sorted(by_depth) if d >= 1]

    def whole_tree() -> list[Any]:
        return engine.compute_tree(indicators, root, period)

    def per_level() -> list[Any]:
        rows = engine.compute(indicators, root, period, engine.SELF)
        for depth in levels:
            rows += compute_level(indicators, root, period, by_depth[depth])
        return rows

    def repeat(fn: Any) -> tuple[list[float], list[Any]]:
        fn()  # warm-up
        ms, rows = [], []
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            rows = fn()
            ms.append((time.perf_counter() - started) * 1000)
        return ms, rows

    by_level_ms, level_rows = repeat(per_level)
    grouped_ms, rows = repeat(whole_tree)
    parent_values = {r.unit.code: r.values for r in level_rows}
    by_code = {r.unit.code: r for r in rows}
    units_total = len(rows)

    # Unit by unit: every unit of a level, or a random sample, extrapolated.
    rng = random.Random(args.seed)
    naive_total_ms = 0.0
    naive_figures = []
    notes = []
    mismatches = 0
    for depth in [0, *levels]:
        units = by_depth[depth]
        sample = units if len(units) <= args.naive_sample else rng.sample(units, args.naive_sample)
        per_unit = []
        for unit in sample:
            result: list[Any] = []
            per_unit.append(
                timed(
                    lambda u=unit, out=result: out.extend(
                        engine.compute_naive(indicators, u, period, engine.SELF)
                    )
                )
            )
            for mine in (by_code[unit.code].values, parent_values[unit.code]):
                mismatches += sum(1 for i in indicators if result[0].values[i.id] != mine[i.id])
        level_ms = sum(per_unit) / len(per_unit) * len(units)
        naive_total_ms += level_ms
        name = LEVEL_NAMES.get(depth, "county" if depth == 0 else f"depth +{depth}")
        if len(sample) < len(units):
            note = f"{len(sample)} of {len(units)} units timed, extrapolated"
            notes.append(f"{name}: {note}")
        else:
            note = f"all {len(units)} units"
        naive_figures.append(Figure(f"naive, {name} (per unit)", None, "max", per_unit, note))

    ratio = naive_total_ms / max(grouped_ms)
    parent_ratio = naive_total_ms / max(by_level_ms)
    target = 2000 if connection.vendor == "postgresql" else 10000
    level_counts = ", ".join(f"{LEVEL_NAMES.get(d, d)} {len(by_depth[d])}" for d in levels)
    figures = [
        Figure(
            "grouped, the whole tree at once",
            target,
            "max",
            grouped_ms,
            f"compute_tree: {units_total} units: county 1, {level_counts}",
        ),
        Figure(
            "grouped, a level at a time (total)",
            None,
            "max",
            by_level_ms,
            "compute_units per depth (information)",
        ),
        *naive_figures,
        Figure(
            "naive compute_naive(), every unit (total)",
            None,
            "max",
            [naive_total_ms],
            "extrapolated from samples" if notes else "measured",
        ),
    ]
    print()
    print(
        f"{args.persons} persons; {len(indicators)} indicators, period {period.code} "
        f"({period.first} – {period.last}); {units_total} units; milliseconds"
    )
    header = f"{'figure':<42}{'n':>6}{'p50':>10}{'p95':>10}{'max':>10}  {'target':<14}{'':<6}"
    print(header)
    print("-" * len(header))
    for figure in figures:
        print(figure.row())
    verdict = "PASS" if ratio >= RATIO_TARGET else "FAIL"
    print(
        f"{'naive ÷ grouped (slowest grouped run)':<42}{ratio:>36.1f}×  "
        f"{'≥ ' + str(RATIO_TARGET) + '×':<14}{verdict}"
    )
    print(f"{'naive ÷ a level at a time (information)':<42}{parent_ratio:>36.1f}×")
    for note in notes:
        print(f"  naive {note}")
    if mismatches:
        print(f"  MISMATCH: {mismatches} figures differ between grouped and naive")
    ok = all("FAIL" not in f.row() for f in figures) and verdict == "PASS" and not mismatches
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
