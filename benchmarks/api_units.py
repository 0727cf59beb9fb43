"""Latency of ``GET /api/v1/units`` on a large organisation tree.

    uv run python benchmarks/api_units.py [--units 5000] [--small 500] [--requests 200]

Builds a tree of ``--units`` units (county → townships → villages → association
groups) and, for comparison, one of ``--small`` units, then times, with Django's test
client and a bearer token of a county-level user (so the data-scope filter applies):

- ``GET /api/v1/units``                 (the default page)
- ``GET /api/v1/units?page_size=500``   (the largest page)
- ``GET /api/v1/units?parent=<township>`` (the direct children of a township)

and prints p50 / p95 / mean in milliseconds for each, and the large/small ratio (machines
are noisy; the ratio says how the cost grows with the tree).

The database is a temporary SQLite file under a temporary ``JISHENG_VAR_DIR`` unless
``JISHENG_DATABASE_URL`` is set; then that database is used (migrated first), the
benchmark's trees (codes 990198…/990199…) are removed afterwards, and the audit rows of
its tokens stay, since the audit log is append-only: point it at a scratch database.
The tree is written with ``bulk_create`` and computed paths: building it is not what is
measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TOWNSHIP_SIZE = 125  # units per township on average (1 township + 20 villages + groups)
VILLAGES_PER_TOWNSHIP = 20
SMALL_ROOT = "990198"
LARGE_ROOT = "990199"


def _setup_django(database_url: str | None) -> tempfile.TemporaryDirectory | None:
    """Configure settings before Django starts; returns the temp dir to clean up."""
    tmp = None
    if not database_url:
        tmp = tempfile.TemporaryDirectory(prefix="jisheng-bench-")
        os.environ["JISHENG_VAR_DIR"] = tmp.name
        os.environ.pop("JISHENG_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jisheng.settings.base"
    os.environ.setdefault("JISHENG_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return tmp


# --- building the tree -------------------------------------------------------------------


def tree_shape(units: int) -> tuple[int, int, list[int]]:
    """(townships, villages per township, groups per village) for ``units`` units."""
    townships = max(1, round(units / TOWNSHIP_SIZE))
    villages = VILLAGES_PER_TOWNSHIP
    while villages > 0 and 1 + townships * (1 + villages) > units:
        villages -= 1
    village_count = townships * villages
    rest = max(0, units - 1 - townships - village_count)
    if village_count == 0:
        return townships, 0, []
    base, extra = divmod(rest, village_count)
    return townships, villages, [base + (1 if i < extra else 0) for i in range(village_count)]


def build_tree(units: int, county: str):
    """Bulk-create a county of ``units`` units under code ``<county>000000``; returns the
    county unit and the code of its first township."""
    from jisheng.orgs.models import Unit

    townships, villages, groups = tree_shape(units)
    last_root = Unit.objects.get_last_root_node()
    step = (Unit._str2int(last_root.path[: Unit.steplen]) + 1) if last_root else 1
    rows: list[Unit] = []

    def node(path: str, depth: int, code: str, name: str, unit_type: str, numchild: int):
        rows.append(
            Unit(
                path=path, depth=depth, numchild=numchild, code=code, name=name, unit_type=unit_type
            )
        )

    county_path = Unit._get_path(None, 1, step)
    node(county_path, 1, f"{county}000000", f"基准县{county}", "county", townships)
    village_index = 0
    for t in range(1, townships + 1):
        t_path = Unit._get_path(county_path, 2, t)
        t_code = f"{county}{t:03d}000"
        node(t_path, 2, t_code, f"第{t}镇", "township", villages)
        for v in range(1, villages + 1):
            v_path = Unit._get_path(t_path, 3, v)
            v_code = f"{county}{t:03d}{v:03d}"
            n_groups = groups[village_index]
            village_index += 1
            node(v_path, 3, v_code, f"第{t}镇{v}村", "village", n_groups)
            for g in range(1, n_groups + 1):
                node(
                    Unit._get_path(v_path, 4, g),
                    4,
                    f"{v_code}-{g:02d}",
                    f"第{t}镇{v}村协会{g}组",
                    "group",
                    0,
                )
    Unit.objects.bulk_create(rows, batch_size=1000)
    return Unit.objects.get(code=f"{county}000000"), f"{county}001000"


def remove_tree(county_unit) -> None:
    from jisheng.core.models import ApiToken
    from jisheng.orgs.models import Unit, User

    users = User.objects.filter(unit__path__startswith=county_unit.path)
    ApiToken.objects.filter(user__in=users).delete()
    users.delete()
    Unit.objects.filter(path__startswith=county_unit.path).delete()


# --- measuring ---------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    p50: float
    p95: float
    mean: float
    items: int
    count: int


@dataclass
class Tree:
    size: int
    county: Any
    township: str
    headers: dict[str, str]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def prepare(units: int, county: str) -> Tree:
    """Build one tree and a county-level user (role 系统管理员) with a token."""
    from jisheng.core.tokens import token_create
    from jisheng.orgs import services
    from jisheng.orgs.models import Unit

    existing = Unit.objects.filter(code=f"{county}000000").first()
    if existing is not None:
        remove_tree(existing)
    started = time.perf_counter()
    county_unit, township = build_tree(units, county)
    built = time.perf_counter() - started
    total = Unit.objects.filter(path__startswith=county_unit.path).count()
    user = services.user_create(
        actor=None,
        username=f"bench{county}",
        unit=county_unit,
        roles=["admin"],
        password="Bench-pass-2026!",
    )
    _token, secret = token_create(actor=None, user=user, name="benchmark")
    print(f"  built a tree of {total} units in {built:.2f} s", flush=True)
    return Tree(total, county_unit, township, {"Authorization": f"Bearer {secret}"})


def _timed_get(client: Any, path: str, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    response = client.get(path, headers=headers)
    response.content  # noqa: B018  (the body is part of the cost)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code} {response.content[:300]!r}")
    return elapsed


def _result(label: str, timings: list[float], body: dict[str, Any]) -> Result:
    return Result(
        label,
        percentile(timings, 0.5),
        percentile(timings, 0.95),
        statistics.fmean(timings),
        len(body["items"]),
        body["count"],
    )


def measure_pair(
    client: Any, small: Tree, large: Tree, label: str, query: str, requests: int
) -> tuple[Result, Result]:
    """Time one case on both trees, alternating the requests so that the load of a shared
    machine falls on both alike."""
    trees = (small, large)
    paths = ["/api/v1/units" + query.format(township=tree.township) for tree in trees]
    bodies = []
    for tree, path in zip(trees, paths, strict=True):
        bodies.append(client.get(path, headers=tree.headers).json())
        for _ in range(min(10, requests)):  # warm-up
            _timed_get(client, path, tree.headers)
    timings: list[list[float]] = [[], []]
    for i in range(requests):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for k in order:
            timings[k].append(_timed_get(client, paths[k], trees[k].headers))
    return _result(label, timings[0], bodies[0]), _result(label, timings[1], bodies[1])


CASES = [
    ("default page", ""),
    ("page_size=500", "?page_size=500"),
    ("parent=<township>", "?parent={township}"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5000, help="size of the large tree")
    parser.add_argument("--small", type=int, default=500, help="size of the comparison tree")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    args = parser.parse_args(argv)
    if args.units < 2 or args.small < 2 or args.requests < 1:
        parser.error("--units and --small must be at least 2, --requests at least 1")

    warnings.filterwarnings("ignore", message="No directory at")  # no collected static files
    database_url = os.environ.get("JISHENG_DATABASE_URL")
    tmp = _setup_django(database_url)
    try:
        from django.db import connection
        from django.test import Client

        from jisheng.orgs.roles import sync_role_groups

        source = "JISHENG_DATABASE_URL" if database_url else "a temporary SQLite file"
        print(f"database: {connection.vendor} ({source})")
        sync_role_groups()
        small = prepare(args.small, SMALL_ROOT)
        large = prepare(args.units, LARGE_ROOT)
        client = Client(SERVER_NAME="localhost")
        results = []
        try:
            for label, query in CASES:
                results.append(measure_pair(client, small, large, label, query, args.requests))
        finally:
            remove_tree(small.county)
            remove_tree(large.county)
    finally:
        from django.db import connections

        connections.close_all()
        if tmp is not None:
            tmp.cleanup()

    print()
    print(
        f"GET /api/v1/units: milliseconds over {args.requests} requests per case and tree, "
        f"large = {large.size} units, small = {small.size} units (alternating)"
    )
    header = (
        f"{'case':<19}{'items':>6}{'count':>7}{'p50':>8}{'p95':>8}{'mean':>8}"
        f"{'small p50':>11}{'small p95':>11}{'p50 ratio':>11}"
    )
    print(header)
    print("-" * len(header))
    for little, big in results:
        ratio = big.p50 / little.p50 if little.p50 else float("nan")
        print(
            f"{big.label:<19}{big.items:>6}{big.count:>7}{big.p50:>8.2f}{big.p95:>8.2f}"
            f"{big.mean:>8.2f}{little.p50:>11.2f}{little.p95:>11.2f}{ratio:>11.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
