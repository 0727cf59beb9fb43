"""The drill-down: the persons behind a figure (see :mod:`jisheng.indicators.engine`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jisheng.core.periods import Period
from jisheng.indicators.engine.vocabulary import (
    POPULATIONS,
    Indicator,
    _one_pass,
)
from jisheng.orgs.models import Unit
from jisheng.people.models import Person

# --------------------------------------------------------------------------- drill-down


def persons_behind(
    indicator: Indicator,
    side: str,
    unit: Unit,
    period: Period,
    *,
    root: Unit | None = None,
) -> QuerySet[Person]:
    """The distinct persons behind the rows of the ``side`` ("numerator" or
    "denominator") terms of ``indicator`` within ``unit``'s subtree over ``period``
    (each population's ``person_field``: the person, or the mother of a birth).

    Every term counts, whatever its weight (the persons behind "births − deaths" are
    the mothers and the dead). A count has no denominator: ``ValueError``. ``root``
    (default ``unit``) is the unit whose policy pack sets pack-defined thresholds — pass
    the root of the computation the figure came from. The caller scopes and audits.
    """
    terms = indicator.side_terms(side)
    if not terms:
        raise ValueError(
            _("The indicator %(id)s is a count: it has no denominator.") % {"id": indicator.id}
        )
    indicator.validate()
    root = root or unit
    q = Q()
    with _one_pass():
        for term in terms:
            population = POPULATIONS[term.population]
            if population.counter is not None:
                continue  # counted by a function: no rows, no persons
            rows = (
                population.queryset(period)
                .filter(population.filter_q(term.filters, period, root))
                .filter(**{f"{population.path_field}__startswith": unit.path})
                .order_by()
                .values(population.person_field)
            )
            q |= Q(pk__in=rows)
    return Person.objects.filter(q) if q else Person.objects.none()
