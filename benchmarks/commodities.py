"""The commodities' figures (issue 6): stock as of a date, a township's stock-status
report, concurrent issues.

    uv run python benchmarks/commodities.py [--database-url URL] [--lines 1000000]
                                            [--years 5] [--townships 35] [--villages 360]
                                            [--repeats 10] [--clients 4] [--seconds 10]
                                            [--seed 1] [--explain]

1. Starts Django with the base settings on ``--database-url`` (or
   ``JISHENG_DATABASE_URL``), else on a temporary SQLite file (removed at the end). Use
   a scratch database (e.g. ``createdb -h 127.0.0.1 -U postgres bench_commodities``):
   what it generates stays, and a second run reuses it.
2. Builds a county (codes ``990196…``) with a county station, ``--townships``
   township warehouses and ``--villages`` village cabinets (~400 stores), the 8 demo
   products, and ``--lines`` ledger lines over ``--years`` years, written in bulk
   (``COPY`` on PostgreSQL) month by month as the keepers would post them: a receipt
   at the county on the 1st, transfers to the townships on the 3rd (received on the
   5th), to the villages on the 8th (received on the 9th), issues to persons from the
   10th to the 28th (first-expiry-first-out, never beyond stock). The invariants hold
   by construction — each card's ``on_hand`` is the sum of its lines, one calculated
   balance per card and day with lines — and are checked afterwards on a sample
   (``selectors.ledger_check`` and the latest balance of each sampled card).
3. Times, ``--repeats`` times after one warm-up:
   (a) stock on hand of every store and product on a random past date
       (``selectors.stock_as_of``), target ≤ 500 ms (``--explain`` prints the plan of
       its query with EXPLAIN ANALYZE on PostgreSQL);
   (b) a township's stock-status report for a random past quarter
       (``reports.stock_status`` of its warehouse and cabinets), target ≤ 1 s;
   (c) ``--clients`` threads (``--processes``: forked processes), each with its own
       database connection, calling
       ``services.issue`` against 8 shared village cabinets for ``--seconds`` seconds:
       issues per second (target ≥ 100), refusals (stock short: the expected answer),
       and afterwards no negative balance, one line per successful issue and a clean
       ledger check of those stores.
4. Prints p50 / max in milliseconds, the target and PASS/FAIL per figure.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from jisheng.core.periods import month_start, quarter_end, quarter_start  # noqa: E402

COUNTY = "990196000000"
PREFIX = "b6"  # store codes


def _setup_django(database_url: str | None) -> tempfile.TemporaryDirectory | None:
    tmp = None
    if database_url:
        os.environ["JISHENG_DATABASE_URL"] = database_url
    else:
        os.environ.pop("JISHENG_DATABASE_URL", None)
        tmp = tempfile.TemporaryDirectory(prefix="jisheng-bench-")
        os.environ["JISHENG_VAR_DIR"] = tmp.name
    if database_url and not os.environ.get("JISHENG_VAR_DIR"):
        name = database_url.rstrip("/").rsplit("/", 1)[-1] or "default"
        var = ROOT / "var" / "bench" / name
        var.mkdir(parents=True, exist_ok=True)
        os.environ["JISHENG_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jisheng.settings.base"
    os.environ.setdefault("JISHENG_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return tmp


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- the tree


def build_stores(args: argparse.Namespace) -> tuple[Any, Any, list[Any], dict[int, list[Any]]]:
    """The county, its station, the township warehouses and the cabinets of each."""
    from jisheng.commodities.choices import StoreKind
    from jisheng.commodities.models import Store
    from jisheng.orgs import services as org_services
    from jisheng.orgs.models import Unit

    def unit(code: str, name: str, kind: str, parent: Any) -> Any:
        found = Unit.objects.filter(code=code).first()
        return found or org_services.unit_create(
            actor=None, parent=parent, code=code, name=name, unit_type=kind
        )

    def store(u: Any, code: str, name: str, kind: str) -> Any:
        found = Store.objects.filter(code=code).first()
        return found or Store.objects.create(unit=u, code=code, name=name, kind=kind)

    county = unit(COUNTY, "基准县", "county", None)
    station = store(county, f"{PREFIX}-xian", "基准县药具站", StoreKind.COUNTY_STATION)
    towns, cabinets = [], {}
    per_town = [args.villages // args.townships] * args.townships
    for i in range(args.villages % args.townships):
        per_town[i] += 1
    for t in range(args.townships):
        town = unit(f"990196{t + 1:03d}000", f"基准{t + 1}镇", "township", county)
        warehouse = store(
            town, f"{PREFIX}-t{t + 1}", f"基准{t + 1}镇药具库", StoreKind.TOWNSHIP_WAREHOUSE
        )
        towns.append(warehouse)
        cabinets[warehouse.pk] = []
        for v in range(per_town[t]):
            village = unit(
                f"990196{t + 1:03d}{v + 1:03d}", f"基准{t + 1}-{v + 1}村", "village", town
            )
            cabinets[warehouse.pk].append(
                store(
                    village,
                    f"{PREFIX}-t{t + 1}v{v + 1}",
                    f"基准{t + 1}-{v + 1}村药具柜",
                    StoreKind.VILLAGE_CABINET,
                )
            )
    return county, station, towns, cabinets


# --------------------------------------------------------------------------- generation


class Generator:
    """Ledger lines month by month, with their documents, cards and daily balances."""

    def __init__(self, args, station, towns, cabinets, products) -> None:  # type: ignore[no-untyped-def]
        from django.db import connection

        from jisheng.commodities.models import (
            CalculatedStock,
            Document,
            LedgerLine,
            Lot,
            StockCard,
        )
        from jisheng.core.bulkcopy import Table

        self.rng = random.Random(args.seed)
        self.station, self.towns, self.cabinets = station, towns, cabinets
        self.products = products
        self.villages = [c for t in towns for c in cabinets[t.pk]]
        self.documents = Table(
            Document,
            [
                "id", "created_at", "updated_at", "store_id", "kind", "year", "sequence",
                "number", "occurred_on", "supplier", "counterpart_id", "transfer_id",
                "transfer_status", "person_id", "visit_id", "reason", "reverses_id",
                "count_id", "note", "staff_name", "recorded_by_id",
            ],
        )  # fmt: skip
        self.lines = Table(
            LedgerLine,
            [
                "id", "document_id", "card_id", "store_id", "product_id", "lot_id", "kind",
                "occurred_on", "quantity", "sent", "damaged", "reverses_id", "original_kind",
            ],
        )  # fmt: skip
        self.cards = Table(
            StockCard, ["id", "store_id", "product_id", "lot_id", "on_hand", "opened_on"]
        )
        self.balances = Table(CalculatedStock, ["card_id", "day", "on_hand"])
        self.lots = Table(
            Lot, ["id", "created_at", "updated_at", "product_id", "number", "expires_on",
                  "manufacturer"],
        )  # fmt: skip
        with connection.cursor() as cursor:
            self.next_id = {}
            for table in (self.documents, self.lines, self.cards, self.lots):
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table.table}")
                self.next_id[table.table] = cursor.fetchone()[0] + 1
        self.card_ids: dict[tuple[int, int], int] = {}
        self.balance: dict[int, int] = defaultdict(int)
        self.stock: dict[tuple[int, int], deque] = defaultdict(deque)  # FEFO per store×product
        self.sequence: dict[tuple[int, str, int], int] = defaultdict(int)
        self.now = datetime.datetime.now(datetime.UTC)
        self.card_lot: dict[int, int] = {}
        self.count_lines = 0
        self.refused = 0

    def _id(self, table: Any) -> int:
        n = self.next_id[table.table]
        self.next_id[table.table] = n + 1
        return n

    def _document(self, rows, store, kind, day, **extra) -> int:  # type: ignore[no-untyped-def]
        from jisheng.commodities.choices import DOCUMENT_PREFIX

        key = (store.pk, kind, day.year)
        self.sequence[key] += 1
        doc_id = self._id(self.documents)
        number = f"{store.code}-{DOCUMENT_PREFIX[kind]}-{day.year}-{self.sequence[key]:05d}"
        rows.append(
            (
                doc_id, self.now, self.now, store.pk, kind, day.year, self.sequence[key],
                number, day, extra.get("supplier", ""), extra.get("counterpart"),
                extra.get("transfer"), extra.get("status", ""), None, None, "", None,
                None, "", "", None,
            )
        )  # fmt: skip
        return doc_id

    def _post(self, month, store_id, product_id, lot_id, kind, day, doc_id, quantity, sent=None):  # type: ignore[no-untyped-def]
        key = (store_id, lot_id)
        card = self.card_ids.get(key)
        if card is None:
            card = self._id(self.cards)
            self.card_ids[key] = card
            self.card_lot[card] = lot_id
            month["cards"].append((card, store_id, product_id, lot_id, 0, day))
            self.stock[(store_id, product_id)].append(card)
        self.balance[card] += quantity
        month["balances"][(card, day)] = self.balance[card]
        month["lines"].append(
            (
                self._id(self.lines), doc_id, card, store_id, product_id, lot_id, kind, day,
                quantity, sent, 0, None, "",
            )
        )  # fmt: skip
        return card

    def _take(self, store_id: int, product_id: int, quantity: int) -> list[tuple[int, int, int]]:
        """(card, lot, part) FEFO from the store's cards of the product; [] if short."""
        cards = self.stock[(store_id, product_id)]
        while cards and self.balance[cards[0]] <= 0:
            cards.popleft()
        if sum(self.balance[c] for c in cards) < quantity:
            return []
        out, left = [], quantity
        for card in cards:
            part = min(self.balance[card], left)
            if part > 0:
                out.append((card, self.card_lot[card], part))
                left -= part
            if left == 0:
                break
        return out

    def month(
        self, first: datetime.date, end: datetime.date, issues_per_village: int, per_village: int
    ) -> dict:
        from jisheng.commodities.choices import DocumentKind, TransferStatus

        month: dict[str, Any] = {"docs": [], "lines": [], "cards": [], "balances": {}, "lots": []}
        lots = {}
        d1 = first
        for p in self.products:
            lot_id = self._id(self.lots)
            expires = first.replace(year=first.year + 3)
            month["lots"].append(
                (lot_id, self.now, self.now, p.pk, f"B{first:%Y%m}-{p.code}", expires, "基准药业")
            )
            lots[p.pk] = lot_id
        doc = self._document(month["docs"], self.station, DocumentKind.RECEIPT, d1, supplier="省站")
        for p in self.products:
            quantity = per_village * len(self.villages) + self.rng.randint(0, 50)
            self._post(month, self.station.pk, p.pk, lots[p.pk], "receipt", d1, doc, quantity)
        pairs = [(self.station, t, [t], 3, 5) for t in self.towns] + [
            (t, c, [c], 8, 9) for t in self.towns for c in self.cabinets[t.pk]
        ]
        for sender, receiver, _, out_day, in_day in pairs:
            day_out = first + datetime.timedelta(days=out_day - 1)
            day_in = first + datetime.timedelta(days=in_day - 1)
            if day_in > end:
                continue
            size = len(self.cabinets.get(receiver.pk, [])) or 1
            takes = [(p, self._take(sender.pk, p.pk, per_village * size)) for p in self.products]
            if not any(taken for _p, taken in takes):
                self.refused += 1
                continue
            out_doc = self._document(
                month["docs"], sender, DocumentKind.TRANSFER_OUT, day_out,
                counterpart=receiver.pk, status=TransferStatus.RECEIVED,
            )  # fmt: skip
            in_doc = self._document(
                month["docs"], receiver, DocumentKind.TRANSFER_IN, day_in,
                counterpart=sender.pk, transfer=out_doc,
            )  # fmt: skip
            for p, taken in takes:
                for _card, lot, part in taken:
                    self._post(month, sender.pk, p.pk, lot, "transfer_out", day_out, out_doc, -part)
                    self._post(
                        month, receiver.pk, p.pk, lot, "transfer_in", day_in, in_doc, part, part
                    )
        # issues to persons, in day order
        issues = []
        for village in self.villages:
            for _ in range(issues_per_village):
                day = first + datetime.timedelta(days=self.rng.randint(9, 27))
                if day <= end:
                    issues.append((day, village, self.rng.choice(self.products)))
        issues.sort(key=lambda x: x[0])
        for day, village, product in issues:
            taken = self._take(village.pk, product.pk, self.rng.choice((1, 1, 2, 3)))
            if not taken:
                self.refused += 1
                continue
            doc = self._document(month["docs"], village, DocumentKind.ISSUE, day)
            for _card, lot, part in taken:
                self._post(month, village.pk, product.pk, lot, "issue", day, doc, -part)
        return month

    def write(self, month: dict) -> None:
        self.lots.write(month["lots"])
        self.documents.write(month["docs"])
        self.cards.write(month["cards"])
        self.lines.write(month["lines"])
        self.balances.write([(c, d, q) for (c, d), q in month["balances"].items()])
        self.count_lines += len(month["lines"])


