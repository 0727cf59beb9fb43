"""All logic checks (``quality.checks.run_checks``) for a generated county and a quarter
(issue 15's figure: ≤ 10 s at 1,000,000 persons on PostgreSQL).

    uv run python benchmarks/logic_checks.py [--persons 1000000] [--database-url URL]
                                             [--period 2026Q3] [--repeat 3] [--seed 1]

1. Starts Django and prepares the county like ``indicators.py`` (the same database can be
   reused: persons, methods, visits and visits due are kept), then loads the shipped
   logic rules (``quality/rules/*.yaml``).
2. Times ``run_checks(unit=county, period=quarter)`` (``--period``, default: the last
   complete quarter) ``--repeat`` times after a warm-up: every comparison rule for every
   unit of the county that reports (the engine's grouped ``compute_tree``) and every
   record check (short birth intervals, mothers' ages, ID numbers of the persons changed
   in the quarter, likely duplicates over the county). Prints the results per rule and
   PASS/FAIL against 10 s.
3. For information: the decryption rate of ID numbers (the ID check decrypts only the
   persons changed within the period; a sweep of the whole registry would cost persons ÷
   rate seconds).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import Figure, with_django

TARGET_MS = 10_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--period", default="", help="2026Q3 (default: the last whole quarter)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def decrypt_rate(root: Any, sample: int = 5000) -> float:
    """ID numbers decrypted per second (a sample of the county's persons)."""
    from jisheng.core import crypto
    from jisheng.people.models import Person

    tokens = list(
        Person.objects.filter(unit__path__startswith=root.path)
        .exclude(id_number_encrypted="")
        .values_list("id_number_encrypted", flat=True)[:sample]
    )
    if not tokens:
        return 0.0
    started = time.perf_counter()
    for token in tokens:
        crypto.decrypt(token)
    return len(tokens) / (time.perf_counter() - started)


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.utils import timezone

    from indicators import prepare
    from jisheng.core import periods
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit
    from jisheng.quality.checks import run_checks
    from jisheng.quality.definitions_rules import load_files

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    prepare(args, root)
    loaded = load_files(actor=None)
    print(
        f"  logic rules: {len(loaded.created)} new, {len(loaded.changed)} changed, "
        f"{len(loaded.unchanged)} unchanged"
    )
    if args.period:
        period = periods.parse(args.period)
    else:
        period = periods.containing(timezone.localdate(), periods.QUARTER).previous()
    units = Unit.objects.filter(path__startswith=root.path).count()
    print(f"  period {period.code}, {units} units")

    found: list[Any] = run_checks(unit=root, period=period)  # warm-up
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = run_checks(unit=root, period=period)
        timings.append((time.perf_counter() - started) * 1000)
    by_rule = Counter(v.rule.key for v in found)
    units_by_rule = {k: len({v.unit.pk for v in found if v.rule.key == k}) for k in by_rule}
    print("  results per rule:")
    for key, n in sorted(by_rule.items()):
        print(f"    {key:<36}{n:>8} results in {units_by_rule[key]:>6} units")
    rate = decrypt_rate(root)
    if rate:
        print(
            f"  ID numbers decrypted: {rate:,.0f}/s (a sweep of {args.persons:,} persons "
            f"would take {args.persons / rate:,.0f} s; the check decrypts the persons changed "
            f"in the period only)"
        )
    print(f"{'':<42}{'runs':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  target")
    figure = Figure(
        "all logic checks, county, one quarter",
        TARGET_MS,
        "max",
        timings,
        f"{len(found)} results",
    )
    print(figure.row())
    return 0 if max(timings) <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
