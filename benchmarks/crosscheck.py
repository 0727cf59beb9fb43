"""Matching a 100,000-row external list against the registry (五关, issue 15's figure).

    uv run python benchmarks/crosscheck.py [--persons 1000000] [--rows 100000]
                                           [--database-url URL] [--seed 1]

1. Starts Django like ``registry.py`` (same database choice; use a scratch database —
   one that ``registry.py`` or ``indicators.py`` filled is reused: its persons are kept),
   loads the demo organisation and generates ``--persons`` persons unless they are there.
2. Builds a household-registration list of newborns (户籍申报) from the registry's
   newest births (every birth from the day that gives at least ``--rows``): half of the
   rows carry the mother's ID number, the other half names only; then plants, by a
   fixed seed, rows **removed** (2 %: their births must come out *unlisted*), rows with
   the **sex changed** (1 %) or the **date moved by 3 days** (1 %) (*contradicting*),
   and rows **added** for births that do not exist (2 %: *missing*). Making the list is
   not timed.
3. Times ``services_crosscheck.list_import`` (reading the CSV, normalising every row,
   matching every row in bulk, storing the rows with their outcomes and the unlisted
   births), then ``match_list`` on the stored list: every row read back and matched
   again against the registry, the outcomes compared with the stored ones and the
   changed ones written (none, here), the unlisted births found again (target ≤ 30 s);
   and prints the outcomes found against those planted.

Nothing is deleted afterwards: the list stays in the database (a scratch one).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import generate, with_django

TARGET_SECONDS = 30.0
HEADERS = ["新生儿姓名", "性别", "出生日期", "母亲姓名", "母亲身份证号", "住址单位代码"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="write each birth's row this many times (a long list on a small registry)",
    )
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def make_list(
    root: object, rows: int, seed: int, copies: int = 1
) -> tuple[bytes, dict[str, int], tuple]:
    """The CSV of the list, what was planted, and the period (first, last)."""
    from jisheng.core import crypto
    from jisheng.people.models import Birth

    births = Birth.objects.filter(unit__path__startswith=root.path)  # type: ignore[attr-defined]
    dates = births.order_by("-date").values_list("date", flat=True)
    cutoff = dates[max(0, rows - 1)] if births.count() > rows else births.order_by("date")[0].date
    last = dates[0]
    chosen = list(
        births.filter(date__gte=cutoff)
        .order_by("date", "pk")
        .values_list(
            "pk",
            "date",
            "sex",
            "unit__code",
            "child_name",
            "child__name",
            "mother__name",
            "mother__id_number_encrypted",
        )
    )
    rng = random.Random(seed)
    planted = {"rows": 0, "removed": 0, "sex": 0, "date": 0, "added": 0, "with_id": 0}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for _pk, day, sex, unit, child_name, cname, mother, token in chosen:
        draw = rng.random()
        if draw < 0.02:
            planted["removed"] += 1
            continue
        sex_text = "男" if sex == "M" else "女"
        if 0.02 <= draw < 0.03:
            sex_text = "女" if sex == "M" else "男"
            planted["sex"] += 1
        elif 0.03 <= draw < 0.04:
            day = day + datetime.timedelta(days=3)
            planted["date"] += 1
        with_id = rng.random() < 0.5 and token
        # dates in the usual formats, some with full-width digits
        written = day.isoformat() if rng.random() < 0.7 else f"{day.year}年{day.month}月{day.day}日"
        row = [
            cname or child_name or "",
            sex_text,
            written,
            mother,
            crypto.decrypt(token) if with_id else "",
            unit,
        ]
        for _copy in range(copies):
            writer.writerow(row)
        planted["rows"] += copies
        planted["with_id"] += copies if with_id else 0
        if copies > 1 and 0.02 <= draw < 0.04:
            planted["sex" if draw < 0.03 else "date"] += copies - 1
    for n in range(int(len(chosen) * 0.02)):
        day = cutoff + datetime.timedelta(days=rng.randrange(max(1, (last - cutoff).days + 1)))
        writer.writerow([f"甄测试{n}", "男", day.isoformat(), f"甄母亲{n}", "", ""])
        planted["added"] += 1
        planted["rows"] += 1
    return out.getvalue().encode("utf-8"), planted, (cutoff, last)


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit
    from jisheng.quality import services_crosscheck as services

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    data, planted, (first, last) = make_list(
        root, args.rows // max(1, args.copies), args.seed, args.copies
    )
    print(
        f"  list made in {time.perf_counter() - started:.1f} s: {planted['rows']} rows "
        f"({planted['with_id']} with the mother's ID), births {first} – {last}"
    )
    started = time.perf_counter()
    checklist = services.list_import(
        actor=None,
        source="hukou_births",
        unit=root,
        first=first,
        last=last,
        data=data,
        filename="bench.csv",
    )
    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    counts = services.match_list(checklist)
    match_seconds = time.perf_counter() - started
    expected_matched = planted["rows"] - planted["added"] - planted["sex"] - planted["date"]
    print()
    print(f"{'outcome':<16}{'found':>9}{'planted':>9}")
    for outcome, expected in (
        ("matched", expected_matched),
        ("contradicting", planted["sex"] + planted["date"]),
        ("missing", planted["added"]),
        ("unlisted", planted["removed"]),
        ("ambiguous", 0),
    ):
        print(f"{outcome:<16}{counts.get(outcome, 0):>9}{expected:>9}")
    print(f"rows not readable: {len(checklist.rejected)}")
    print()
    print(
        f"list_import (read, normalise, match, store) {planted['rows']} rows: "
        f"{import_seconds:.1f} s"
    )
    verdict = "PASS" if match_seconds <= TARGET_SECONDS else "FAIL"
    print(
        f"match_list {planted['rows']} rows: {match_seconds:.1f} s  "
        f"(target ≤ {TARGET_SECONDS:g} s) {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
