"""Under-reporting detection on a generated county (issue 15's figure and evaluation).

    uv run python benchmarks/underreporting.py [--persons 1000000] [--database-url URL]
                                               [--year 2025] [--share 1.0] [--repeat 3]
                                               [--seed 1] [--villages 3]

1. Starts Django like ``registry.py`` (same database choice; use a scratch database of
   your own — the one ``registry.py`` or ``indicators.py`` filled can be reused: its
   persons are kept), loads the demo organisation and generates ``--persons`` persons
   unless they are there.
2. Times **the under-reporting scan of every village of the county for a year**
   (``--year``, default: the last whole year; ``quality.underreporting.scan``: two
   grouped queries and the arithmetic), ``--repeat`` runs after a warm-up (target
   ≤ 5 s on PostgreSQL).
3. Prints the flags on the registry as generated (every flag there is a false flag:
   the generator registers every birth).
4. **Evaluation**: inside a transaction that is rolled back, moves ``--share`` of the
   period's births of ``--villages`` villages (drawn at random among those expecting
   at least 10 births) out of the period — as if never registered — and scans again:
   prints the recall (how many of the chosen villages are flagged low), the false flags
   elsewhere, and E, O and the tail probability of every flagged village. Then the same
   for shares 0.3 … 1.0 (recall by share). Nothing is left changed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import generate, with_django

TARGET_SECONDS = 5.0
MIN_EXPECTED = 10.0
SHARES = (0.3, 0.5, 0.7, 1.0)


class Rollback(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--year", type=int, default=0, help="default: the last whole year")
    parser.add_argument("--share", type=float, default=1.0, help="births removed (0–1)")
    parser.add_argument("--villages", type=int, default=3, help="villages to remove from")
    parser.add_argument("--repeat", type=int, default=3, help="timed scans")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    if not 0 < args.share <= 1 or args.villages < 1 or args.repeat < 1:
        parser.error("--share must be in (0, 1], --villages and --repeat at least 1")
    return with_django(args, run)


def _describe(v: Any, names: dict[int, str]) -> str:
    return (
        f"    {names.get(v.unit_id, v.unit_id)!s:<24} E {v.expected:7.2f}  O {v.observed:4d}  "
        f"{v.flag:<4}  p {v.p:.2e}"
    )


def remove_and_scan(
    root: Any,
    period: Any,
    chosen: list[int],
    share: float,
    rng: random.Random,
    rates: tuple[float, ...] | None = None,
) -> tuple[Any, int]:
    """Move ``share`` of the period's births of the ``chosen`` villages out of the period
    (a year earlier) in a transaction, scan, roll back. Returns the scan and the number
    of births moved."""
    from django.db import transaction

    from jisheng.orgs.models import Unit
    from jisheng.people.models import Birth
    from jisheng.quality import underreporting

    result: list[Any] = []
    try:
        with transaction.atomic():
            moved = 0
            for village in Unit.objects.filter(pk__in=chosen):
                ids = list(
                    Birth.objects.filter(
                        unit__path__startswith=village.path,
                        date__gte=period.first,
                        date__lte=period.last,
                    )
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                drop = rng.sample(ids, round(share * len(ids)))
                moved += len(drop)
                Birth.objects.filter(pk__in=drop).update(
                    date=period.first - datetime.timedelta(days=400)
                )
            result.append(underreporting.scan(root, period, rates=rates, with_units=False))
            result.append(moved)
            raise Rollback
    except Rollback:
        pass
    return result[0], result[1]


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from jisheng.core.periods import YEAR, Period
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit
    from jisheng.quality import underreporting

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  {how}: {note}")
    year = args.year or datetime.date.today().year - 1
    period = Period(YEAR, year, 1)

    # 1. the timing
    underreporting.scan(root, period, with_units=False)  # warm-up
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        base = underreporting.scan(root, period, with_units=False)
        timings.append(time.perf_counter() - start)
    worst = max(timings)
    verdict = "PASS" if worst <= TARGET_SECONDS else "FAIL"
    names = dict(Unit.objects.filter(path__startswith=root.path).values_list("pk", "name"))
    print(
        f"\nscan of every village of the county, {period.code}: {len(base.villages)} units "
        f"scanned, E {base.expected:.1f}, O {base.observed}"
    )
    print(
        f"  time: median {statistics.median(timings):.2f} s, max {worst:.2f} s "
        f"(target ≤ {TARGET_SECONDS:g} s)  {verdict}"
    )
    print(
        "  reference rates (births per 1,000 women in the year): "
        + ", ".join(f"{g.label} {g.per_1000:.1f}" for g in base.reference.groups)
    )

    # 2. flags on the registry as generated: all false
    print(f"\nflags on the registry as generated (all false flags): {len(base.flagged)}")
    for v in base.flagged:
        print(_describe(v, names))

    # 3. remove births from villages and scan again
    rng = random.Random(args.seed)
    candidates = [v.unit_id for v in base.villages if v.expected >= MIN_EXPECTED]
    if len(candidates) < args.villages:
        print(f"only {len(candidates)} villages expect {MIN_EXPECTED:g}+ births: too few")
        return 1
    chosen = sorted(rng.sample(candidates, args.villages))
    before = {v.unit_id: v for v in base.villages}
    result, moved = remove_and_scan(root, period, chosen, args.share, rng)
    flagged = result.flagged
    found = [v for v in flagged if v.unit_id in chosen and v.flag == underreporting.LOW]
    false = [v for v in flagged if v.unit_id not in chosen]
    print(
        f"\nremoved {args.share:.0%} of the births of {args.villages} villages "
        f"({moved} births): "
        + ", ".join(
            f"{names[u]} (E {before[u].expected:.1f}, O {before[u].observed} → "
            f"{result.village(u).observed})"
            for u in chosen
        )
    )
    print(
        f"  recall: {len(found)}/{len(chosen)} found; false flags elsewhere: {len(false)} "
        f"of {len(result.villages) - len(chosen)} units"
    )
    for v in flagged:
        mark = "*" if v.unit_id in chosen else " "
        print(mark + _describe(v, names)[1:])

    # the rates of the registry as generated, fixed (as a policy pack's would be)
    fixed = tuple(g.rate for g in base.reference.groups)
    print("\nrecall by share of births removed (same villages), county's own rates | fixed:")
    for share in SHARES:
        line = f"  {share:4.0%}:"
        for rates in (None, fixed):
            scanned, n = remove_and_scan(
                root, period, chosen, share, random.Random(args.seed), rates=rates
            )
            hits = sum(1 for v in scanned.flagged if v.unit_id in chosen and v.flag == "low")
            others = sum(1 for v in scanned.flagged if v.unit_id not in chosen)
            line += f"  {n:4d} removed, recall {hits}/{len(chosen)}, false flags {others} |"
        print(line.rstrip(" |"))
    print(
        f"\nrecall {len(found)}/{len(chosen)} at {args.share:.0%} removed (no target: "
        f"see the table), false flags {len(false)}; time {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
