"""The indicator engine: indicators are data, computed by grouped aggregate queries.

An :class:`Indicator` names its numerator and denominator as sums of :class:`Term` —
a *population* from the small vocabulary below (residents on a day, births, deaths,
visits due, departures, campaign targets, method starts, first marriages), narrowed by
named *filters* (``married_wra``, ``male``, ``on_time`` …) and weighted (``0.5`` for a
mean of two days, ``-1`` for a difference, or a conversion factor of the period such as
a CYP factor). :func:`compute` answers every indicator for every unit of one level under
a root with ONE grouped query per population: the rows are grouped by the prefix of
their unit's materialised path that names the unit's ancestor at the requested level
(treebeard, 4 characters a level), and the prefixes are mapped back to the units.
:func:`compute_tree` answers every unit of a subtree at once; :func:`compute_naive`
does the same unit by unit (one query per unit and population), as the benchmark's
yardstick.

Two evaluation kinds: :data:`RATIO_OF_SUMS` (a count, or the ratio of two sums of
terms) and :data:`SUM_OF_RATES` (``scale`` × the sum over :class:`Group` of a group's
numerator ÷ its denominator — the total fertility rate). Both come from the same
grouped counts, so every unit is still answered at once.

Other apps add populations (:func:`register_population`) and indicators
(``catalogue.register``) from their ``AppConfig.ready()``. :func:`persons_behind` lists
the persons behind a figure (the drill-down).

A value is ``None`` when its denominator is 0: shown as "—", never as 0% or 100%.
Callers pass a root already in the user's scope.
"""

# The engine's public names (and those the tests and other modules reach) stay
# importable from ``jisheng.indicators.engine``: the modules below are its seams.
from jisheng.indicators.engine.compiler import (  # noqa: F401
    FACTOR_SOURCES,
    Counts,
    Evaluator,
    Key,
    UnitValues,
    Value,
    Weighted,
    _amount,
    _compile_sum_of_rates,
    _factors,
    _number,
    _sum_of_rates_source,
    _summer,
    _values,
    _weighted,
    batch_evaluator,
    compile_indicator,
    evaluate,
    register_factors,
)
from jisheng.indicators.engine.drilldown import (
    persons_behind,
)
from jisheng.indicators.engine.executor import (  # noqa: F401
    CONCURRENT_MIN_UNITS,
    CONCURRENT_SETTINGS,
    POSTGRESQL_SETTINGS,
    _at_least_units,
    _bulk,
    _common,
    _compute_naive,
    _compute_tree,
    _compute_units,
    _connections_at_once,
    _fetched,
    _grouped_counts,
    _largest_first,
    _needed,
    _plain_rows,
    _plan,
    _Query,
    _set_config,
    _the_whole_tree,
    _work,
    compute,
    compute_naive,
    compute_tree,
    compute_units,
    level_units,
)
from jisheng.indicators.engine.vocabulary import (  # noqa: F401
    _FIRST_BIRTH,
    _ORDER_3_PLUS,
    _PACKS,
    _PERSON_FILTERS,
    _UNIT_UNUSED,
    _WRA_FILTERS,
    AS_OF_END,
    CHILDREN,
    DENOMINATOR,
    FERTILE_AGE_GROUPS,
    KINDS,
    LATE_CHILDBEARING_AGE,
    LATE_MARRIAGE_AGE,
    LEVELS,
    NUMERATOR,
    POPULATIONS,
    RATIO_OF_SUMS,
    SELF,
    SHORT_ACTING,
    SIDES,
    STEPLEN,
    SUM_OF_RATES,
    UNITS,
    WITHIN,
    Counted,
    Filter,
    Group,
    Indicator,
    Population,
    RootFilter,
    T,
    Term,
    _first_marriage,
    _in_period,
    _late_marriage,
    _late_mother,
    _method_on,
    _mothers_aged,
    _one_pass,
    _pack,
    _resident_on,
    _resident_within,
    _state_on,
    _women_aged,
    _wra_on,
    _wra_within,
    _ymd,
    aged_at,
    aged_between,
    in_force_within,
    late_childbearing_age,
    late_marriage_ages,
    register_population,
    resident_during,
    wra_during,
    years_before,
)

__all__ = [
    "AS_OF_END",
    "CHILDREN",
    "DENOMINATOR",
    "FERTILE_AGE_GROUPS",
    "NUMERATOR",
    "POPULATIONS",
    "RATIO_OF_SUMS",
    "SELF",
    "SUM_OF_RATES",
    "WITHIN",
    "Group",
    "Indicator",
    "Population",
    "RootFilter",
    "Term",
    "UnitValues",
    "Value",
    "aged_at",
    "compute",
    "compute_naive",
    "compute_tree",
    "compute_units",
    "in_force_within",
    "persons_behind",
    "register_factors",
    "register_population",
    "resident_during",
    "wra_during",
    "years_before",
]
