"""The registry's figures on a generated county (issue 3).

    uv run python benchmarks/registry.py [--persons 1000000] [--database-url URL]
                                         [--queries 200] [--seed 1] [--workers 0|1]
                                         [--explain]

1. Starts Django with the base settings on ``--database-url`` (or
   ``JISHENG_DATABASE_URL``), else on a temporary SQLite file under a temporary
   ``JISHENG_VAR_DIR`` (removed at the end). Use a scratch database: the demo county,
   its logins and the generated persons stay.
2. Migrates, loads the demo organisation (示范县, ``jisheng.orgs.demo``) and generates
   ``--persons`` persons into it with ``jisheng.people.bulk.generate_persons`` — timed:
   that is the first figure — unless the persons of ``--seed`` are there already with
   that count (then they are reused and the figure says so).
3. Times, as the county's 计生办 login ``jsb`` (a non-superuser, so the data-scope
   filter applies), ``--queries`` times each, interleaved so that the machine's load
   falls on all alike:
   - search (``people.search.person_search``, first page of 50 and the count, as the
     list page does) by a person's full name, by pinyin initials, by full pinyin and by
     ID number, each query taken from a different random person;
   - the person list page ``GET /people/`` (Django test client, the whole stack) and
     the same page searching a name;
   - the count of 已婚育龄妇女 of the whole county on a random past date inside the ten
     generated years: ``people.selectors.wra_as_of(user=…, day=…, married=True).count()``
     (``--explain`` prints its PostgreSQL plan with EXPLAIN ANALYZE).
4. Prints p50 / p95 / max in milliseconds, the target and PASS/FAIL per figure.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PAGE = 50


def with_django(args: argparse.Namespace, run: Callable[[argparse.Namespace], int]) -> int:
    """Start Django on ``args.database_url`` (else a temporary SQLite file), run the
    benchmark, then close the connections and remove the temporary directory: the
    ``main()`` of every benchmark."""
    warnings.filterwarnings("ignore", message="No directory at")
    tmp = _setup_django(args.database_url)
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if tmp is not None:
            tmp.cleanup()


def _setup_django(database_url: str | None) -> tempfile.TemporaryDirectory | None:
    tmp = None
    if database_url:
        os.environ["JISHENG_DATABASE_URL"] = database_url
    else:
        os.environ.pop("JISHENG_DATABASE_URL", None)
    if not database_url:
        tmp = tempfile.TemporaryDirectory(prefix="jisheng-bench-")
        os.environ["JISHENG_VAR_DIR"] = tmp.name
    elif not os.environ.get("JISHENG_VAR_DIR"):
        # A database kept between runs needs the same keys (ID numbers are encrypted
        # with the field key of the var directory): one directory per database.
        name = database_url.rstrip("/").rsplit("/", 1)[-1] or "default"
        var = ROOT / "var" / "bench" / name
        var.mkdir(parents=True, exist_ok=True)
        os.environ["JISHENG_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jisheng.settings.base"
    os.environ.setdefault("JISHENG_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Pages render without collected static files (no manifest needed).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0, interactive=False)
    return tmp


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Figure:
    label: str
    target_ms: float | None
    on: str  # "p95" or "max"
    timings: list[float]
    note: str = ""

    def row(self) -> str:
        p50 = percentile(self.timings, 0.5)
        p95 = percentile(self.timings, 0.95)
        worst = max(self.timings)
        value = p95 if self.on == "p95" else worst
        if self.target_ms is None:
            verdict, target = "", "-"
        else:
            verdict = "PASS" if value <= self.target_ms else "FAIL"
            target = f"{self.on} ≤ {self.target_ms:g}"
        return (
            f"{self.label:<42}{len(self.timings):>6}{p50:>10.1f}{p95:>10.1f}{worst:>10.1f}"
            f"  {target:<14}{verdict:<6}{self.note}"
        )


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def generate(args: argparse.Namespace, root: Any) -> tuple[str, float | None, str]:
    from jisheng.people.bulk import GenerateError, generate_persons, generated_count

    existing = generated_count(root, args.seed)
    if existing == args.persons:
        return "reused", None, f"{existing} persons of seed {args.seed} were there already"
    if existing:
        raise SystemExit(
            f"the database holds {existing} persons of seed {args.seed}, not {args.persons}: "
            "use a fresh database or another --seed"
        )

    def progress(done: int, total: int, seconds: float) -> None:
        if done == total or done % 100000 < 20000:
            print(f"  {done:>9} / {total} persons  {seconds:7.1f} s", flush=True)

    cpu = time.process_time()
    try:
        result = generate_persons(
            root=root,
            count=args.persons,
            seed=args.seed,
            workers=args.workers,
            progress=progress,
        )
    except GenerateError as exc:
        raise SystemExit(str(exc)) from exc
    cpu = time.process_time() - cpu
    note = (
        f"{result.persons} persons, {result.events} events, {result.periods} periods, "
        f"{result.households} households; writing rows {result.write_seconds:.0f} s, "
        f"building indexes {result.index_seconds:.0f} s, CPU of this process {cpu:.0f} s"
    )
    return "generated", result.seconds, note


def sample_people(root: Any, count: int, seed: int) -> list[Any]:
    """``count`` random persons of the county (with an ID number)."""
    from django.db.models import Max, Min

    from jisheng.people.models import Person

    persons = Person.objects.filter(unit__path__startswith=root.path).exclude(id_hash="")
    bounds = persons.aggregate(low=Min("id"), high=Max("id"))
    rng = random.Random(seed)
    chosen: list[Any] = []
    while len(chosen) < count:
        pick = rng.randint(bounds["low"], bounds["high"])
        person = persons.filter(id__gte=pick).order_by("id").first()
        if person is not None:
            chosen.append(person)
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--queries", type=int, default=200, help="timed runs per figure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    parser.add_argument("--wra-dates", type=int, default=40, help="past dates for the WRA count")
    parser.add_argument("--explain", action="store_true", help="print the WRA count's plan")
    args = parser.parse_args(argv)
    if args.persons < 1000 or args.queries < 1:
        parser.error("--persons must be at least 1000 and --queries at least 1")

    return with_django(args, run)


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from jisheng.core import crypto
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit, User
    from jisheng.people import selectors
    from jisheng.people.synthetic import window_start

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    user = User.objects.get(username="jsb")
    how, seconds, note = generate(args, root)
    print(f"  {how}: {note}")

    from jisheng.core.pinyin import given_name
    from jisheng.people.search import person_search as search

    village_user = User.objects.get(username="zhuangan")  # 专干 of one village
    people = sample_people(root, args.queries, args.seed)
    numbers = [crypto.decrypt(p.id_number_encrypted) for p in people]
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    list_url = reverse("people:person_list")
    end = datetime.date.today()
    start = window_start(end)
    rng = random.Random(args.seed)
    days = [
        start + datetime.timedelta(days=rng.randrange((end - start).days))
        for _ in range(args.wra_dates)
    ]

    def search_page(q: str, as_user: Any = user) -> None:
        qs = search(user=as_user, q=q)
        list(qs[:PAGE])
        qs.count()

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        response.content  # noqa: B018

    def post_search(q: str) -> None:
        """The search form as a browser sends it (issue 13: no ID or name in a URL): POST,
        303 to the list under an opaque token, GET of that page."""
        response = client.post(list_url, {"q": q}, follow=True)
        if response.status_code != 200 or len(response.redirect_chain) != 1:
            raise SystemExit(f"POST {list_url}: HTTP {response.status_code}")

    cases: list[tuple[str, float, str, Callable[[int], None]]] = [
        ("search: full name", 100, "p95", lambda i: search_page(people[i].name)),
        (
            "search: pinyin initials",
            100,
            "p95",
            lambda i: search_page(people[i].name_initials.split()[0]),
        ),
        (
            "search: full pinyin",
            100,
            "p95",
            lambda i: search_page(people[i].name_pinyin.split()[0]),
        ),
        ("search: given name alone", 100, "p95", lambda i: search_page(given_name(people[i].name))),
        (
            "search: 2 letters of initials",
            100,
            "p95",
            lambda i: search_page(people[i].name_initials[:2]),
        ),
        (
            "search: initials, village 专干",
            100,
            "p95",
            lambda i: search_page(people[i].name_initials.split()[0], village_user),
        ),
        ("search: ID number", 100, "p95", lambda i: search_page(numbers[i])),
        ("list page GET /people/", 300, "p95", lambda i: get(list_url)),
        (
            "list page searching a name (POST, 303, GET)",
            300,
            "p95",
            lambda i: post_search(people[i].name),
        ),
    ]
    for _label, _target, _on, fn in cases:  # warm-up
        for i in range(min(5, args.queries)):
            fn(i)
    timings: list[list[float]] = [[] for _ in cases]
    for i in range(args.queries):
        for k, (_label, _target, _on, fn) in enumerate(cases):
            timings[k].append(timed(lambda fn=fn, i=i: fn(i)))

    wra = [
        timed(lambda d=day: selectors.wra_as_of(user=user, day=d, married=True).count())
        for day in days
    ]
    sample_count = selectors.wra_as_of(user=user, day=days[0], married=True).count()

    figures = []
    if seconds is not None:
        limit = 300 if connection.vendor == "postgresql" else 180
        target = limit * args.persons / 1_000_000
        figures.append(
            Figure(f"generate + load {args.persons} persons (s)", target, "max", [seconds])
        )
    for (label, target, on, _fn), values in zip(cases, timings, strict=True):
        figures.append(Figure(label, target, on, values))
    figures.append(
        Figure(
            "married WRA count, county, past date",
            1000,
            "max",
            wra,
            f"e.g. {sample_count} on {days[0]}",
        )
    )

    print()
    print(
        f"{args.persons} generated persons on {connection.vendor}; "
        "milliseconds (the first row: seconds)"
    )
    header = f"{'figure':<42}{'n':>6}{'p50':>10}{'p95':>10}{'max':>10}  {'target':<14}{'':<6}"
    print(header)
    print("-" * len(header))
    for figure in figures:
        print(figure.row())
    if how == "reused":
        print("(generate + load: not measured, the persons were reused)")

    if args.explain and connection.vendor == "postgresql":
        qs = selectors.wra_as_of(user=user, day=days[0], married=True).order_by().values("id")
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) AS t", params)
            print()
            print("\n".join(row[0] for row in cursor.fetchall()))
    return 0 if all("FAIL" not in f.row() for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
