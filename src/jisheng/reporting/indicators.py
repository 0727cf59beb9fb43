"""The statistical reports' catalogue indicators (service and data quality, SPEC §0: they
measure the offices' reporting duty, never a private person), registered with the
indicator engine from :meth:`ReportingConfig.ready`:

- ``report_timeliness`` 报表及时率: reports submitted by their deadline ÷ reports due;
- ``report_completeness`` 报表完整率: reports submitted ÷ reports due;
- ``report_accuracy`` 统计准确率: approved reports the registry still bears out (no
  late entry — 补报/更正, ``core.LateEntry`` — dated in the report's period in its unit's
  subtree recorded after the approval) ÷ approved reports.

Reports due in a period: for every registered statistical form, every form period whose
deadline (the county's, from ``FormSpec.deadline`` of the root unit) falls in the period
and by today, times every active unit below the top of the tree (each reports to its
parent). Counted by functions (``counter``), not over rows: a report not started has no
row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jisheng.core.models import LateEntry
from jisheng.core.periods import Period, containing, period_range
from jisheng.core.statforms import statforms
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import WITHIN, Indicator, Population, T
from jisheng.orgs.models import Unit
from jisheng.policy.measures import SERVICE
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S
from jisheng.reporting.selectors_submissions import reporting_units

REPORTS_DUE, APPROVED_REPORTS = "reports_due", "approved_reports"
SUBMITTED, ON_TIME, BORNE_OUT = "submitted", "on_time", "borne_out"


def due_form_periods(period: Period, root: Unit, today: datetime.date) -> list[tuple[str, Period]]:
    """(form key, form period) of every report whose deadline falls in ``period`` by today."""
    end = min(period.last, today)
    out = []
    for spec in statforms():
        first = containing(period.first - datetime.timedelta(days=400), spec.frequency)
        last = containing(period.last, spec.frequency)
        for fp in period_range(first, last):
            deadline = spec.deadline(root, fp)
            if period.first <= deadline <= end:
                out.append((spec.key, fp))
    return out


def reports_due(
    period: Period, root: Unit, filter_sets: Sequence[tuple[str, ...]]
) -> engine.Counted:
    """Per unit: the reports due in ``period`` (``()``), those submitted (``submitted``)
    and those submitted by their deadline (``on_time``)."""
    due = due_form_periods(period, root, timezone.localdate())
    if not due:
        return {}
    units = list(
        reporting_units()
        .filter(path__startswith=root.path, depth__gt=1)
        .values_list("pk", flat=True)
    )
    q = Q()
    for key, fp in due:
        q |= Q(form_key=key, period_code=fp.code)
    sent = defaultdict(lambda: [0, 0])
    for unit_id, submitted_at, deadline in Submission.objects.filter(
        q, unit__path__startswith=root.path, status__in=(S.SUBMITTED, S.APPROVED)
    ).values_list("unit_id", "submitted_at", "deadline"):
        sent[unit_id][0] += 1
        if submitted_at is not None and timezone.localdate(submitted_at) <= deadline:
            sent[unit_id][1] += 1
    out: engine.Counted = {}
    for unit_id in units:
        amounts = {(): float(len(due)), (SUBMITTED,): 0.0, (ON_TIME,): 0.0}
        if unit_id in sent:
            amounts[(SUBMITTED,)] = float(sent[unit_id][0])
            amounts[(ON_TIME,)] = float(sent[unit_id][1])
        out[unit_id] = {tuple(s): amounts.get(tuple(s), 0.0) for s in filter_sets}
    return out


def changed_since_approval() -> Exists:
    """A late entry dated in the submission's period, in its unit's subtree, recorded after
    its approval."""
    return Exists(
        LateEntry.objects.filter(
            unit__path__startswith=OuterRef("unit__path"),
            day__gte=OuterRef("first"),
            day__lte=OuterRef("last"),
            recorded_at__gt=OuterRef("approved_at"),
        )
    )


def approved_reports(
    period: Period, root: Unit, filter_sets: Sequence[tuple[str, ...]]
) -> engine.Counted:
    """Per unit: its approved reports of periods ending in ``period`` (``()``) and those
    the registry still bears out (``borne_out``)."""
    rows = (
        Submission.objects.filter(
            unit__path__startswith=root.path,
            status=S.APPROVED,
            last__gte=period.first,
            last__lte=period.last,
        )
        .annotate(changed=changed_since_approval())
        .values_list("unit_id", "changed")
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, changed in rows:
        counts[unit_id][0] += 1
        if not changed:
            counts[unit_id][1] += 1
    return {
        unit_id: {
            tuple(s): float(n if tuple(s) == () else borne if tuple(s) == (BORNE_OUT,) else 0)
            for s in filter_sets
        }
        for unit_id, (n, borne) in counts.items()
    }


def _nothing(period: Period, day: datetime.date | None) -> Q:
    return Q()


DUE_POPULATION = Population(
    name=REPORTS_DUE,
    label="期内到报送期限的统计报表（单位 × 报表 × 报表期）",
    model=Submission,
    base=_nothing,
    filters={SUBMITTED: _nothing, ON_TIME: _nothing},
    path_field="unit__path",
    counter=lambda period, root, sets: reports_due(period, root, sets),
)

APPROVED_POPULATION = Population(
    name=APPROVED_REPORTS,
    label="报表期在期内结束且已审核通过的统计报表",
    model=Submission,
    base=_nothing,
    filters={BORNE_OUT: _nothing},
    path_field="unit__path",
    counter=lambda period, root, sets: approved_reports(period, root, sets),
)

TIMELINESS = Indicator(
    id="report_timeliness",
    name_zh="报表及时率",
    unit="%",
    measures=SERVICE,
    numerator=(T(REPORTS_DUE, ON_TIME),),
    denominator=(T(REPORTS_DUE),),
    scale=100,
    semantics=WITHIN,
    definition_zh="报送期限在期内（至今天为止）的统计报表中，在报送期限当日或之前上报"
    "（已上报或已审核）的份数 ÷ 应报份数 × 100%（应报：每张统计报表、每个报表期、本单位及下级"
    "每个单位各一份，县级单位除外）。考核的是各级单位的报表工作，不针对个人。",
)

COMPLETENESS = Indicator(
    id="report_completeness",
    name_zh="报表完整率",
    unit="%",
    measures=SERVICE,
    numerator=(T(REPORTS_DUE, SUBMITTED),),
    denominator=(T(REPORTS_DUE),),
    scale=100,
    semantics=WITHIN,
    definition_zh="报送期限在期内（至今天为止）的统计报表中，已上报（已上报或已审核）的份数 ÷ "
    "应报份数 × 100%。考核的是各级单位的报表工作，不针对个人。",
)

ACCURACY = Indicator(
    id="report_accuracy",
    name_zh="统计准确率",
    unit="%",
    measures=SERVICE,
    numerator=(T(APPROVED_REPORTS, BORNE_OUT),),
    denominator=(T(APPROVED_REPORTS),),
    scale=100,
    semantics=WITHIN,
    definition_zh="报表期在期内结束且已审核通过的统计报表中，审核通过后台账未再变动（没有日期在"
    "该报表期内、审核后才登记的补报/更正）的份数 ÷ 已审核通过的报表份数 × 100%。考核的是"
    "统计工作的准确性，不针对个人。",
)


def register() -> None:
    """Add the populations and the three indicators to the engine (once)."""
    for population in (DUE_POPULATION, APPROVED_POPULATION):
        if population.name not in engine.POPULATIONS:
            engine.register_population(population)
    for indicator in (TIMELINESS, COMPLETENESS, ACCURACY):
        if indicator.id not in catalogue.BY_ID:
            catalogue.register(indicator)
