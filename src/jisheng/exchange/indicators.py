"""The indicators of the two-way notification (service quality, SPEC §0), registered
with the indicator engine from the exchange's ``register()``:

- ``notification_rate`` 通报率: of the notices about events dated within the period
  (corrections and replies left out) sent by the unit's offices (by sender unit), those
  delivered within the pack's ``floating.notify_within_days`` of the event — an internal
  notice when created, one to another system when exported. A notice that still waits
  for its receiver is not delivered.
- ``reply_rate`` 反馈率: of the notices received by the unit's offices in the period
  (internal: created; from another system: received) that need a reply (not a reply, not
  a correction), those replied by their ``reply_due`` (by receiver unit).
"""

from __future__ import annotations

import datetime

from django.db.models import DateField, ExpressionWrapper, F, Q

from jisheng.core.periods import Period
from jisheng.exchange.models import Direction, Notice, NoticeKind, NoticeStatus
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import WITHIN, Indicator, Population, RootFilter, T
from jisheng.orgs.models import Unit
from jisheng.policy.measures import SERVICE

SENT = "exchange_notices_sent"
RECEIVED = "exchange_notices_received"
NEEDS_REPLY = ~Q(kind=NoticeKind.REPLY) & Q(corrects_uid__isnull=True)


def _sent(period: Period, day: datetime.date | None) -> Q:
    return (
        NEEDS_REPLY
        & Q(direction__in=(Direction.INTERNAL, Direction.OUTGOING))
        & Q(event_on__gte=period.first, event_on__lte=period.last)
    )


def _in_time(period: Period, day: datetime.date | None, root: Unit | None) -> Q:
    from jisheng.exchange.services import notify_days

    limit = ExpressionWrapper(
        F("event_on") + datetime.timedelta(days=notify_days(root, period.last)),
        output_field=DateField(),
    )
    return Q(direction=Direction.INTERNAL, created_at__date__lte=limit) | Q(
        direction=Direction.OUTGOING, exported_at__date__lte=limit
    )


def _received(period: Period, day: datetime.date | None) -> Q:
    first, last = period.first, period.last
    return (
        NEEDS_REPLY
        & ~Q(status=NoticeStatus.HELD)
        & (
            Q(direction=Direction.INTERNAL, created_at__date__gte=first, created_at__date__lte=last)
            | Q(
                direction=Direction.INCOMING,
                received_at__date__gte=first,
                received_at__date__lte=last,
            )
        )
    )


def _replied_in_time(period: Period, day: datetime.date | None) -> Q:
    return Q(replied_at__isnull=False, reply_due__isnull=False) & Q(
        replied_at__date__lte=F("reply_due")
    )


SENT_POPULATION = Population(
    name=SENT,
    label="期内发生的事项的通报（不含反馈和更正，按发出单位）",
    model=Notice,
    base=_sent,
    filters={"in_time": RootFilter(_in_time)},
    path_field="sender_unit__path",
    person_field="person_id",
)
RECEIVED_POPULATION = Population(
    name=RECEIVED,
    label="期内收到的需反馈的通报（按接收单位）",
    model=Notice,
    base=_received,
    filters={"replied_in_time": _replied_in_time},
    path_field="receiver_unit__path",
    person_field="person_id",
)

NOTIFICATION_RATE = Indicator(
    id="notification_rate",
    name_zh="通报率",
    unit="%",
    measures=SERVICE,  # the office's duty to notify (SPEC §4)
    numerator=(T(SENT, "in_time"),),
    denominator=(T(SENT),),
    scale=100,
    semantics=WITHIN,
    definition_zh="事项日期在本期内、由本单位及下级单位发出的通报（不含反馈和更正）中，"
    "在事项日期后政策包 floating.notify_within_days 天内（默认 7 天）送达的条数 ÷ 上述通报"
    "条数 × 100%。本系统内的通报在生成时送达，发往其他系统的通报在导出时送达；"
    "尚未填写户籍地的通报未送达（按发出单位统计）。",
)
REPLY_RATE = Indicator(
    id="reply_rate",
    name_zh="反馈率",
    unit="%",
    measures=SERVICE,  # the home office's duty to reply
    numerator=(T(RECEIVED, "replied_in_time"),),
    denominator=(T(RECEIVED),),
    scale=100,
    semantics=WITHIN,
    definition_zh="本期内本单位及下级单位收到的需反馈的通报（本系统内的按生成日期，"
    "其他系统的按接收日期；不含反馈和更正）中，在反馈期限（送达后政策包 "
    "floating.reply_within_days 天，默认 30 天）内反馈的条数 ÷ 上述通报条数 × 100%"
    "（按接收单位统计）。",
)


def register() -> None:
    """Add the populations and the indicators to the engine (once)."""
    for population in (SENT_POPULATION, RECEIVED_POPULATION):
        if population.name not in engine.POPULATIONS:
            engine.register_population(population)
    for indicator in (NOTIFICATION_RATE, REPLY_RATE):
        if indicator.id not in catalogue.BY_ID:
            catalogue.register(indicator)
