"""Follow-up schedules and the worklist on a generated county (issue 4's figures).

    uv run python benchmarks/worklist.py [--persons 1000000] [--database-url URL]
                                         [--queries 100] [--seed 1]

1. Starts Django like ``registry.py`` (same database choice; use a scratch database —
   the one ``registry.py`` filled can be reused: its persons are kept), loads the demo
   organisation and generates ``--persons`` persons unless they are there.
2. Gives the married women 15–49 methods and visits (``services.synthetic``) unless the
   county has method records already (not a figure: printed for information).
3. Times, as the issue asks:
   - **build all schedules from scratch**: ``schedules_rebuild_all()`` after deleting
     every visit due (target ≤ 60 s);
   - **incremental update after one visit**: ``followup.visit_record`` for a random
     married woman, which stores the visit and rebuilds her schedule (p95 ≤ 50 ms);
   - **the worklist page** ``GET /services/worklist/`` of the village 专干 ``zhuangan``
     (柳河村, p95 ≤ 200 ms) and of the township office ``zhen`` (青石镇, p95 ≤ 500 ms),
     whole Django stack, interleaved; and ``selectors.worklist`` alone for both.
4. Prints n, p50, p95, max (ms; the first rows in seconds), target and PASS/FAIL.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit, User
    from jisheng.people.choices import MARRIED_STATUSES
    from jisheng.people.models import Person
    from jisheng.services import followup, selectors
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
        print(
            f"  services generated: {made.women} married women, {made.methods} method "
            f"records, {made.visits} visits in {made.seconds:.0f} s"
        )
    married = Person.objects.filter(
        unit__path__startswith=root.path,
        sex="F",
        marital_status__in=MARRIED_STATUSES,
        status__in=["registered", "in_migrant"],
    )
    married_count = married.count()
    youngest = today.replace(year=today.year - 15)
    oldest = today.replace(year=today.year - 50, day=min(today.day, 28))
    married_wra = married.filter(birth_date__gt=oldest, birth_date__lte=youngest).count()

    FollowUpDue.objects.all().delete()
    started = time.perf_counter()
    cpu = time.process_time()
    items = followup.schedules_rebuild_all(today=today)
    rebuild = time.perf_counter() - started
    cpu = time.process_time() - cpu
    print(f"  rebuilt: {items} visits due, CPU of this process {cpu:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) services_followupdue")
            cursor.execute("ANALYZE services_followupvisit")

    rng = random.Random(args.seed)
    with_items = list(
        FollowUpDue.objects.filter(starts_on__lte=today, done_on=None)
        .values_list("person_id", flat=True)
        .distinct()[:5000]
    )
    sample = [
        Person.objects.get(pk=pk)
        for pk in rng.sample(with_items, min(args.queries, len(with_items)))
    ]
    incremental = [
        timed(
            lambda p=p: followup.visit_record(
                actor=None, person=p, visited_on=today, way="home", notes="benchmark"
            )
        )
        for p in sample
    ]

    village_user = User.objects.get(username="zhuangan")
    town_user = User.objects.get(username="zhen")
    try:
        url = reverse("services:worklist")
    except NoReverseMatch:
        url = None
    clients = {}
    for user in (village_user, town_user):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        clients[user.username] = client

    def page(username: str) -> None:
        response = clients[username].get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        response.content  # noqa: B018

    cases: list[tuple[str, float, Any]] = [
        ("worklist (selector), village 专干", 200, lambda: selectors.worklist(village_user)),
        ("worklist (selector), township office", 500, lambda: selectors.worklist(town_user)),
    ]
    if url is not None:
        cases += [
            ("worklist page, village 专干", 200, lambda: page("zhuangan")),
            ("worklist page, township office", 500, lambda: page("zhen")),
        ]
    for _label, _target, fn in cases:
        for _ in range(3):
            fn()
    timings: list[list[float]] = [[] for _ in cases]
    for _ in range(args.queries):
        for k, (_label, _target, fn) in enumerate(cases):
            timings[k].append(timed(fn))

    village_open = selectors.worklist(village_user).total
    town_open = selectors.worklist(town_user).total
    figures = [
        Figure("build all schedules from scratch", 60_000, "max", [rebuild * 1000]),
        Figure("incremental update after one visit", 50, "p95", incremental),
    ]
    figures += [
        Figure(label, target, "p95", values)
        for (label, target, _fn), values in zip(cases, timings, strict=True)
    ]
    print()
    print(
        f"{args.persons} persons, {married_count} married women ({married_wra} aged 15–49), "
        f"{items} visits due; worklist items: village {village_open}, township {town_open}; "
        "milliseconds"
    )
    header = f"{'figure':<42}{'n':>6}{'p50':>10}{'p95':>10}{'max':>10}  {'target':<14}{'':<6}"
    print(header)
    print("-" * len(header))
    for figure in figures:
        print(figure.row())
    return 0 if all("FAIL" not in f.row() for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
