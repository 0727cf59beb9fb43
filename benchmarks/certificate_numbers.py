"""Certificate numbers under concurrency (issue 16): many issuers at once, no gap.

    uv run python benchmarks/certificate_numbers.py [--certificates 1000] [--threads 20]
                                                    [--database-url URL]

1. Starts Django like ``registry.py`` (``--database-url`` or ``JISHENG_DATABASE_URL``,
   else a temporary SQLite file; use a scratch database: the benchmark's unit, person
   and certificates stay, each run under a new issuing unit ``NB<time>``).
2. Creates an issuing unit (an enterprise) and one person in it.
3. ``--threads`` threads (default 20), each with its own database connection, issue
   ``--certificates`` (default 1,000) 管理移交证明 of that unit, kind and year at once
   through the engine (``certificates.services.issue_now``: apply, issue, number,
   audit, one transaction each).
4. Checks the numbers: the sequences are exactly 1..N (gap-free), the numbers and the
   verification codes unique, the series' last number N; prints PASS/FAIL, errors, the
   wall time and the throughput (certificates per second).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import with_django


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    args = parser.parse_args(argv)
    return with_django(args, run)


def _id_number(birth_date: datetime.date, seq: int) -> str:
    from stdnum.cn import ric

    body = f"110105{birth_date:%Y%m%d}{(seq * 2) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from jisheng.certificates import services
    from jisheng.certificates.models import Certificate, NumberSeries
    from jisheng.orgs import services as org_services
    from jisheng.people import services as people_services

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    stamp = f"{time.time_ns() // 1_000_000 % 10**12}"
    issuer = org_services.unit_create(
        actor=None,
        parent=None,
        code=f"NB{stamp}",
        name=f"编号基准企业{stamp}",
        unit_type="enterprise",
    )
    born = datetime.date(1980, 1, 1) + datetime.timedelta(days=random.randrange(7000))
    person = people_services.person_register(
        actor=None,
        name="编号基准人",
        sex="F",
        birth_date=born,
        unit=issuer,
        id_number=_id_number(born, random.randrange(500)),
        registered_on=datetime.date(2020, 1, 1),
    )
    total, threads = args.certificates, args.threads
    shares = [total // threads + (1 if i < total % threads else 0) for i in range(threads)]
    start = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        from django.db import connection as own

        try:
            start.wait()
            for _ in range(n):
                services.issue_now(
                    actor=None, kind="transfer_clearance", issuer=issuer, person=person
                )
        except BaseException as exc:  # counted and shown below
            errors.append(exc)
        finally:
            own.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in shares]
    for w in workers:
        w.start()
    start.wait()
    began = time.perf_counter()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - began

    rows = Certificate.objects.filter(issuer=issuer, kind="transfer_clearance")
    sequences = sorted(rows.values_list("sequence", flat=True))
    issued = len(sequences)
    numbers = set(rows.values_list("number", flat=True))
    codes = set(rows.values_list("code", flat=True))
    last = NumberSeries.objects.filter(issuer=issuer, kind="transfer_clearance").values_list(
        "last", flat=True
    )
    gap_free = sequences == list(range(1, issued + 1))
    unique = len(numbers) == issued and len(codes) == issued
    complete = issued == total and not errors and list(last) == [total]
    print(f"issuer {issuer.code}: {threads} threads, {total} certificates asked")
    print(f"  issued        {issued}")
    print(f"  errors        {len(errors)}" + (f" (first: {errors[0]!r})" if errors else ""))
    print(f"  gap-free      {'PASS' if gap_free else 'FAIL'} (sequences 1..{issued})")
    print(f"  unique        {'PASS' if unique else 'FAIL'} (numbers and codes)")
    print(f"  all issued    {'PASS' if complete else 'FAIL'} (series last {list(last)})")
    print(f"  wall time     {seconds:.2f} s")
    print(f"  throughput    {issued / seconds:.1f} certificates/s")
    return 0 if gap_free and unique and complete else 1


if __name__ == "__main__":
    sys.exit(main())
