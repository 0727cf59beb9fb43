"""Reads of the dashboard, catalogue, drill-down and demography pages (selectors).

Everything here reads; callers pass a unit already found inside the user's data scope
(``orgs.selectors.unit_get``: out of scope is a 404 and an audited denial).

The dashboard of a unit for a period is:

- the **key indicators** of the unit (:data:`KEY_IDS`, plus every indicator the unit
  has a target for) with the target and its status (green / amber / red, from
  ``indicators.targets``);
- the **child units** with the same indicators, ranked by a chosen one (standard
  competition ranking: 1, 2, 2, 4; undefined values last, unranked);
- **12-month trends** of a few indicators (:data:`TREND_IDS`) for the unit;
- the **worklist counts** below the unit (``services.selectors.worklist``).

The unit and its children come from ONE ``engine.compute_tree`` pass (one grouped query
a population); the trends from one ``compute`` a month for the unit alone. Figures are
live but cached (:func:`cache_seconds`): those of a running period and the worklist
counts for ``JISHENG_DASHBOARD_CACHE_SECONDS`` (default 300 s), those of a period that
has ended — most trend months — for ``JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS`` (default
6 h), keyed by the unit, the period and the indicators. The page says when its figures
were computed and offers to recompute them at once.

The cache is shared by every process of an installation (settings ``CACHES``: a
database table, or Redis), so ``jisheng worker`` keeps it warm for the web server
(:func:`warm_current`, every ``JISHENG_DASHBOARD_REFRESH_MINUTES``, default 5): for
each top-level unit ONE engine pass gives the current quarter's figures of every unit
down to the villages, written under the very keys :func:`dashboard` reads; the same for
the running month's trend point; the worklist counts of the county and its townships;
the ended months of the trend once a night (:func:`warm_ended_months`). A page whose
entries are missing (cold cache, another period, a group) computes them as before.
"""

# Every name of the former module stays importable from ``jisheng.reports.dashboard``:
# the modules below are its seams.
from jisheng.reports.dashboard.computing import (  # noqa: F401
    _all_work,
    _cache_key,
    _cached,
    _closed,
    _empty,
    _every_id,
    _figures,
    _series,
    _values_of_tree,
    _WholeTree,
    _work_key,
    cache_seconds,
    dashboard,
    dashboard_indicators,
    rank_rows,
    unit_work_kinds,
    worklist_counts,
)
from jisheng.reports.dashboard.demographics import (  # noqa: F401
    DEMOGRAPHY_IDS,
    Demography,
    demography_for,
    pyramid_day,
)
from jisheng.reports.dashboard.display import (  # noqa: F401
    DEFAULT_RANK_ID,
    DENOMINATOR,
    KEY_IDS,
    LOWER_IS_BETTER,
    MIN_SAMPLE,
    NUMERATOR,
    SAMPLE_BOTH_SIDES,
    SIDES,
    STATUS_CSS,
    TREND_IDS,
    TREND_MONTHS,
    excel_number,
    format_number,
    format_target,
    format_value,
    lower_is_better,
    min_sample,
    sample_size,
    small_sample,
    small_sample_text,
    status_label,
)
from jisheng.reports.dashboard.drilldown import (  # noqa: F401
    persons_behind,
)
from jisheng.reports.dashboard.figures import (  # noqa: F401
    ChildRow,
    Dashboard,
    Figure,
    Trend,
    TrendPoint,
    child_units,
    indicator_or_none,
    key_indicators,
    trend_months,
)
from jisheng.reports.dashboard.texts import (  # noqa: F401
    FILTER_LABELS,
    UNIT_LABELS,
    CatalogueRow,
    GroupText,
    TermText,
    _term_text,
    catalogue_rows,
    factor_label,
    filter_label,
    side_texts,
    unit_label,
)
from jisheng.reports.dashboard.warming import (  # noqa: F401
    ENDED_MONTHS_SECONDS,
    GET_MANY_CHUNK,
    WARM_DEPTH,
    WORK_WARM_DEPTH,
    WarmReport,
    _attachment_paths,
    _pick,
    _present,
    _tree_pass,
    _trend_indicators,
    pass_roots,
    refresh_minutes,
    top_units,
    warm_current,
    warm_ended_months,
    warm_figures,
    warm_months,
    warm_seconds,
    warm_units,
    warm_work,
)
