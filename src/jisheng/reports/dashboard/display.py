"""The indicators a dashboard shows, small samples, and how figures are displayed
(see :mod:`jisheng.reports.dashboard`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from jisheng.indicators import engine
from jisheng.indicators.engine import Indicator, Value

# The indicators a dashboard always shows, in this order (those the catalogue lacks are
# skipped); the indicators the unit has a target for are added after them.
KEY_IDS: tuple[str, ...] = (
    "contraceptive_prevalence",
    "long_acting_share",
    "followup_rate",
    "campaign_coverage",
    "informed_choice_rate",
    "method_information_index",
    "policy_birth_rate",
    "multi_child_rate",
    "sex_ratio_at_birth",
    "birth_rate",
    "natural_growth_rate",
    "transfer_rate",
    "married_wra",
    "births",
    "deaths",
)
# The indicators drawn month by month over the last 12 months.
TREND_IDS: tuple[str, ...] = (
    "contraceptive_prevalence",
    "followup_rate",
    "births",
    "long_acting_share",
)
TREND_MONTHS = 12
# Ranked by this indicator unless the user chooses another.
DEFAULT_RANK_ID = "contraceptive_prevalence"
# Indicators for which less is better (used when no target gives a direction).
LOWER_IS_BETTER: frozenset[str] = frozenset({"multi_child_rate", "natural_growth_rate"})

NUMERATOR, DENOMINATOR, SIDES = engine.NUMERATOR, engine.DENOMINATOR, engine.SIDES


# Small numbers (样本过少). A ratio or rate computed from fewer cases than its minimum
# sample is not shown: its text is "样本过少" instead of the value (pages, prints,
# drill-down, exports), it gets no target status and is not ranked. The minimum is the
# indicator's own (``min_sample`` on the definition, or :data:`MIN_SAMPLE` here), else
# ``JISHENG_MIN_SAMPLE`` (default in the settings, 5: a rate needs a
# denominator of at least 5). The sample is the denominator, or both sides for the
# indicators of :data:`SAMPLE_BOTH_SIDES` (the sex ratio at birth: boys and girls, all
# births). Counts are never small.
MIN_SAMPLE: dict[str, int] = {"sex_ratio_at_birth": 20}
SAMPLE_BOTH_SIDES: frozenset[str] = frozenset({"sex_ratio_at_birth"})


def min_sample(indicator: Indicator) -> int:
    """The fewest cases a figure of ``indicator`` is shown for (0: always shown)."""
    if not indicator.is_ratio:
        return 0
    own = getattr(indicator, "min_sample", None)
    if own is not None:
        return int(own)
    if indicator.id in MIN_SAMPLE:
        return MIN_SAMPLE[indicator.id]
    return int(settings.JISHENG_MIN_SAMPLE)


def sample_size(indicator: Indicator, value: Value) -> float:
    """The cases behind a figure: its denominator (both sides for the sex ratio)."""
    denominator = float(value.denominator or 0)
    if indicator.id in SAMPLE_BOTH_SIDES:
        return denominator + float(value.numerator or 0)
    return denominator


def small_sample(indicator: Indicator, value: Value | None) -> bool:
    """Whether a defined figure rests on fewer cases than :func:`min_sample`."""
    if value is None or value.value is None:
        return False
    threshold = min_sample(indicator)
    return threshold > 0 and sample_size(indicator, value) < threshold


def small_sample_text() -> str:
    return _("Sample too small")


# --------------------------------------------------------------------------- display


def format_number(number: float | None, digits: int = 2) -> str:
    """A count as an integer, anything else with ``digits`` decimals; None as "—"."""
    if number is None:
        return "—"
    if float(number).is_integer():
        return str(int(number))
    return f"{number:.{digits}f}"


def format_value(indicator: Indicator, value: Value | None, digits: int = 2) -> str:
    """The figure as the pages show it: "95.12%", "12.30‰", "1.62", "128"; "—" when
    undefined (denominator 0), never 0% or 100%."""
    if value is None or value.value is None:
        return "—"
    if small_sample(indicator, value):
        return small_sample_text()
    if indicator.unit == "count":
        return format_number(value.value, digits)
    text = f"{value.value:.{digits}f}"
    if indicator.unit in ("%", "‰"):
        return f"{text}{indicator.unit}"
    return text


def excel_number(
    value: Value | None, digits: int = 2, indicator: Indicator | None = None
) -> float | int | str:
    """A figure for a workbook cell: the number rounded, "—" when undefined, "样本过少"
    when the indicator (if given) says the sample is too small."""
    if value is None or value.value is None:
        return "—"
    if indicator is not None and small_sample(indicator, value):
        return small_sample_text()
    if float(value.value).is_integer():
        return int(value.value)
    return round(float(value.value), digits)


def lower_is_better(indicator_id: str, target: Any = None) -> bool:
    direction = str(getattr(target, "direction", "") or "")
    if direction:
        return "most" in direction or direction in ("max", "below", "le", "<=")
    return indicator_id in LOWER_IS_BETTER


def format_target(indicator: Indicator, target: Any) -> str:
    """``≥ 90%`` / ``≤ 5%``; "" without a target."""
    if target is None or getattr(target, "value", None) is None:
        return ""
    sign = "≤" if lower_is_better(indicator.id, target) else "≥"
    number = format_number(float(target.value))
    unit = indicator.unit if indicator.unit in ("%", "‰") else ""
    return f"{sign} {number}{unit}"


STATUS_CSS = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}


def status_label(status: str | None) -> str:
    return {
        "green": _("Target met"),
        "amber": _("Near the target"),
        "red": _("Below the target"),
    }.get(status or "", "")
