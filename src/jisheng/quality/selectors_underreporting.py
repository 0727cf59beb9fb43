"""Reads of the under-reporting scan (出生漏报筛查): the scan of a unit's subtree, one
village's figures, and the births and women behind them — each scoped to the caller.

Callers pass a unit already found inside the user's scope (``orgs.web.requested_unit``
or ``orgs.selectors.unit_get``: outside it, 404 and an audited denial); the record
lists are restricted again here."""

from __future__ import annotations

import datetime
from dataclasses import replace

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jisheng.core import periods
from jisheng.core.periods import Period
from jisheng.core.scope import restrict
from jisheng.indicators import engine
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Birth, Person, PersonPeriod
from jisheng.quality import underreporting
from jisheng.quality.underreporting import Scan, VillageResult


def period_for(text: str | None, today: datetime.date) -> Period:
    """The period of ``?period=`` (a year, a quarter or a month; default: last year).
    ValueError (a Chinese message) for anything else or a period not yet over."""
    text = (text or "").strip()
    if not text:
        return underreporting.default_period(today)
    period = periods.parse(text)
    if period.kind not in (periods.YEAR, periods.QUARTER, periods.MONTH):
        raise ValueError(_("Choose a year, a quarter or a month."))
    if period.first > today:
        raise ValueError(_("%(period)s has not begun yet.") % {"period": period.label})
    return period


def underreporting_scan(*, user: User, unit: Unit, period: Period) -> Scan:
    """The scan of every village of ``unit``'s subtree (``unit`` in ``user``'s scope)."""
    return underreporting.scan(unit, period)


def village_scan(*, user: User, village: Unit, period: Period) -> VillageResult:
    """One village's expected and observed births (its groups' rolled up), judged by its
    county's rates."""
    reference = underreporting.reference_for(underreporting.county_of(village), period)
    women = underreporting.women_by_group(village, period)
    births = underreporting.births_by_group(village, period)
    into = dict.fromkeys(set(women) | set(births), village.pk)
    result = underreporting.village_result(
        village.pk,
        underreporting.rolled_up(women, into, pair=True).get(village.pk),
        underreporting.rolled_up(births, into, pair=False).get(village.pk),
        reference,
    )
    return replace(result, unit=village)


def village_reference(*, village: Unit, period: Period) -> underreporting.Reference:
    return underreporting.reference_for(underreporting.county_of(village), period)


def village_births(*, user: User, village: Unit, period: Period) -> QuerySet[Birth]:
    """The births registered in ``village`` (and its groups) dated in ``period`` (O)."""
    rows = Birth.objects.filter(
        unit__path__startswith=village.path, date__gte=period.first, date__lte=period.last
    )
    return restrict(rows, user).select_related("mother").order_by("date", "pk")


def village_women(*, user: User, village: Unit, period: Period) -> QuerySet[Person]:
    """The women of ``village`` (and its groups) aged 15–49 and resident (在册, 流入) there on the
    period's first or last day (the women behind E), each once, eldest first. Scoped by
    the village the states lie in (a woman who moved on since is still listed)."""
    first, last = period.first, period.last
    on_either = (engine.in_force_within(period, first) & engine.aged_between(first, 15, 49)) | (
        engine.in_force_within(period, last) & engine.aged_between(last, 15, 49)
    )
    states = PersonPeriod.objects.filter(
        engine.wra_during(period), on_either, unit__path__startswith=village.path
    )
    ids = restrict(states, user).values("person_id")
    return Person.objects.filter(pk__in=ids).order_by("birth_date", "pk")
