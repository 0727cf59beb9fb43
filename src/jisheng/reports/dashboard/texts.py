"""The indicator catalogue page: each indicator's terms in words
(see :mod:`jisheng.reports.dashboard`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import Indicator
from jisheng.reports.dashboard.display import (
    DENOMINATOR,
    NUMERATOR,
    format_number,
)

# --------------------------------------------------------------------------- catalogue

# The words the pages show for an indicator's unit and for the filters of its terms (the
# engine's names are identifiers, never shown).
UNIT_LABELS: dict[str, str] = {
    "%": "%",
    "‰": "‰",
    "count": "人",
    "per woman": "孩/妇女",
    "ratio": "比值（女婴=100）",
    "couple-years": "保护对年",
}
FILTER_LABELS: dict[str, str] = {
    "accurate": "核实准确",
    "certified_one_child_wife": "已领独生子女父母光荣证的妻子",
    "commodity": "药具随访",
    "completed": "已办结",
    "condom": "避孕套",
    "covered": "已参加服务",
    "female": "女婴",
    "female_sterilisation": "女性绝育",
    "first": "初婚",
    "first_birth": "一孩",
    "gyn_screening": "已做妇科检查",
    "implant": "皮下埋植",
    "informed": "已知情选择",
    "injectable_dose": "注射剂（针）",
    "iud": "宫内节育器",
    "late": "晚婚",
    "long_acting": "长效措施",
    "male": "男婴",
    "male_sterilisation": "男性绝育",
    "married": "已婚",
    "matches": "账实相符",
    "mii_yes": "三项告知均已告知",
    "mother_late": "晚育",
    "on_time": "按时",
    "one_child_wife": "独生子女家庭的妻子",
    "order_3_plus": "三孩及以上",
    "pill_cycle": "口服避孕药（周期）",
    "verified": "已查验",
    "with_method": "已落实避孕措施",
    "within_policy": "政策内",
    "without_stock": "无库存",
}


def unit_label(unit: str) -> str:
    """The unit of an indicator in words ("count" → 人, "per woman" → 孩/妇女, …)."""
    return UNIT_LABELS.get(unit, unit)


def filter_label(name: str) -> str:
    """A term's filter in words: "married" → 已婚, "aged_15_19" → 15–19 岁,
    "mother_20_24" → 母亲 20–24 岁."""
    if name in FILTER_LABELS:
        return FILTER_LABELS[name]
    for prefix, words in (("aged_", "{} 岁"), ("mother_", "母亲 {} 岁")):
        rest = name.removeprefix(prefix)
        if rest != name and rest.replace("_", "").isdigit():
            return words.format(rest.replace("_", "–"))
    return name


def factor_label(factor: str) -> str:
    """A conversion factor of the CYP factor table in words (its item's label)."""
    from jisheng.indicators.models import CypFactor

    try:
        return str(CypFactor.Item(factor).label)
    except ValueError:
        return factor


@dataclass
class TermText:
    population: str  # the population's name
    label: str  # its Chinese label
    filters: tuple[str, ...]
    weight: float
    factor: str = ""  # a conversion factor of the period (CYP)

    @property
    def text(self) -> str:
        words = self.label
        if self.filters:
            words += "（" + "、".join(filter_label(f) for f in self.filters) + "）"
        if self.factor:
            words += f" × {factor_label(self.factor)}系数"
        if self.weight == 1:
            return words
        if self.weight == -1:
            return f"− {words}"
        return f"{format_number(self.weight)} × {words}"


@dataclass
class GroupText:
    """One rate of a sum of rates (e.g. an age group of the TFR), described."""

    label: str
    numerator: list[TermText]
    denominator: list[TermText]

    @property
    def text(self) -> str:
        top = " + ".join(t.text for t in self.numerator)
        bottom = " + ".join(t.text for t in self.denominator)
        return f"{self.label}: ({top}) ÷ ({bottom})"


@dataclass
class CatalogueRow:
    indicator: Indicator
    numerator: list[TermText] = field(default_factory=list)
    denominator: list[TermText] = field(default_factory=list)
    groups: list[GroupText] = field(default_factory=list)

    @property
    def populations(self) -> list[str]:
        """The distinct populations the indicator counts, in order."""
        return list(dict.fromkeys(t.label for t in (*self.numerator, *self.denominator)))

    @property
    def unit_text(self) -> str:
        return unit_label(self.indicator.unit)

    @property
    def semantics_text(self) -> str:
        if self.indicator.semantics == engine.WITHIN:
            return _("Events within the period")
        return _("State on the period's last day")


def _term_text(term: Any) -> TermText:
    population = engine.POPULATIONS.get(term.population)
    label = population.label if population is not None else term.population
    return TermText(
        term.population, label, tuple(term.filters), term.weight, getattr(term, "factor", "")
    )


def side_texts(indicator: Indicator, side: str) -> list[TermText]:
    """The terms of one side (of every group of a sum of rates), described."""
    return [_term_text(t) for t in indicator.side_terms(side)]


def catalogue_rows() -> list[CatalogueRow]:
    """Every indicator of the catalogue with its populations, for the catalogue page
    (a sum of rates, such as the TFR, with its groups)."""
    return [
        CatalogueRow(
            indicator,
            side_texts(indicator, NUMERATOR),
            side_texts(indicator, DENOMINATOR),
            [
                GroupText(
                    g.label,
                    [_term_text(t) for t in g.numerator],
                    [_term_text(t) for t in g.denominator],
                )
                for g in getattr(indicator, "groups", ())
            ],
        )
        for indicator in catalogue.CATALOGUE
    ]
