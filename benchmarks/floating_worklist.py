"""The floating-population worklist of a township on a generated county (issue 17).

    uv run python benchmarks/floating_worklist.py [--persons 1000000] [--database-url URL]
                                                  [--queries 100] [--seed 1] [--workers 0|1]

1. Starts Django like ``registry.py`` (same database choice; use a scratch database —
   one that ``registry.py`` or ``worklist.py`` filled can be reused: its persons are
   kept), loads the demo organisation and generates ``--persons`` persons unless they
   are there.
2. Generates the floating population (``jisheng.floating.synthetic.generate_floating``:
   rental properties, arrivals, tenants not registered yet, people away, sweeps,
   notifications) unless the county has it — timed, the first figure when it runs.
3. Picks the township with the most in-migrants (arrivals) and its village or community
   with the most, and logs in as a township office user (计生办) and a village field user
   (专干) of them (created once: ``fl-office-<code>``, ``fl-field-<code>``).
4. Times, ``--queries`` times each, interleaved:
   - the worklist page ``GET /services/worklist/`` (whole Django stack, test client) of
     both users — target p95 ≤ 300 ms (issue 17);
   - each registered worklist source's ``collect`` alone for the township office (the
     kinds of the floating population and the exchange start ``floating_`` and
     ``exchange_``), so that a slow source shows by name.
5. Prints n, p50, p95, max (ms; the generation in seconds), target and PASS/FAIL.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import Figure, generate, timed, with_django

PAGE_TARGET_MS = 300
PASSWORD = "Bench-pass-2026!"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    return with_django(args, run)


def _login(username: str, unit: object, role: str) -> object:
    from jisheng.orgs import services
    from jisheng.orgs.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            actor=None, username=username, unit=unit, roles=[role], password=PASSWORD
        )
    return user


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from jisheng.core.registry import worklist_sources
    from jisheng.floating.choices import ArrivalStatus
    from jisheng.floating.models import Arrival, Outflow
    from jisheng.floating.synthetic import generate_floating, generated_floating
    from jisheng.orgs.choices import Role, UnitType
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit
    from jisheng.services import selectors

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    today = timezone.localdate()
    figures: list[Figure] = []
    if generated_floating(root):
        print("  floating population: reused")
    else:
        made = generate_floating(root=root, seed=args.seed, today=today)
        print(
            f"  floating population generated in {made.seconds:.1f} s: "
            + ", ".join(f"{n} {label}" for label, n in made.tables.items())
        )
        target_s = 300 * args.persons / 1_000_000
        figures.append(
            Figure("generate the floating population (s)", target_s, "max", [made.seconds])
        )

    townships = list(
        Unit.objects.filter(
            path__startswith=root.path, unit_type__in=[UnitType.TOWNSHIP, UnitType.STREET]
        ).order_by("path")
    )
    counts = {
        t.pk: Arrival.objects.filter(unit__path__startswith=t.path).count() for t in townships
    }
    town = max(townships, key=lambda t: (counts[t.pk], -t.pk))
    villages = list(
        Unit.objects.filter(
            path__startswith=town.path,
            depth=town.depth + 1,
            unit_type__in=[UnitType.VILLAGE, UnitType.COMMUNITY],
        )
    )
    village = max(
        villages,
        key=lambda v: (Arrival.objects.filter(unit__path__startswith=v.path).count(), -v.pk),
    )
    office = _login(f"fl-office-{town.code}", town, Role.OFFICE)
    field = _login(f"fl-field-{village.code}", village, Role.FIELD)
    in_town = Arrival.objects.filter(unit__path__startswith=town.path)
    print(
        f"  township {town.name} ({town.code}): {in_town.count()} arrivals, "
        f"{in_town.filter(status=ArrivalStatus.REPORTED).count()} not registered, "
        f"{Outflow.objects.filter(unit__path__startswith=town.path).count()} people away; "
        f"village {village.name} ({village.code})"
    )

    url = reverse("services:worklist")
    clients: dict[str, Client] = {}
    for name, user in (("office", office), ("field", field)):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        clients[name] = client

    def page(name: str) -> None:
        response = clients[name].get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        response.content  # noqa: B018

    cases: list[tuple[str, float | None, Callable[[], object]]] = [
        ("worklist page, township office", PAGE_TARGET_MS, lambda: page("office")),
        ("worklist page, village 专干", PAGE_TARGET_MS, lambda: page("field")),
    ]
    for source in worklist_sources():
        if source.permission and not office.has_perm(source.permission):  # type: ignore[attr-defined]
            continue
        cases.append(
            (
                f"  collect {source.kind}",
                None,
                lambda s=source: s.collect(office, unit=town, today=today, limit=20),
            )
        )
    for _label, _target, fn in cases:  # warm-up
        for _ in range(3):
            fn()
    timings: list[list[float]] = [[] for _ in cases]
    for _ in range(args.queries):
        for k, (_label, _target, fn) in enumerate(cases):
            timings[k].append(timed(fn))
    figures += [
        Figure(label, target, "p95", values)
        for (label, target, _fn), values in zip(cases, timings, strict=True)
    ]
    work = selectors.worklist(office, unit=town, today=today)
    print()
    print(
        f"{args.persons} persons on {connection.vendor}; the township's worklist: "
        + ", ".join(f"{g.kind} {g.count}" for g in work.groups if g.count)
        + "; milliseconds (the generation: seconds)"
    )
    header = f"{'figure':<42}{'n':>6}{'p50':>10}{'p95':>10}{'max':>10}  {'target':<14}{'':<6}"
    print(header)
    print("-" * len(header))
    for figure in figures:
        print(figure.row())
    return 0 if all("FAIL" not in f.row() for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
