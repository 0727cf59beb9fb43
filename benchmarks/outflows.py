"""People away on the worklist at 1,000,000 persons (issue 17 / outflows).

    uv run python benchmarks/outflows.py [--persons 1000000] [--database-url URL]
                                         [--queries 50] [--seed 1]

1. Starts Django like ``registry.py`` (use a scratch database; the persons of a run of
   ``registry.py`` are reused), loads the demo organisation, generates ``--persons``.
2. Unless there are records already: gives half the registry's out-migrants (status 流出)
   a 流出 record (``Outflow``, bulk), a third of those a service agreement and a contact
   — the other out-migrants stay without a record, as imports would leave them.
3. Times ``--queries`` times each, interleaved, as the township office ``zhen`` (青石镇)
   and the county office ``jsb``: the two worklist sources ``floating_outflow_due`` and
   ``floating_contact_due`` (count and first 20 items, as the worklist asks them), and the
   list of people away (first page and count). Target: p95 ≤ 300 ms for the township.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import Figure, generate, timed, with_django


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def make_records(root: object, seed: int) -> int:
    """Records for half the out-migrants of ``root``'s subtree, in bulk (no audit: a
    benchmark's fixture, not a write the office makes)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from jisheng.floating.choices import OutflowStatus
    from jisheng.floating.models import ContactRecord, Outflow, ServiceAgreement
    from jisheng.people.choices import EventKind, PersonStatus
    from jisheng.people.models import LifeEvent, Person

    rng = random.Random(seed)
    today = timezone.localdate()
    away = Person.objects.filter(
        unit__path__startswith=root.path,  # type: ignore[attr-defined]
        status=PersonStatus.OUT_MIGRANT,
    ).values_list("pk", "unit_id")
    left = dict(
        LifeEvent.objects.filter(
            kind=EventKind.FLOW_OUT,
            person__unit__path__startswith=root.path,  # type: ignore[attr-defined]
        ).values_list("person_id", "date")
    )
    chosen = [(pk, unit) for pk, unit in away if rng.random() < 0.5]
    with transaction.atomic():
        rows = Outflow.objects.bulk_create(
            [
                Outflow(
                    person_id=pk,
                    unit_id=unit,
                    status=OutflowStatus.AWAY,
                    left_on=left.get(pk, datetime.date(2020, 1, 1)),
                    recorded_on=today - datetime.timedelta(days=rng.randrange(1, 400)),
                    destination="广东省广州市",
                )
                for pk, unit in chosen
            ],
            batch_size=5000,
        )
        some = [o for o in rows if rng.random() < 1 / 3]
        ServiceAgreement.objects.bulk_create(
            [
                ServiceAgreement(outflow=o, unit_id=o.unit_id, signed_on=o.recorded_on,
                                 text="流出人员计划生育服务协议", services=["checkup"])
                for o in some
            ],
            batch_size=5000,
        )  # fmt: skip
        ContactRecord.objects.bulk_create(
            [
                ContactRecord(outflow=o, unit_id=o.unit_id, channel="phone",
                              contacted_on=today - datetime.timedelta(days=rng.randrange(1, 200)))
                for o in some
            ],
            batch_size=5000,
        )  # fmt: skip
    with connection.cursor() as cursor:
        for table in ("floating_outflow", "floating_serviceagreement", "floating_contactrecord"):
            cursor.execute(f"ANALYZE {table}")
    return len(rows)


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.utils import timezone

    from jisheng.floating import selectors_outflows as selectors
    from jisheng.floating import worklist_outflows as worklist
    from jisheng.floating.models import Outflow
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit, User

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    if not Outflow.objects.exists():
        print(f"  records made: {make_records(root, args.seed)}")
    today = timezone.localdate()
    users = {
        name: User.objects.select_related("unit").get(username=name) for name in ("zhen", "jsb")
    }
    runs = {
        f"{label} ({name})": (fn, user)
        for name, user in users.items()
        for label, fn in (
            ("floating_outflow_due", worklist.collect_outflow_due),
            ("floating_contact_due", worklist.collect_contact_due),
        )
    }
    for name, user in users.items():
        runs[f"list of people away ({name})"] = (None, user)
        print(
            f"  {name}: outflow_due {worklist.collect_outflow_due(user, today=today, limit=1)[0]},"
            f" contact_due {worklist.collect_contact_due(user, today=today, limit=1)[0]}"
        )

    def one(fn: object, user: User) -> None:
        if fn is None:
            rows = selectors.outflows(user, unit=user.unit, status="away", today=today)
            list(rows[:50])
            rows.count()
        else:
            fn(user, unit=user.unit, today=today, limit=20)  # type: ignore[operator]

    timings: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(args.queries):
        for label, (fn, user) in runs.items():
            timings[label].append(timed(lambda fn=fn, user=user: one(fn, user)))
    print(f"{'':<42}{'n':>6}{'p50':>10}{'p95':>10}{'max':>10}  target")
    for label, values in timings.items():
        target = 300.0 if "(zhen)" in label else None
        print(Figure(label, target, "p95", values).row())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
