"""Import of two-way notification messages (双向通报) from another system (issue 17).

    uv run python benchmarks/exchange_import.py [--persons 20000] [--messages 10000]
                                                [--database-url URL] [--seed 1]

1. Starts Django like ``registry.py`` (same database choice; a county ``registry.py``
   filled can be reused), loads the demo organisation and generates ``--persons``
   persons unless they are there.
2. Adds the public key of a made-up other system (``bench-peer``) and builds
   ``--messages`` signed messages (Ed25519 over the canonical JSON, format v1) from it to
   random townships and streets of the county, about random persons of the county (their
   ID numbers, so that the import matches them by the keyed hash), of every kind, one in
   fifty a correction of an earlier message of the file.
3. Times ``transfer.import_file`` on the file (target ≤ 10 s) and on the same file again
   (every message a duplicate, nothing changes: target ≤ 5 s), counting the queries;
   checks the counts; removes what it imported (a rerun starts alike).
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import generate, sample_people, with_django

TARGET_IMPORT_S = 10.0
TARGET_AGAIN_S = 5.0
PEER = "bench-peer"
KINDS = [
    ("registration", {"arrived_on": "2026-01-05", "residence": "某村"}),
    ("verification", {"result": "valid", "certificate_number": "B-1", "issuing_place": "某镇"}),
    ("service", {"service": "follow_up_visit", "way": "home"}),
    ("method", {"method": "iud", "reason": "first"}),
    ("birth", {"sex": "F"}),
    ("pregnancy_outcome", {"outcome": "miscarriage"}),
    ("departure", {"left_on": "2026-02-01"}),
    ("contact", {"note": "上门走访"}),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("JISHENG_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=None)
    args = parser.parse_args(argv)
    return with_django(args, run)


def build_file(args: argparse.Namespace, root: object) -> dict[str, object]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from jisheng.core import crypto
    from jisheng.exchange import keys, transfer
    from jisheng.orgs.models import Unit

    private = Ed25519PrivateKey.generate()
    transfer.peer_key_add(
        actor=None,
        content={
            "instance": PEER,
            "name": "基准测试外县",
            "public_key": keys.public_key_text(private.public_key()),
        },
    )
    rng = random.Random(args.seed)
    offices = list(
        Unit.objects.filter(
            path__startswith=root.path,  # type: ignore[attr-defined]
            unit_type__in=["township", "street"],
        ).values_list("code", flat=True)
    )
    people = [
        (p.name, crypto.decrypt(p.id_number_encrypted), p.birth_date.isoformat(), p.sex)
        for p in sample_people(root, min(2000, args.persons), args.seed)
    ]
    messages: list[dict[str, object]] = []
    today = datetime.date.today()
    for n in range(args.messages):
        kind, payload = KINDS[n % len(KINDS)]
        name, number, born, sex = rng.choice(people)
        corrects = None
        if n % 50 == 49:  # a correction of an earlier message of the file
            corrects = messages[rng.randrange(len(messages))]["uid"]
        message: dict[str, object] = {
            "version": 1,
            "uid": str(uuid.uuid4()),
            "kind": kind,
            "instance": PEER,
            "sender": {"code": f"3301000{n % 90:02d}000", "name": "外县某镇"},
            "receiver": {"code": rng.choice(offices)},
            "created_at": "2026-03-01T10:00:00+08:00",
            "person": {"name": name, "id_number": number, "birth_date": born, "sex": sex},
            "event_on": (today - datetime.timedelta(days=rng.randint(1, 60))).isoformat(),
            "payload": dict(payload),
            "in_reply_to": None,
            "corrects": corrects,
        }
        signature = private.sign(keys.canonical(message))
        message["signature"] = base64.b64encode(signature).decode()
        messages.append(message)
    return {
        "format": "jisheng-exchange",
        "version": 1,
        "instance": PEER,
        "created_at": "2026-03-01T10:00:00+08:00",
        "messages": messages,
    }


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jisheng.exchange import transfer
    from jisheng.exchange.models import Notice, PeerKey
    from jisheng.orgs.demo import COUNTY_CODE, load_demo
    from jisheng.orgs.models import Unit

    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    load_demo()
    root = Unit.objects.get(code=COUNTY_CODE)
    how, _seconds, note = generate(args, root)
    print(f"  persons {how}: {note}")
    Notice.objects.filter(instance=PEER).delete()
    started = time.perf_counter()
    data = build_file(args, root)
    text = json.dumps(data, ensure_ascii=False)
    print(
        f"  file: {args.messages} signed messages, {len(text.encode()) / 1e6:.1f} MB, "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    figures = []
    for label, target, expect in (
        ("import", TARGET_IMPORT_S, "added"),
        ("the same file again", TARGET_AGAIN_S, "duplicate"),
    ):
        with CaptureQueriesContext(connection) as queries:
            begun, cpu = time.perf_counter(), time.process_time()
            report = transfer.import_file(actor=None, content=text)
            seconds = time.perf_counter() - begun
            cpu = time.process_time() - cpu
        counts = report.counts
        done = counts[expect] + (counts["applied"] if expect == "added" else 0)
        ok = done == args.messages and counts["refused"] == 0 and seconds <= target
        figures.append(
            f"{label:<22}{seconds:>8.2f} s  ≤ {target:g} s  {'PASS' if ok else 'FAIL'}  "
            f"(CPU of this process {cpu:.2f} s) {len(queries)} queries; {counts}"
        )
    imported = Notice.objects.filter(instance=PEER).count()
    print()
    print(f"{args.messages} messages → {imported} notices; load average {os.getloadavg()[0]:.1f}")
    for row in figures:
        print(row)
    Notice.objects.filter(instance=PEER).delete()
    PeerKey.objects.filter(instance=PEER).delete()
    return 0 if all("PASS" in row for row in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
