"""The drill-down: the persons behind a figure that the user may see
(see :mod:`jisheng.reports.dashboard`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jisheng.core.periods import Period
from jisheng.core.scope import restrict
from jisheng.indicators import engine
from jisheng.indicators.engine import Indicator
from jisheng.orgs.models import Unit
from jisheng.people.models import Person
from jisheng.reports.dashboard.display import DENOMINATOR, SIDES

# --------------------------------------------------------------------------- drill-down


def persons_behind(
    user: Any,
    indicator: Indicator,
    side: str,
    unit: Unit,
    period: Period,
    *,
    root: Unit | None = None,
) -> QuerySet[Person]:
    """The persons behind one side of a figure of ``unit`` (in the user's scope) that
    the user may see: those now registered outside the user's data scope are left out.
    ``root`` is the unit whose computation gave the figure (its policy pack sets the
    pack-defined thresholds; default ``unit``). ``ValueError`` for a side the
    indicator does not have."""
    if side not in SIDES:
        raise ValueError(_("Unknown side: %(side)s.") % {"side": side})
    if side == DENOMINATOR and not indicator.is_ratio:
        raise ValueError(_("A count has no denominator."))
    persons = engine.persons_behind(indicator, side, unit, period, root=root)
    return restrict(persons, user).select_related("unit").order_by("unit__path", "name", "pk")