def generate(args: argparse.Namespace, station, towns, cabinets) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from django.db import connection, transaction

    from jisheng.commodities.demo import ensure_products
    from jisheng.commodities.models import LedgerLine, StockCard

    products = list(ensure_products().values())
    store_ids = [station.pk] + [t.pk for t in towns] + [c.pk for t in towns for c in cabinets[t.pk]]
    existing = LedgerLine.objects.filter(store_id__in=store_ids).count()
    if existing:
        print(f"reusing {existing:,} ledger lines already generated")
        return 0.0, existing
    started = time.perf_counter()
    gen = Generator(args, station, towns, cabinets, products)
    end = datetime.date.today() - datetime.timedelta(days=1)
    months = args.years * 12
    villages = len(gen.villages)
    other = len(products) * (1 + 2 * len(towns) + 2 * villages)
    issues = max(1, round((args.lines - other * months) / (villages * months)))
    per_village = max(2, round(issues * 1.9 / len(products)) + 1)
    print(
        f"generating {months} months: {len(store_ids)} stores, ~{issues} issues a village "
        f"a month, {per_village} of each product to each village a month"
    )
    with transaction.atomic():
        for m in range(months - 1, -1, -1):
            first = month_start(end, back=m)
            gen.write(gen.month(first, end, issues, per_village))
            if m % 12 == 0:
                print(f"  … {first:%Y-%m}: {gen.count_lines:,} lines")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE commodities_stockcard SET on_hand = s.total FROM ("
                " SELECT card_id, SUM(quantity) AS total FROM commodities_ledgerline"
                " GROUP BY card_id) s WHERE s.card_id = commodities_stockcard.id"
                if connection.vendor == "postgresql"
                else "UPDATE commodities_stockcard SET on_hand = COALESCE((SELECT SUM(quantity)"
                " FROM commodities_ledgerline l WHERE l.card_id = commodities_stockcard.id), 0)"
            )
            cursor.execute(
                "UPDATE commodities_stockcard SET last_moved_on = (SELECT MAX(day)"
                " FROM commodities_calculatedstock b WHERE b.card_id = commodities_stockcard.id)"
            )
            if connection.vendor == "postgresql":
                for table in (gen.documents, gen.lines, gen.cards, gen.lots):
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        f"(SELECT MAX(id) FROM {table.table}))",
                        [table.table],
                    )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"generated {gen.count_lines:,} lines, {StockCard.objects.count():,} cards in "
        f"{seconds:.1f} s ({gen.refused:,} issues refused for want of stock)"
    )
    return seconds, gen.count_lines


