"""The annual assessment of all townships of a generated county (issue 5's figure:
computed and ranked ≤ 5 s).

    uv run python benchmarks/assessment.py [--persons 1000000] [--database-url URL]
                                           [--period 2026] [--repeat 3] [--seed 1]

1. Starts Django like ``indicators.py`` (same database choice and var directory per
   database; a database ``indicators.py`` or ``worklist.py`` filled is reused: its
   persons, methods and visits are kept), loads the demo organisation and generates
   ``--persons`` persons with their services unless they are there
   (``indicators.prepare``).
2. Gives every township of the county a signed contract for the year (drawn up from
   the pack in force, its items replaced by :data:`ITEMS` — the catalogue's rates with
   targets, weights and every scoring rule — plus the pack's veto items) unless it has
   one; the contracts stay in the database for the next run.
3. Times, ``--repeat`` times after a warm-up, **the assessment computed and ranked**:
   ``assessment.compute_basis`` (each township's contract, ONE grouped engine call for
   all townships and indicators) and ``assessment.score_basis`` (every line scored and
   explained, totals, bands, ranking, last place, consequences) — target ≤ 5 s; and,
   for information, ``assessment_create`` as the page does it (the same plus writing
   the row and its audit event), deleting the row between runs.
4. Prints the ranking of the last run and the figures (milliseconds), PASS/FAIL.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from indicators import prepare
from registry import Figure, with_django

TARGET_MS = 5000

# The benchmark contract: catalogue rates with targets and every scoring rule; the
# items whose indicator the catalogue does not have are skipped.
ITEMS: list[dict[str, Any]] = [
    {"indicator": "contraceptive_prevalence", "name": "综合避孕率", "target": 85, "weight": 15,
     "scoring": "linear_below_target", "minus_per_point": 2},
    {"indicator": "long_acting_share", "name": "长效措施率", "target": 50, "weight": 10,
     "scoring": "linear_between", "zero_at": 30, "full_at": 50},
    {"indicator": "followup_rate", "name": "随访率", "target": 95, "weight": 15,
     "scoring": "linear_below_target", "minus_per_point": 1},
    {"indicator": "campaign_coverage", "name": "综合服务到位率", "target": 90, "weight": 10,
     "scoring": "all_or_nothing"},
    {"indicator": "policy_birth_rate", "name": "政策符合率", "target": 95, "weight": 10,
     "scoring": "linear_below_target", "minus_per_point": 1},
    {"indicator": "transfer_rate", "name": "管理移交率", "target": 100, "weight": 10,
     "scoring": "linear_below_target", "minus_per_point": 1},
    {"indicator": "method_information_index", "name": "方法信息指数", "target": 80,
     "weight": 10, "scoring": "all_or_nothing"},
    {"indicator": "multi_child_rate", "name": "多孩率", "target": 20, "direction": "at_most",
     "weight": 10, "scoring": "linear_below_target", "minus_per_point": 1},
    {"indicator": "birth_rate", "name": "出生率", "target": 15, "unit": "permille",
     "direction": "at_most"},
    {"indicator": "sex_ratio_at_birth", "name": "出生人口性别比", "target": 107, "unit": "count",
     "direction": "at_most"},
    {"kind": "manual", "name": "台账齐全、按时上报", "weight": 10, "scoring": "yes_no"},
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--period", default="", help="2026 or 2026H1 (default: this year)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def contract_items(pack_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from jisheng.indicators import contracts

    items = []
    for item in ITEMS:
        row = {
            "kind": "indicator",
            "unit": "percent",
            "direction": "at_least",
            "floor": 0,
            **item,
        }
        if row["kind"] == "indicator" and not contracts.indicator_known(row["indicator"]):
            continue
        items.append(row)
    # the weights of the skipped items go to the hand-scored item, so they add up to 100
    weights = sum(float(i.get("weight") or 0) for i in items)
    items[-1]["weight"] = float(items[-1]["weight"]) + 100 - weights
    vetoes = [i for i in pack_items if i["kind"] == "veto"]
    return items + vetoes


def ensure_contracts(root: Any, year: int) -> tuple[int, int]:
    """Signed contracts for every township (created unless there); (signed, reused)."""
    from django.utils import timezone

    from jisheng.indicators import contracts
    from jisheng.indicators.models import Contract

    drawn = contracts.contracts_draw_all(actor=None, issuer=root, year=year)
    signed = 0
    for contract in Contract.objects.filter(issuer=root, year=year, status="draft"):
        pack_items = [
            {n: getattr(i, n) for n in contracts.ITEM_FIELDS} for i in contract.items.all()
        ]
        contracts.contract_update(
            actor=None, contract=contract, items=contract_items(pack_items), total_points=100
        )
        contracts.contract_sign(
            actor=None,
            contract=contract,
            issuer_signatory="县长（基准测试）",
            unit_signatory="乡镇长（基准测试）",
            signed_on=min(timezone.localdate(), timezone.localdate().replace(month=1, day=15)),
        )
        signed += 1
    return signed, len(drawn.skipped)


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.utils import timezone

    from jisheng.indicators import assessment as rules
    from jisheng.indicators.models import Assessment
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    prepare(args, root)
    period = rules.parse_period(args.period or str(timezone.localdate().year))
    signed, reused = ensure_contracts(root, period.year)
    townships = Unit.objects.filter(path__startswith=root.path, depth=root.depth + 1).count()
    print(f"  contracts {period.year}: {signed} signed now, {reused} there already")

    def computed_and_ranked() -> dict[str, Any]:
        basis = rules.compute_basis(root, period)
        return rules.score_basis(basis, [])

    def create() -> Any:
        Assessment.objects.filter(issuer=root, period=period.code).delete()
        return rules.assessment_create(actor=None, issuer=root, period=period.code)

    def repeat(fn: Any) -> tuple[list[float], Any]:
        fn()  # warm-up
        ms, out = [], None
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            out = fn()
            ms.append((time.perf_counter() - started) * 1000)
        return ms, out

    ranked_ms, result = repeat(computed_and_ranked)
    create_ms, created = repeat(create)
    created.delete()

    print()
    print(f"ranking, {period.label} ({period.first} – {period.last}):")
    for row in result["units"]:
        print(
            f"  {row['rank']:>3}{'=' if row['tied'] else ' '} {row['name']:<12} "
            f"{periods_text(row['total']):>7}  {row['band'] or '—'}"
            f"{'  last place' if row['is_last'] else ''}"
        )
    lines = sum(len(r["lines"]) for r in result["units"])
    figures = [
        Figure(
            "annual assessment, computed and ranked",
            TARGET_MS,
            "max",
            ranked_ms,
            f"{townships} townships, {lines} lines",
        ),
        Figure("the same, created as the page does", None, "max", create_ms, "with the write"),
    ]
    print()
    print(f"{args.persons} persons; milliseconds")
    header = f"{'figure':<42}{'n':>6}{'p50':>10}{'p95':>10}{'max':>10}  {'target':<14}{'':<6}"
    print(header)
    print("-" * len(header))
    for figure in figures:
        print(figure.row())
    return 0 if all("FAIL" not in f.row() for f in figures) else 1


def periods_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
