"""Time the Excel import of a large persons workbook (full validation, then the writes).

    uv run python benchmarks/import_persons.py [--rows 100000] [--seed 1] [--keep FILE]

1. Starts Django with the base settings on a temporary SQLite file under a temporary
   ``JISHENG_VAR_DIR`` (removed at the end), or on ``JISHENG_DATABASE_URL`` when set
   (use a scratch database: the benchmark's units ``990197…`` and persons stay).
2. Builds a small county (1 county, 10 townships, 20 villages each) and generates a
   workbook of ``--rows`` synthetic persons (names from a list of common characters,
   valid ID numbers with real region codes, every column of the template filled)
   — generating is not what is measured.
3. Times, as the command and the import page do it:
   - reading the sheet (``read_sheet``),
   - the import with every check and the writes (``persons_import``: persons, REGISTER
     events, periods, one CREATE audit event each, one IMPORT event), by phase,
   - re-importing the same file (every row "unchanged", nothing written),
   - a dry run of a copy with one bad row in the middle (everything is checked, the
     whole file is rejected).
The issue's figure: a 100,000-row workbook with full validation in ≤ 60 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

ROOT_CODE = "990197000000"
# Real GB/T 2260 county codes valid for every birth year used (python-stdnum checks them).
REGIONS = ["110101", "110102", "110105", "110106", "110108", "120101", "310101", "310104"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红文辉鑫宇浩然子涵欣怡梓轩"
    "诗雨晨阳佳琪思远建国海燕"
)
ETHNICITIES = ["汉族"] * 18 + ["回族", "壮族"]
HUKOU = ["农业", "非农业", "居民"]
EDUCATION = ["小学", "初中", "高中/中专", "大专", "本科", "研究生"]
MARITAL = ["未婚", "初婚", "初婚", "初婚", "再婚", "离婚", "丧偶"]


def _setup_django(database_url: str | None) -> tempfile.TemporaryDirectory | None:
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


def build_county() -> list[str]:
    """A county with 10 townships of 20 villages; returns the village codes."""
    from jisheng.orgs import services
    from jisheng.orgs.models import Unit

    county = Unit.objects.filter(code=ROOT_CODE).first() or services.unit_create(
        actor=None, parent=None, code=ROOT_CODE, name="基准县", unit_type="county"
    )
    villages = []
    for t in range(1, 11):
        code = f"990197{t:03d}000"
        town = Unit.objects.filter(code=code).first() or services.unit_create(
            actor=None, parent=county, code=code, name=f"基准{t}镇", unit_type="township"
        )
        for v in range(1, 21):
            vcode = f"990197{t:03d}{v:03d}"
            if not Unit.objects.filter(code=vcode).exists():
                services.unit_create(
                    actor=None, parent=town, code=vcode, name=f"基准{t}镇{v}村", unit_type="village"
                )
            villages.append(vcode)
    return villages


def person_rows(count: int, villages: list[str], seed: int) -> list[list[str]]:
    """``count`` synthetic rows in the order of the template's columns."""
    from stdnum.cn import ric

    rng = random.Random(seed)
    used: set[str] = set()
    start = datetime.date(1950, 1, 1)
    span = (datetime.date(2024, 12, 31) - start).days
    rows = []
    while len(rows) < count:
        birth = start + datetime.timedelta(days=rng.randrange(span))
        male = rng.random() < 0.51
        order = rng.randrange(500) * 2 + (1 if male else 0)
        body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{order:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number in used:
            continue
        used.add(number)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        age = (datetime.date(2026, 1, 1) - birth).days // 365
        marital = "未婚" if age < 22 else rng.choice(MARITAL)
        rows.append(
            [
                name,
                "男" if male else "女",
                number,
                birth.isoformat(),
                rng.choice(ETHNICITIES),
                "示范省示范县",
                rng.choice(HUKOU),
                rng.choice(villages),
                "",
                f"139{rng.randrange(10**8):08d}",
                rng.choice(EDUCATION),
                marital,
                "在册",
                "2025-01-01",
                "",
                "",
            ]
        )
    return rows


def write_file(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    from jisheng.people.excel import PERSON_HEADERS, PERSONS_SHEET

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(PERSONS_SHEET)
    sheet.append(list(PERSON_HEADERS))
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="FILE", help="also save the generated workbook here")
    args, _unknown = parser.parse_known_args()  # scripts/bench.sh passes every option

    tmp = _setup_django(os.environ.get("JISHENG_DATABASE_URL"))
    try:
        run(args)
    finally:
        if tmp is not None:
            from django.db import connections

            connections.close_all()
            tmp.cleanup()


def run(args: argparse.Namespace) -> None:
    from django.db import connection

    from jisheng.core.excel import read_sheet
    from jisheng.core.models import AuditEvent
    from jisheng.people.excel import COL_ID, PERSON_REQUIRED_HEADERS, PERSONS_SHEET
    from jisheng.people.importers import PERSONS_MAX_ROWS, persons_import
    from jisheng.people.models import LifeEvent, Person, PersonPeriod

    print(f"database: {connection.vendor}; rows: {args.rows}; load: {os.getloadavg()[0]:.1f}")
    villages = build_county()
    with tempfile.TemporaryDirectory(prefix="jisheng-bench-xlsx-") as folder:
        path = Path(args.keep) if args.keep else Path(folder) / "persons.xlsx"
        began = time.perf_counter()
        rows = person_rows(args.rows, villages, args.seed)
        write_file(path, rows)
        print(
            f"generated {path.name}: {path.stat().st_size / 1e6:.1f} MB "
            f"in {time.perf_counter() - began:.1f} s (not measured)"
        )
        before = (Person.objects.count(), AuditEvent.objects.count())

        phases: dict[str, tuple[float, float]] = {}

        def clock() -> tuple[float, float]:
            return time.perf_counter(), time.process_time()

        def since(start: tuple[float, float], end: tuple[float, float] | None = None) -> str:
            end = end or clock()
            return f"{end[0] - start[0]:6.1f} s  (CPU {end[1] - start[1]:5.1f} s)"

        def progress(done: int, total: int, phase: str) -> None:
            phases[phase] = clock()

        def read() -> tuple[object, tuple[float, float]]:
            began = clock()
            sheet = read_sheet(
                path,
                sheet_name=PERSONS_SHEET,
                required_headers=PERSON_REQUIRED_HEADERS,
                max_rows=PERSONS_MAX_ROWS,
            )
            return sheet, began

        start = clock()
        sheet, _began = read()
        read_done = clock()
        result = persons_import(
            actor=None, rows=sheet.rows, source_name=path.name, progress=progress
        )
        finished = clock()
        assert result.written and result.created == args.rows, (
            result.as_dict(),
            result.rejected[:3],
        )
        assert Person.objects.count() - before[0] == args.rows
        print(f"read the sheet:            {since(start, read_done)}")
        print(f"check every row:           {since(read_done, phases['check'])}")
        print(f"write (bulk, audited):     {since(phases['check'], finished)}")
        print(f"TOTAL read+check+write:    {since(start, finished)}   figure: ≤ 60 s")
        print(
            f"  written: {result.created} persons, "
            f"{LifeEvent.objects.count()} events, {PersonPeriod.objects.count()} periods, "
            f"{AuditEvent.objects.count() - before[1]} audit events"
        )

        sheet, began = read()
        again = persons_import(actor=None, rows=sheet.rows, source_name=path.name)
        assert again.unchanged == args.rows and not again.written, again.as_dict()
        print(f"re-import (all unchanged): {since(began)}")

        middle = sheet.rows[len(sheet.rows) // 2]
        bad_rows = list(sheet.rows)
        number = middle.values[COL_ID]
        wrong = number[:-1] + ("1" if number[-1] != "1" else "2")  # a wrong check character
        bad_rows[len(bad_rows) // 2] = type(middle)(
            number=middle.number, values={**middle.values, COL_ID: wrong}
        )
        began = clock()
        rejected = persons_import(actor=None, rows=bad_rows)
        assert rejected.rejected_count == 1 and not rejected.written
        print(f"one bad row (no read):     {since(began)}  1 rejected, nothing written")


if __name__ == "__main__":
    main()