def check(stores: list[Any], rng: random.Random) -> list[str]:
    """The invariants on a sample: ledger_check, and each card's latest balance = on_hand."""
    from jisheng.commodities import selectors
    from jisheng.commodities.models import CalculatedStock, StockCard, Store

    problems = []
    sample = rng.sample(stores, min(25, len(stores)))
    bad = selectors.ledger_check(Store.objects.filter(pk__in=[s.pk for s in sample]))
    if bad:
        problems.append(f"ledger_check: {len(bad)} cards differ, e.g. {bad[:3]}")
    for card in StockCard.objects.filter(store__in=sample).order_by("?")[:200]:
        latest = CalculatedStock.objects.filter(card=card).order_by("-day").first()
        if (latest.on_hand if latest else 0) != card.on_hand:
            problems.append(f"card {card.pk}: balance {latest} but on hand {card.on_hand}")
    if StockCard.objects.filter(on_hand__lt=0).exists():
        problems.append("negative balance")
    return problems


# --------------------------------------------------------------------------- timings


def timings(fn, repeats: int) -> list[float]:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def row(label: str, values: list[float], target: float, note: str = "") -> str:
    p50, worst = percentile(values, 0.5), max(values)
    verdict = "PASS" if worst <= target else "FAIL"
    return (
        f"{label:<48}{len(values):>4}{p50:>10.1f}{worst:>10.1f}   max ≤ {target:<8g}"
        f"{verdict}  {note}"
    )


