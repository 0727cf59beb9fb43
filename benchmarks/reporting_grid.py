"""The status grid of report submissions (报表上报情况) on a generated county (issue 15).

    uv run python benchmarks/reporting_grid.py [--persons 1000000] [--database-url URL]
                                               [--period 2026-11] [--queries 50] [--seed 1]

1. Starts Django like ``registry.py`` (same database choice; a database that
   ``registry.py`` or ``indicators.py`` filled can be reused), loads the demo organisation
   and generates ``--persons`` persons unless they are there (the units of the county
   grow with them: ≈18,000 at 1,000,000 persons).
2. Creates in bulk one submission of a monthly form for every unit of the county for the
   period (``--period``, default last month) with a spread of statuses (draft, checked,
   submitted, approved, returned; one unit in eight not started), unless they are there.
   The form is the first monthly form in ``registry["statforms"]``, or a stand-in of
   this script when none is registered (its deadline: the 5th of the next month).
3. Times **the county's grid page** for that form and period with the test client,
   signed in as the county office (``jsb``): ``--queries`` runs after a warm-up; target
   p95 ≤ 300 ms. Also the township's grid (a township with the most units).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import Figure, generate, timed, with_django

TARGET_MS = 300
BENCH_KEY = "bench_monthly"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--period", default="", help="2026-11 (default: last month)")
    parser.add_argument("--queries", type=int, default=50, help="timed runs per figure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def monthly_spec() -> Any:
    """The first monthly form registered, or this script's stand-in."""
    from jisheng.core.periods import MONTH
    from jisheng.core.statforms import FormSpec, register_statform, statforms

    for spec in statforms():
        if spec.frequency == MONTH:
            return spec

    def build(unit: Any, period: Any) -> Any:
        raise NotImplementedError("the grid does not build the form")

    return register_statform(
        FormSpec(
            key=BENCH_KEY,
            title="基准测试月报",
            frequency=MONTH,
            build=build,
            deadline=lambda unit, period: period.last + datetime.timedelta(days=5),
            source="benchmarks",
        )
    )


def fill(root: Any, spec: Any, period: Any, seed: int) -> tuple[int, int]:
    """One submission per unit (one in eight left not started); (created, units)."""
    from django.utils import timezone

    from jisheng.orgs.models import Unit
    from jisheng.reporting.models import Submission
    from jisheng.reporting.models import SubmissionStatus as S

    units = list(Unit.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
    existing = Submission.objects.filter(form_key=spec.key, period_code=period.code)
    if existing.exists():
        return 0, len(units)
    rng = random.Random(seed)
    deadline = spec.deadline(root, period)
    now = timezone.now()
    statuses = [S.DRAFT, S.CHECKED, S.SUBMITTED, S.APPROVED, S.APPROVED, S.APPROVED, S.RETURNED]
    rows = []
    for pk in units:
        if rng.random() < 0.125:
            continue
        status = rng.choice(statuses)
        sent = status in (S.SUBMITTED, S.APPROVED)
        rows.append(
            Submission(
                unit_id=pk,
                form_key=spec.key,
                form_version=spec.version,
                period_code=period.code,
                first=period.first,
                last=period.last,
                status=status,
                deadline=deadline,
                submitted_at=now - datetime.timedelta(hours=rng.randrange(1, 400))
                if sent
                else None,
                approved_at=now if status == S.APPROVED else None,
            )
        )
    Submission.objects.bulk_create(rows, batch_size=5000)
    return len(rows), len(units)


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from jisheng.core import periods
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit, User

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    spec = monthly_spec()
    if args.period:
        period = periods.parse(args.period)
    else:
        period = periods.containing(timezone.localdate(), periods.MONTH).previous()
    created, units = fill(root, spec, period, args.seed)
    print(f"  form {spec.key}, period {period.code}: {units} units, {created} submissions created")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reporting_submission")

    user = User.objects.get(username="jsb")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("reporting:grid")
    width = len(root.path) + Unit.steplen
    biggest = (
        Unit.objects.filter(path__startswith=root.path, depth__gt=root.depth)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    township = Unit.objects.get(path=biggest["prefix"]) if biggest else root

    def get(unit: Any) -> None:
        response = client.get(url, {"form": spec.key, "period": period.code, "unit": unit.code})
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        response.content  # noqa: B018

    figures = []
    for label, unit in (("grid page: the county", root), ("grid page: a township", township)):
        get(unit)  # warm-up
        timings = [timed(lambda u=unit: get(u)) for _ in range(args.queries)]
        figures.append(Figure(label, TARGET_MS, "p95", timings, f"{unit.name}"))
    print(f"{'figure':<42}{'runs':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  target")
    for figure in figures:
        print(figure.row())
    failed = [f for f in figures if f.row().find("FAIL") >= 0]
    print("FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
