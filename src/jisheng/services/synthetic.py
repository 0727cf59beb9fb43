"""Synthetic contraception records and follow-up visits for a generated population.

:func:`generate_services` gives every married woman of reproductive age below a unit
(as of ``end``) a method history drawn from a mix close to China's (IUD first, then
condoms and sterilisation; about one in seven with no method), and the visits of her
schedule: most periods visited on some day inside the window, some late, some missed.
Deterministic for a seed; written in bulk (``COPY`` on PostgreSQL). It writes no
schedule: run :func:`jisheng.services.followup.schedules_rebuild_all` after it, as the
nightly job would.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from jisheng.core.bulkcopy import Table
from jisheng.orgs.models import Unit
from jisheng.people.choices import MARRIED_STATUSES, RESIDENT_STATUSES
from jisheng.people.models import Person, PersonPeriod
from jisheng.services import schedule
from jisheng.services.choices import ChangeReason, Method, VisitWay
from jisheng.services.followup import _pack_resolver
from jisheng.services.models import ContraceptionRecord, FollowUpVisit

METHOD_MIX = [
    (Method.IUD, 0.42),
    (Method.CONDOM, 0.20),
    (Method.FEMALE_STERILISATION, 0.15),
    (Method.NONE, 0.155),
    (Method.IMPLANT, 0.02),
    (Method.PILL, 0.02),
    (Method.MALE_STERILISATION, 0.01),
    (Method.INJECTABLE, 0.01),
    (Method.TOPICAL, 0.005),
    (Method.OTHER, 0.01),
]
VISITED_ON_TIME = 0.82
VISITED_LATE = 0.06
WAYS = [VisitWay.HOME, VisitWay.HOME, VisitWay.PHONE, VisitWay.OFFICE]
STAFF = ["褚海燕", "冯桂芳", "卫春生", "蒋玉兰"]


@dataclass
class ServicesResult:
    women: int = 0
    methods: int = 0
    visits: int = 0
    seconds: float = 0.0


def _told(rng: random.Random, explained: bool, share: float) -> bool | None:
    """An MII answer: unknown when nothing was recorded as explained."""
    return rng.random() < share if explained else None


def _draw(rng: random.Random) -> str:
    r = rng.random()
    for method, share in METHOD_MIX:
        r -= share
        if r < 0:
            return method
    return Method.NONE


def generate_services(
    *, root: Unit, seed: int = 1, end: datetime.date | None = None, batch: int = 20000
) -> ServicesResult:
    """Methods and visits for the married women 15–49 below ``root`` on ``end``."""
    import time

    started = time.perf_counter()
    end = end or timezone.localdate()
    horizon = schedule.Horizon.around(end)
    resolve = _pack_resolver(end)
    result = ServicesResult()
    youngest = datetime.date(end.year - 15, end.month, min(end.day, 28))
    oldest = datetime.date(end.year - 50, end.month, min(end.day, 28))
    women = list(
        Person.objects.filter(
            unit__path__startswith=root.path,
            sex="F",
            birth_date__gt=oldest,
            birth_date__lte=youngest,
            marital_status__in=MARRIED_STATUSES,
            status__in=RESIDENT_STATUSES,
        )
        .order_by("pk")
        .values_list("pk", "birth_date", "unit_id", "employer_id")
    )
    methods_table = Table(
        ContraceptionRecord,
        [
            "created_at", "updated_at", "person_id", "unit_id", "method", "started_on",
            "ended_on", "provider", "reason", "reason_note", "explained_by", "options_offered",
            "told_other_methods", "told_side_effects", "told_what_to_do", "recorded_by_id",
            "voided_at", "voided_by_id", "void_reason",
        ],
    )  # fmt: skip
    visits_table = Table(
        FollowUpVisit,
        [
            "created_at", "updated_at", "person_id", "unit_id", "visited_on", "visitor_id",
            "visitor_name", "way", "method_in_use", "satisfaction", "side_effects", "needs",
            "commodities", "notes", "for_kind", "for_starts_on", "recorded_by_id", "voided_at",
            "voided_by_id", "void_reason",
        ],
    )  # fmt: skip
    stamp = timezone.now()
    for start in range(0, len(women), batch):
        chunk = women[start : start + batch]
        ids = [w[0] for w in chunk]
        periods: dict[int, list[schedule.Span]] = {}
        married_since: dict[int, datetime.date] = {}
        for pid, vf, vt, unit_id, marital, status in (
            PersonPeriod.objects.filter(person_id__in=ids)
            .order_by("person_id", "valid_from")
            .values_list(
                "person_id", "valid_from", "valid_to", "unit_id", "marital_status", "status"
            )
        ):
            periods.setdefault(pid, []).append(schedule.Span(vf, vt, unit_id, marital, status))
            if marital in MARRIED_STATUSES and pid not in married_since:
                married_since[pid] = vf
        method_rows: list[tuple] = []
        visit_rows: list[tuple] = []
        for pk, birth, unit_id, employer_id in chunk:
            rng = random.Random(f"jisheng-services/{seed}/{pk}")
            since = max(married_since.get(pk, end), datetime.date(birth.year + 18, 1, 1))
            if since >= end:
                continue
            uses: list[schedule.MethodUse] = []
            first = _draw(rng)
            first_on = since + datetime.timedelta(
                days=int(rng.random() * max(1, (end - since).days))
            )
            if rng.random() < 0.2 and (end - first_on).days > 400:
                # an earlier method, changed later (condoms or the pill, then the drawn one)
                earlier = Method.CONDOM if rng.random() < 0.7 else Method.PILL
                change_on = first_on + datetime.timedelta(days=200 + int(rng.random() * 200))
                if earlier != first:
                    uses.append(schedule.MethodUse(earlier, first_on, change_on))
                    first_on = change_on
            if first != Method.NONE or uses:
                uses.append(schedule.MethodUse(first, first_on, None))
            for n, use in enumerate(uses):
                explained = rng.random() < 0.9
                method_rows.append(
                    (
                        stamp, stamp, pk, unit_id, use.method, use.start, use.end, "乡镇计生服务站",
                        ChangeReason.FIRST if n == 0 else ChangeReason.PREFERENCE, "",
                        STAFF[pk % len(STAFF)] if explained else "",
                        json.dumps([use.method, Method.IUD, Method.CONDOM] if explained else []),
                        explained or None, _told(rng, explained, 0.9), _told(rng, explained, 0.8),
                        None, None, None, "",
                    )
                )  # fmt: skip
            facts = schedule.Facts(pk, "F", birth, periods.get(pk, []), uses)
            for item in schedule.derive(facts, resolve(unit_id, employer_id), horizon):
                if item.starts_on > end:
                    continue
                r = rng.random()
                last = min(item.due_on, end)
                if r < VISITED_ON_TIME:
                    span = (last - item.starts_on).days
                    day = item.starts_on + datetime.timedelta(days=int(rng.random() * (span + 1)))
                elif r < VISITED_ON_TIME + VISITED_LATE and item.due_on < end:
                    day = min(end, item.due_on + datetime.timedelta(days=1 + int(rng.random() * 6)))
                else:
                    continue
                visit_rows.append(
                    (
                        stamp, stamp, pk, item.unit_id, day, None, STAFF[pk % len(STAFF)],
                        WAYS[int(rng.random() * len(WAYS))], item.method or "",
                        "satisfied" if rng.random() < 0.9 else "partly", "", "", "", "", "", None,
                        None, None, None, "",
                    )
                )  # fmt: skip
            result.women += 1
        with transaction.atomic():
            result.methods += methods_table.write(method_rows)
            result.visits += visits_table.write(visit_rows)
    result.seconds = time.perf_counter() - started
    return result
