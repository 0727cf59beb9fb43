"""Period locks and "the past stays put" on a generated county (issue 15).

    uv run python benchmarks/locks.py [--persons 1000000] [--database-url URL]
                                      [--queries 200] [--seed 1]

1. Starts Django like ``registry.py`` (use a scratch database: this benchmark loads a
   policy pack version, and versions are never deleted), loads the demo organisation,
   generates ``--persons`` persons and their methods and visits unless they are there.
2. Times, with the figures the issue's schedules must keep (issue 4's target):
   - **rebuild all schedules, one pack version**: ``schedules_rebuild_all()`` from an
     empty table (≤ 60 s);
   - **rebuild all schedules, two versions**: after loading a new version of the default
     pack effective this July (the pill every 3 months instead of every month), from an
     empty table again: each item follows the version in force on its due date
     (≤ 60 s), and **last year's visits due are the same rows** as under one version
     (checked, PASS/FAIL);
   - **the lock's check**: ``locks.closure_on`` for random persons' units and days with a
     closed month for every village (p95 ≤ 5 ms) — the one query every dated write adds;
   - **a visit entered late**: ``followup.visit_record`` dated in a closed month with a
     reason (the late entry stored; p95 ≤ 50 ms, the incremental target of issue 4),
     and the same on an open day of this month for comparison.
3. Prints n, p50, p95, max (ms), target and PASS/FAIL.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import Figure, generate, timed, with_django


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def _last_year_rows(year: int) -> set[tuple]:
    from jisheng.services.models import FollowUpDue

    return set(
        FollowUpDue.objects.filter(due_on__year=year).values_list(
            "person_id", "kind", "method", "starts_on", "due_on"
        )
    )


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.utils import timezone

    from jisheng.core import locks
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit
    from jisheng.people.models import Person
    from jisheng.policy.services import PACKS_DIR, pack_load
    from jisheng.services import followup
    from jisheng.services.models import ContraceptionRecord, FollowUpDue
    from jisheng.services.synthetic import generate_services

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    today = timezone.localdate()
    if not ContraceptionRecord.objects.filter(unit__path__startswith=root.path).exists():
        made = generate_services(root=root, seed=args.seed, end=today)
        print(f"  services generated: {made.methods} method records, {made.visits} visits")

    cutoff = datetime.date(today.year, 7, 1) if today.month > 7 else today.replace(day=1)
    text = (PACKS_DIR / "default-2026.yaml").read_text(encoding="utf-8")
    new_version = (
        text.replace("pill: {every_months: 1}", "pill: {every_months: 3}")
        .replace('version: "2026.1"', f'version: "bench-{cutoff.isoformat()}"')
        .replace("effective_from: 2026-01-01", f"effective_from: {cutoff.isoformat()}")
    )
    from jisheng.policy.models import PolicyPackVersion

    two_versions_already = PolicyPackVersion.objects.filter(
        version=f"bench-{cutoff.isoformat()}"
    ).exists()
    figures: list[Figure] = []
    last_year = today.year - 1
    if not two_versions_already:
        FollowUpDue.objects.all().delete()
        started = time.perf_counter()
        items = followup.schedules_rebuild_all(today=today)
        one = time.perf_counter() - started
        print(f"  one version: {items} visits due")
        figures.append(
            Figure("rebuild all schedules, one pack version", 60_000, "max", [one * 1000])
        )
        before = _last_year_rows(last_year)
        pack_load(actor=None, text=new_version)
    else:
        print("  the second version was loaded by an earlier run: no one-version figure")
        before = None
    FollowUpDue.objects.all().delete()
    started = time.perf_counter()
    items = followup.schedules_rebuild_all(today=today)
    two = time.perf_counter() - started
    print(f"  two versions (the second from {cutoff}): {items} visits due")
    figures.append(Figure("rebuild all schedules, two versions", 60_000, "max", [two * 1000]))
    if before is not None:
        after = _last_year_rows(last_year)
        same = after == before
        print(
            f"  last year's visits due: {len(before)} under one version, {len(after)} under "
            f"two, identical: {'PASS' if same else 'FAIL'}"
        )
        if not same:
            figures.append(Figure("last year's visits due unchanged", 0, "max", [1.0]))

    # a closed month (last month) for every village
    last = today.replace(day=1) - datetime.timedelta(days=1)
    first = last.replace(day=1)
    villages = list(Unit.objects.filter(path__startswith=root.path, unit_type="village"))
    for village in villages:
        locks.close(unit=village, first=first, last=last, source=village, actor=None)
    rng = random.Random(args.seed)
    persons = list(
        Person.objects.filter(unit__path__startswith=root.path, sex="F", status="registered")
        .select_related("unit")
        .order_by("?")[: args.queries]
    )
    days = [first + datetime.timedelta(days=rng.randrange(0, last.day)) for _ in persons]
    checks = [
        timed(lambda p=p, d=d: locks.closure_on(p.unit, d))
        for p, d in zip(persons, days, strict=True)
    ]
    figures.append(Figure("the lock's check (closure_on)", 5, "p95", checks))
    late = [
        timed(
            lambda p=p, d=d: followup.visit_record(
                actor=None, person=p, visited_on=d, way="home", late_reason="benchmark 补报"
            )
        )
        for p, d in zip(persons, days, strict=True)
        if d >= p.birth_date
    ]
    open_days = [
        today - datetime.timedelta(days=rng.randrange(0, max(today.day, 1))) for _ in persons
    ]
    usual = [
        timed(
            lambda p=p, d=d: followup.visit_record(actor=None, person=p, visited_on=d, way="home")
        )
        for p, d in zip(persons, open_days, strict=True)
        if d >= p.birth_date
    ]
    figures.append(Figure("a visit on an open day (for comparison)", 50, "p95", usual))
    figures.append(Figure("a visit entered late (with its late entry)", 50, "p95", late))
    print(f"  {len(villages)} villages closed for {first}–{last}")

    print()
    header = (
        f"{'figure':<42}{'n':>6}{'p50':>10}{'p95':>10}{'max':>10}  {'target (ms)':<14}{'':<6}note"
    )
    print(header)
    print("-" * len(header))
    for figure in figures:
        print(figure.row())
    return 0 if all("FAIL" not in f.row() for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