def explain_stock(stores: list[Any], day: datetime.date) -> None:
    from django.db import connection

    from jisheng.commodities import selectors

    qs = selectors.cards_as_of(stores, day).values_list(
        "store_id", "product_id", "lot_id", "balance"
    )
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(r[0] for r in cursor.fetchall()))


def concurrent_issues(args: argparse.Namespace, county: Any, cabinets: list[Any]) -> dict:
    """``args.clients`` threads issuing for ``args.seconds`` s against shared cabinets."""
    from django.core.exceptions import ValidationError
    from django.db import connection
    from stdnum.cn import ric

    from jisheng.commodities import selectors, services
    from jisheng.commodities.models import LedgerLine, Product, StockCard, Store
    from jisheng.people import services as people_services
    from jisheng.people.models import Person

    shared = cabinets[:8]
    persons = []
    for i, cabinet in enumerate(shared):
        person = Person.objects.filter(unit=cabinet.unit).first()
        if person is None:
            birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=i)
            body = f"110105{birth:%Y%m%d}{(i * 2) % 1000:03d}"
            person = people_services.person_register(
                actor=None, name=f"基准{i}", sex="F", birth_date=birth, unit=cabinet.unit,
                id_number=body + ric.calc_check_digit(body + "0"),
                registered_on=datetime.date(2015, 1, 1),
            )  # fmt: skip
        persons.append(person)
    products = list(Product.objects.filter(code__in=["coc-lng", "condom-10", "dmpa"]))
    today = datetime.date.today()
    # Restock the shared cabinets (a delivery today) so that most issues can be served;
    # those that find the shelf empty are refused, as they should be.
    for cabinet in shared:
        services.receive(
            actor=None,
            store=cabinet,
            occurred_on=today,
            supplier="基准",
            lines=[
                services.NewLot(p, f"R{today:%y%m%d}-{p.code}", today.replace(year=today.year + 3),
                                args.restock)
                for p in products
            ],
        )  # fmt: skip
    before = LedgerLine.objects.filter(store__in=shared).count()
    stop = time.perf_counter() + args.seconds
    results = {"ok": 0, "refused": 0, "errors": 0, "lines": 0}
    lock = threading.Lock()
    latencies: list[float] = []

    def client(n: int) -> None:
        rng = random.Random(n)
        ok = refused = errors = lines = 0
        mine = []
        try:
            while time.perf_counter() < stop:
                i = rng.randrange(len(shared))
                started = time.perf_counter()
                try:
                    doc = services.issue(
                        actor=None,
                        store=shared[i],
                        person=persons[i],
                        occurred_on=today,
                        lines=[services.Item(rng.choice(products), rng.choice((1, 2, 3)))],
                    )
                    ok += 1
                    lines += doc.lines.count()
                except ValidationError:
                    refused += 1
                except Exception as exc:  # counted and shown
                    errors += 1
                    print(f"client {n}: {exc!r}")
                mine.append((time.perf_counter() - started) * 1000)
        finally:
            connection.close()
        with lock:
            results["ok"] += ok
            results["refused"] += refused
            results["errors"] += errors
            results["lines"] += lines
            latencies.extend(mine)

    started = time.perf_counter()
    if not args.processes:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        # One process a client (each its own connection and interpreter: the GIL does
        # not serialise them); forked after closing the parent's connections.
        import multiprocessing

        from django.db import connections

        connections.close_all()
        context = multiprocessing.get_context("fork")
        queue = context.Queue()

        def child(n: int) -> None:
            client(n)
            queue.put((results, latencies))

        processes = [context.Process(target=child, args=(n,)) for n in range(args.clients)]
        for process in processes:
            process.start()
        for _ in processes:
            got, times = queue.get()
            for key in ("ok", "refused", "errors", "lines"):
                results[key] += got[key]
            latencies.extend(times)
        for process in processes:
            process.join()
    elapsed = time.perf_counter() - started
    after = LedgerLine.objects.filter(store__in=shared).count()
    results["seconds"] = elapsed
    results["rate"] = results["ok"] / elapsed
    results["new_lines"] = after - before
    results["negative"] = StockCard.objects.filter(on_hand__lt=0).count()
    results["ledger_check"] = selectors.ledger_check(
        Store.objects.filter(pk__in=[s.pk for s in shared])
    )
    results["p50"] = percentile(latencies, 0.5) if latencies else 0
    results["max"] = max(latencies) if latencies else 0
    return results


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from jisheng.commodities import selectors

    county, station, towns, cabinets = build_stores(args)
    stores = [station, *towns, *(c for t in towns for c in cabinets[t.pk])]
    print(f"database: {connection.vendor}; stores: {len(stores)}")
    build_seconds, lines = generate(args, station, towns, cabinets)
    rng = random.Random(args.seed)
    problems = check(stores, rng)
    print("invariants on a sample:", "OK" if not problems else "; ".join(problems))
    end = datetime.date.today() - datetime.timedelta(days=1)
    first_day = month_start(end, back=args.years * 12 - 1)
    span = (end - first_day).days

    def random_day() -> datetime.date:
        return first_day + datetime.timedelta(days=rng.randint(0, span))

    results = []
    sizes = []

    def stock_all() -> None:
        sizes.append(len(selectors.stock_as_of(stores, random_day())))

    results.append(
        row(
            "(a) stock_as_of, every store × product",
            timings(stock_all, args.repeats),
            500,
            f"~{sizes[-1]} store×product balances",
        )
    )
    if args.explain and connection.vendor == "postgresql":
        explain_stock(stores, random_day())
    town = towns[len(towns) // 2]
    town_stores = [town, *cabinets[town.pk]]
    try:
        from jisheng.commodities.reports import stock_status

        note = "reports.stock_status"

        def report() -> None:
            day = random_day()
            stock_status(town_stores, quarter_start(day), quarter_end(day))

    except ImportError:
        note = "reports.stock_status missing: an equivalent grouped query"

        def report() -> None:
            from django.db.models import Sum

            from jisheng.commodities.models import LedgerLine

            day = random_day()
            start, stop = quarter_start(day), quarter_end(day)
            selectors.stock_as_of(town_stores, start - datetime.timedelta(1))
            selectors.stock_as_of(town_stores, stop)
            list(
                LedgerLine.objects.filter(store__in=town_stores, occurred_on__range=(start, stop))
                .values("store_id", "product_id", "kind")
                .annotate(q=Sum("quantity"))
            )

    results.append(
        row(
            f"(b) township stock status, a quarter ({len(town_stores)} stores)",
            timings(report, args.repeats),
            1000,
            note,
        )
    )
    concurrency = concurrent_issues(args, county, [c for t in towns for c in cabinets[t.pk]])
    print()
    print(f"lines: {lines:,}; generation {build_seconds:.1f} s")
    print(f"{'figure':<48}{'n':>4}{'p50 ms':>10}{'max ms':>10}   target")
    for line in results:
        print(line)
    c = concurrency
    verdict = (
        "PASS"
        if c["rate"] >= 100
        and not c["errors"]
        and not c["negative"]
        and c["new_lines"] == c["lines"]
        and not c["ledger_check"]
        else "FAIL"
    )
    print(
        f"(c) {args.clients} clients × {c['seconds']:.1f} s: {c['ok']} issues = "
        f"{c['rate']:.0f}/s (target ≥ 100), {c['refused']} refused (stock short), "
        f"{c['errors']} errors; latency p50 {c['p50']:.1f} ms, max {c['max']:.1f} ms; "
        f"lines written {c['new_lines']} for {c['lines']} expected; negative balances "
        f"{c['negative']}; ledger check {'clean' if not c['ledger_check'] else 'NOT clean'}"
        f"  {verdict}"
    )
    return 0 if not problems else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--townships", type=int, default=35)
    parser.add_argument("--villages", type=int, default=360)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--restock", type=int, default=300, help="per product and cabinet")
    parser.add_argument(
        "--processes", action="store_true", help="clients as processes, not threads"
    )
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    tmp = _setup_django(args.database_url)
    try:
        return run(args)
    finally:
        if tmp is not None:
            from django.db import connections

            connections.close_all()
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
