"""The yearly eligibility sweep of 育儿补贴 and 奖扶 for the county at 1,000,000 persons
(issue 18 / eligibility).

    uv run python benchmarks/benefits_sweep.py [--persons 1000000] [--database-url URL]
                                               [--year 2026] [--runs 2] [--seed 1]

1. Starts Django like ``registry.py`` (use a scratch database or a copy of one: the
   persons of a run of ``registry.py`` are reused), loads the demo organisation,
   generates ``--persons`` unless they are there.
2. Prints what the registry gives the rules: births linking mothers and fathers to
   children, the household-registration types, parents aged 55 or more with one child
   or two daughters.
3. Times, as the county office ``jsb``, ``--runs`` times each, the sweep of
   ``childcare_subsidy`` (育儿补贴) and of ``county_reward`` (县级奖扶) for the county and
   the year (the first run makes the DRAFT batch, the next refresh it). Target: the two
   sweeps together ≤ 30 s on PostgreSQL (each run's sum, the worst of the runs).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import Figure, generate, timed, with_django

KINDS = ("childcare_subsidy", "county_reward")
TARGET_MS = 30_000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def describe(root: object) -> None:
    from django.db.models import Count

    from jisheng.people.models import Birth, Person

    births = Birth.objects.filter(mother__unit__path__startswith=root.path)  # type: ignore[attr-defined]
    total = births.count()
    print(
        f"  births {total}: with a father {births.filter(father__isnull=False).count()}, "
        f"with the child's record {births.filter(child__isnull=False).count()}"
    )
    hukou = dict(
        Person.objects.filter(unit__path__startswith=root.path)  # type: ignore[attr-defined]
        .values_list("hukou_type")
        .annotate(n=Count("id"))
        .values_list("hukou_type", "n")
    )
    print(f"  household registration types: {hukou}")


def ensure_benefits_pack(root: object) -> None:
    """A database made before issue 18 holds the default pack without its ``benefits:``
    section (same version number): load the shipped file as a new version."""
    from jisheng.policy.selectors import pack_in_force
    from jisheng.policy.services import PACKS_DIR, pack_load

    pack = pack_in_force(root)  # type: ignore[arg-type]
    if pack is not None and pack.benefits is not None:
        return
    text = (PACKS_DIR / "default-2026.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', 'version: "2026.1-benefits"')
    pack_load(actor=None, text=text, source_name="default-2026.yaml")
    print("  loaded the shipped default pack's benefits (version 2026.1-benefits)")


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from jisheng.benefits.models import Case
    from jisheng.benefits.services_sweep import sweep
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit, User

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    describe(root)
    ensure_benefits_pack(root)
    office = User.objects.select_related("unit").get(username="jsb")
    start, end = datetime.date(args.year, 1, 1), datetime.date(args.year, 12, 31)
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    totals: list[float] = []
    batches = {}
    for _ in range(args.runs):
        total = 0.0
        for kind in KINDS:

            def once(kind: str = kind) -> None:
                batches[kind] = sweep(
                    actor=office, kind=kind, unit=root, period_start=start, period_end=end
                )

            ms = timed(once)
            timings[kind].append(ms)
            total += ms
        totals.append(total)
    for kind, batch in batches.items():
        cases = Case.objects.filter(batch=batch)
        print(
            f"  {kind}: {batch.case_count} cases ({cases.filter(eligible=True).count()} "
            f"eligible), {batch.total_amount} yuan"
        )
    print(f"{'':<42}{'n':>6}{'p50':>10}{'p95':>10}{'max':>10}  target")
    for kind, values in timings.items():
        print(Figure(f"sweep {kind} (county, {args.year})", None, "max", values).row())
    print(Figure("both sweeps (county)", TARGET_MS, "max", totals).row())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
